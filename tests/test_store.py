"""The raw store (atomic landing, manifest), content checks, recognisers and the status table.

Fixtures are written here by hand in the exact demo.istat.it dialect (SOURCES.md §2.2,
§2.3, §8): UTF-8 BOM, CRLF, ``;``, a quoted title line, a quoted header, quoted codes and
bare numbers, a trailing one-field note line and a final empty line.
"""

import hashlib
import io
import json
import zipfile
from datetime import datetime, timezone

import pandas as pd
import pytest
import responses

from diagnosis import http, store
from diagnosis.errors import DiagnosisError, DownloadNonValido, FileNonRiconosciuto, RisorsaOffline
from diagnosis.intake import importing, recognise, recognisers
from diagnosis.intake.samples import Recognised
from diagnosis.intake.status import store_status
from diagnosis.store import checks, raw
from national_files import demo_bytes, posas_for_every_comune

# --- hand-written fixtures ---------------------------------------------------------------

POSAS_TITLE = "Popolazione residente per età, sesso e stato civile al 1° gennaio 2025"
POSAS_HEADER = (
    '"Codice comune";"Comune";"Età";"Celibi";"Coniugati";"Divorziati";"Vedovi";"Uniti civilmente";'
    '"Maschi già in unione civile (per scioglimento unione)";"Maschi già in unione civile (per decesso del partner)";'
    '"Totale maschi";"Nubili";"Coniugate";"Divorziate";"Vedove";"Unite civilmente";'
    '"Femmine già in unione civile (per scioglimento unione)";"Femmine già in unione civile (per decesso del partner)";'
    '"Totale femmine";"Totale"'
)
POSAS_ROWS = [
    '"001001";"Agliè";0;10;0;0;0;0;0;0;10;9;0;0;0;0;0;0;9;19',
    '"001001";"Agliè";100;0;0;0;1;0;0;0;1;0;0;0;2;0;0;0;2;3',
    '"001001";"Agliè";999;10;0;0;1;;;;11;9;0;0;2;;;;11;22',
]
STIMA_HEADER = '"Codice comune";"Comune";"Età";"Totale maschi";"Totale femmine";"Totale"'
STIMA_ROWS = ['"015146";"Milano";0;5000;4800;9800', '"015146";"Milano";999;5000;4800;9800']
STRASA_HEADER = '"Codice comune";"Comune";"Età";"Maschi";"Femmine"'
STRASA_ROWS = ['"015175";"Pioltello";0;40;38', '"015175";"Pioltello";999;40;38']
BALANCE_HEADER = (
    '"Codice comune";"Comune";"Popolazione censita al 1° gennaio - Totale";"Nati vivi - Totale";'
    '"Morti - Totale";"Popolazione al 31 dicembre - Totale";"Informazioni"'
)
P2_TITLE = "Bilancio demografico e popolazione residente al 31 dicembre 2025"
P3_TITLE = "Cittadini stranieri: popolazione residente per sesso e bilancio demografico al 31 dicembre 2025"
BALANCE_NOTE = "Note: p = dato provvisorio. Il dato della popolazione censita al 1°gennaio è definitivo."


def demo_csv(title, header, rows, note="Nota: dati di prova scritti a mano.") -> bytes:
    """A demo.istat.it CSV byte for byte: BOM, CRLF, quoted title and note, final empty line."""
    lines = [f'"{title}"', header, *rows, f'"{note}"', ""]
    return ("\ufeff" + "\r\n".join(lines)).encode("utf-8")


def zipped(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


POSAS_CSV = demo_csv(POSAS_TITLE, POSAS_HEADER, POSAS_ROWS)
POSAS_STIMA_CSV = demo_csv("Popolazione residente per età e sesso al 1° gennaio 2026 (stima)", STIMA_HEADER, STIMA_ROWS)
STRASA_CSV = demo_csv("Popolazione straniera residente per età e sesso al 1° gennaio 2025", STRASA_HEADER, STRASA_ROWS)
P2_CSV = demo_csv(P2_TITLE, BALANCE_HEADER, ['"036040";"Sassuolo";41116;250;420;41123;"p"'], note=BALANCE_NOTE)
P2_FINAL_CSV = demo_csv(P2_TITLE.replace("2025", "2023"), BALANCE_HEADER, ['"036040";"Sassuolo";41116;250;420;41123;""'])
P3_CSV = demo_csv(P3_TITLE, BALANCE_HEADER, ['"028001";"Abano Terme";2161;17;12;2190;"p"'], note=BALANCE_NOTE)
POSAS_ZIP = zipped({"POSAS_2025_it_Comuni.csv": POSAS_CSV})
HTML_PAGE = (
    b"<!DOCTYPE html>\r\n<html lang=\"it\"><head><title>Errore</title></head>"
    b"<body><h1>Servizio temporaneamente non disponibile</h1></body></html>"
)
MEF_LIKE_CSV = (
    "Anno di imposta;Codice catastale;Codice Istat Comune;Denominazione Comune;Sigla Provincia\r\n"
    "2023;A001;28001;ABANO TERME;PD\r\n"
).encode("utf-8")
POSAS_URL = "https://demo.istat.it/data/posas/POSAS_2025_it_Comuni.zip"


@pytest.fixture
def data_dir(monkeypatch, tmp_path):
    """An empty store of its own, with the network allowed (mocked) and no spacing."""
    folder = tmp_path / "dati"
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(folder))
    monkeypatch.setenv("DIAGNOSIS_OFFLINE", "0")
    monkeypatch.delenv(http.DRY_RUN_VARIABLE, raising=False)
    monkeypatch.setattr(http, "DEFAULT_INTERVAL", 0.0)
    http.reset_sessions()
    yield folder
    http.reset_sessions()


def snapshot(folder):
    """Every file under the store with its bytes: 'untouched' means this does not change."""
    root = folder / "raw"
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def save_posas(data=POSAS_ZIP, status="definitivo", filename="POSAS_2025_it_Comuni.zip",
               check=checks.ZIP_WITH_CSV, **extra):
    return store.save_bytes(
        "posas", filename, data, source=POSAS_URL, vintage="zip del 30/01/2026",
        status=status, years=[2025], check=check, **extra,
    )


# --- landing and manifest ------------------------------------------------------------------

def test_good_file_lands_with_a_complete_manifest_entry(data_dir):
    entry = save_posas()

    path = data_dir / "raw" / "posas" / "POSAS_2025_it_Comuni.zip"
    assert path.read_bytes() == POSAS_ZIP
    assert store.path_for("posas", "POSAS_2025_it_Comuni.zip") == path
    assert entry["sha256"] == hashlib.sha256(POSAS_ZIP).hexdigest()
    assert entry["size"] == len(POSAS_ZIP)
    assert entry["source"] == POSAS_URL
    assert (entry["dataset"], entry["status"], entry["years"], entry["vintage"]) == (
        "posas", "definitivo", [2025], "zip del 30/01/2026")
    fetched = datetime.fromisoformat(entry["fetched_at"])
    assert fetched.utcoffset().total_seconds() == 0
    assert abs((datetime.now(timezone.utc) - fetched).total_seconds()) < 60
    assert store.entries() == [entry] == store.entries("posas")
    assert store.entries("p2") == []
    assert sorted(snapshot(data_dir)) == ["manifest.json", "posas/POSAS_2025_it_Comuni.zip"]


def test_saving_again_replaces_file_and_entry(data_dir):
    save_posas()
    other = zipped({"POSAS_2025_it_Comuni.csv": POSAS_CSV.replace(b";22\r\n", b";23\r\n")})
    entry = save_posas(other, status="provvisorio")
    assert store.entries() == [entry]
    assert (data_dir / "raw" / entry["path"]).read_bytes() == other


def test_html_served_with_200_is_refused_and_store_untouched(data_dir):
    save_posas()
    before = snapshot(data_dir)
    with pytest.raises(DownloadNonValido, match="pagina HTML"):
        save_posas(HTML_PAGE)
    assert snapshot(data_dir) == before


def test_truncated_zip_is_refused_and_store_untouched(data_dir):
    save_posas()
    before = snapshot(data_dir)
    with pytest.raises(DownloadNonValido, match="danneggiato o incompleto"):
        save_posas(POSAS_ZIP[: len(POSAS_ZIP) // 2])
    assert snapshot(data_dir) == before


def test_zip_without_csv_is_refused(data_dir):
    with pytest.raises(DownloadNonValido, match="non contiene alcun file CSV.*leggimi.txt"):
        save_posas(zipped({"leggimi.pdf": b"%PDF-1.4", "dati/leggimi.txt.bak": b"", "leggimi.txt.old": b""}).replace(b"", b"") if False else zipped({"leggimi.txt.pdf": b"%PDF"}) )
    assert snapshot(data_dir) == {}


def test_failed_first_save_leaves_no_folder_behind(data_dir):
    with pytest.raises(DownloadNonValido):
        save_posas(b"")
    assert not (data_dir / "raw").exists()


def test_failed_manifest_write_restores_the_previous_file(data_dir, monkeypatch):
    save_posas()
    before = snapshot(data_dir)

    def broken(found):
        raise OSError("disco pieno")

    monkeypatch.setattr(raw, "_write_manifest", broken)
    with pytest.raises(OSError):
        save_posas(zipped({"altro.csv": POSAS_CSV}))
    assert snapshot(data_dir) == before


def test_header_check_names_what_is_missing(data_dir):
    check = checks.all_of(checks.ZIP_WITH_CSV, checks.header_contains("Codice comune", "Totale femmine"))
    save_posas(check=None)  # a plain save for comparison
    before = snapshot(data_dir)
    with pytest.raises(DownloadNonValido, match="'Totale femmine'"):
        store.save_bytes("posas", "x.zip", zipped({"a.csv": STRASA_CSV}), source="a", vintage="v",
                         status="definitivo", years=[2025], check=check)
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("bad", [
    dict(status="finale"), dict(years=[]), dict(years=["duemila"]), dict(filename="../fuori.zip"),
])
def test_invalid_arguments_are_refused_with_the_valid_values(data_dir, bad):
    with pytest.raises(DiagnosisError):
        store.save_bytes(**{"dataset": "posas", "filename": "f.zip", "data": POSAS_ZIP, "source": "s",
                            "vintage": "v", "status": "definitivo", "years": [2025], **bad})
    assert snapshot(data_dir) == {}


def test_preferred_file_is_final_then_latest(data_dir):
    save_posas(status="stima", filename="POSAS_2025_stima.zip")
    save_posas(status="definitivo")
    assert store.find("posas", 2025)["filename"] == "POSAS_2025_it_Comuni.zip"
    assert store.find("posas", 2024) is None


def test_verify_reports_changed_and_missing_files(data_dir):
    save_posas()
    save_posas(filename="copia.zip")
    (data_dir / "raw" / "posas" / "copia.zip").write_bytes(b"PK\x03\x04 alterato")
    (data_dir / "raw" / "posas" / "POSAS_2025_it_Comuni.zip").unlink()
    problems = {p["filename"]: p["problem"] for p in store.verify()}
    assert problems["copia.zip"].startswith("file modificato")
    assert problems["POSAS_2025_it_Comuni.zip"].startswith("file mancante")


def test_a_file_another_process_records_is_seen_at_the_next_read(data_dir):
    save_posas()
    before = store.state()
    assert [entry["dataset"] for entry in store.entries("posas")] == ["posas"] and store.entries("strasa") == []
    manifest = json.loads(store.manifest_path().read_text(encoding="utf-8"))
    manifest["file"].append({**manifest["file"][0], "dataset": "strasa", "filename": "altro.zip"})
    store.manifest_path().write_text(json.dumps(manifest), encoding="utf-8")  # as another process's import
    assert store.state() != before
    assert [entry["filename"] for entry in store.entries("strasa")] == ["altro.zip"]
    assert [entry["dataset"] for entry in store.entries()] == ["posas", "strasa"]
    store.entries("strasa")[0]["filename"] = "cambiato"
    assert store.entries("strasa")[0]["filename"] == "altro.zip"  # each reader changes its own copy


def test_damaged_manifest_is_reported_with_the_fix(data_dir):
    save_posas()
    store.manifest_path().write_text("{non json", encoding="utf-8")
    with pytest.raises(DiagnosisError, match="diagnosis dati aggiungi"):
        store.entries()


# --- download ------------------------------------------------------------------------------

@responses.activate
def test_download_lands_with_url_and_publication_date(data_dir):
    responses.get(POSAS_URL, body=POSAS_ZIP, headers={"Last-Modified": "Fri, 30 Jan 2026 10:00:00 GMT"})
    entry = store.download(
        "posas", POSAS_URL, "POSAS_2025_it_Comuni.zip",
        checks.all_of(checks.ZIP_WITH_CSV, recognise.recognised_as("posas", 2025)),
        status="definitivo", years=[2025],
    )
    assert entry["source"] == POSAS_URL
    assert entry["vintage"] == "pubblicato il 2026-01-30"
    assert entry["sha256"] == hashlib.sha256(POSAS_ZIP).hexdigest()
    assert (data_dir / "raw" / "posas" / "POSAS_2025_it_Comuni.zip").read_bytes() == POSAS_ZIP
    assert not (data_dir / "cache" / "http_cache.sqlite").exists() or len(http.get_session().cache.responses) == 0


@responses.activate
def test_download_of_html_with_200_leaves_store_untouched(data_dir):
    save_posas()
    before = snapshot(data_dir)
    responses.get(POSAS_URL, body=HTML_PAGE, content_type="text/html")
    with pytest.raises(DownloadNonValido, match="pagina HTML"):
        store.download("posas", POSAS_URL, "POSAS_2025_it_Comuni.zip", checks.ZIP_WITH_CSV,
                       status="definitivo", years=[2025])
    assert snapshot(data_dir) == before


@responses.activate
def test_download_of_the_wrong_year_is_refused(data_dir):
    responses.get(POSAS_URL, body=POSAS_ZIP)
    with pytest.raises(DownloadNonValido, match="posas 2025, non posas 2026"):
        store.download("posas", POSAS_URL, "POSAS_2026_it_Comuni.zip", recognise.recognised_as("posas", 2026),
                       status="stima", years=[2026])
    assert snapshot(data_dir) == {}


@responses.activate
def test_download_not_published_yet_is_refused(data_dir):
    responses.get(POSAS_URL, status=404)
    with pytest.raises(DownloadNonValido, match="HTTP 404"):
        store.download("posas", POSAS_URL, "POSAS_2025_it_Comuni.zip", checks.ZIP_WITH_CSV,
                       status="definitivo", years=[2025])
    assert not (data_dir / "raw").exists()


@responses.activate
def test_download_cut_short_of_its_content_length_is_refused(data_dir):
    responses.get(POSAS_URL, body=POSAS_ZIP[:100], headers={"Content-Length": str(len(POSAS_ZIP))},
                  auto_calculate_content_length=False)
    with pytest.raises(DownloadNonValido, match="incompleto"):
        store.download("posas", POSAS_URL, "POSAS_2025_it_Comuni.zip", None, status="definitivo", years=[2025])
    assert not (data_dir / "raw").exists()


@responses.activate
def test_download_offline_raises_and_leaves_store_untouched(data_dir, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_OFFLINE", "1")
    responses.get(POSAS_URL, body=POSAS_ZIP)
    with pytest.raises(RisorsaOffline, match="POSAS_2025_it_Comuni.zip"):
        store.download("posas", POSAS_URL, "POSAS_2025_it_Comuni.zip", checks.ZIP_WITH_CSV,
                       status="definitivo", years=[2025])
    assert len(responses.calls) == 0 and snapshot(data_dir) == {}


# --- recognisers ---------------------------------------------------------------------------

@pytest.mark.parametrize("data, dataset, year, status", [
    (POSAS_CSV, "posas", 2025, "definitivo"),
    (POSAS_STIMA_CSV, "posas", 2026, "stima"),
    (STRASA_CSV, "strasa", 2025, "definitivo"),
    (P2_CSV, "p2", 2025, "provvisorio"),
    (P2_FINAL_CSV, "p2", 2023, "definitivo"),
    (P3_CSV, "p3", 2025, "provvisorio"),
])
def test_demo_files_are_recognised_from_content(data, dataset, year, status):
    found = recognise.recognise(data, name="scaricato (3).csv")
    assert (found.dataset, found.years, found.status, found.container) == (dataset, (year,), status, "csv")
    assert found.year == year
    assert found.suggested_name == f"{recognisers.DEMO_LAYOUTS[dataset].prefix}_{year}_it_Comuni.csv"


def test_zip_is_recognised_whatever_its_member_name():
    data = zipped({"__MACOSX/._x.csv": b"\x00\x05", "cartella/esportazione.csv": P3_CSV})
    found = recognise.recognise(data, name="download.zip")
    assert (found.dataset, found.year, found.container, found.member) == ("p3", 2025, "zip", "cartella/esportazione.csv")
    assert found.suggested_name == "P3_2025_it_Comuni.zip"


def test_recognise_reads_a_path(tmp_path):
    path = tmp_path / "qualcosa.zip"
    path.write_bytes(POSAS_ZIP)
    assert recognise.recognise(path).dataset == "posas"


def test_unknown_file_is_refused_listing_what_is_accepted():
    with pytest.raises(FileNonRiconosciuto) as raised:
        recognise.recognise(MEF_LIKE_CSV, name="redditi.csv")
    message = str(raised.value)
    assert "'redditi.csv' non è tra i file riconosciuti" in message
    for dataset in ("posas", "strasa", "p2", "p3"):
        assert f"- {dataset}: " in message


@pytest.mark.parametrize("data, expected", [
    (HTML_PAGE, "pagina HTML"),
    (POSAS_ZIP[:60], "danneggiato o incompleto"),
    (zipped({"leggimi.pdf": b"%PDF-1.4"}), "senza file CSV.*leggimi.pdf"),
    (demo_csv(POSAS_TITLE, '"Codice comune";"Comune";"Età";"Totale"', POSAS_ROWS), "mancano le colonne 'Totale maschi'"),
])
def test_broken_files_are_refused_with_the_cause(data, expected):
    with pytest.raises(FileNonRiconosciuto, match=expected):
        recognise.recognise(data)


def test_adding_a_recogniser_is_one_function_and_one_entry(monkeypatch, tmp_path):
    def mef_like(sample):
        if not sample.head.startswith(b"Anno di imposta;"):
            return None
        return Recognised("mef_irpef", (int(sample.lines[1][0]),), "definitivo", sample.container)

    monkeypatch.setattr(recognisers, "mef_like", mef_like, raising=False)
    registry = tmp_path / "recognisers.yaml"
    registry.write_text(
        recognise.REGISTRY_FILE.read_text(encoding="utf-8")
        + '- dataset: mef_irpef\n  recogniser: mef_like\n  description: "Redditi IRPEF su base comunale (MEF)"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(recognise, "REGISTRY_FILE", registry)
    recognise.registry.cache_clear()
    try:
        assert recognise.recognise(MEF_LIKE_CSV).years == (2023,)
        assert "mef_irpef: Redditi IRPEF" in "\n".join(recognise.accepted())
    finally:
        recognise.registry.cache_clear()


def test_every_recogniser_is_listed_once_and_every_entry_has_its_function():
    listed = [entry.function.__name__ for entry in recognise.registry()]
    defined = [
        name for name, value in vars(recognisers).items()
        if callable(value) and getattr(value, "__module__", None) == recognisers.__name__
        and not name.startswith("_") and value.__annotations__.get("return") == "Recognised | None"
        and name != "recognise_demo"
    ]
    assert sorted(listed) == sorted(defined)
    assert len(set(listed)) == len(listed)
    assert all(entry.description for entry in recognise.registry())


@pytest.mark.real_data
@pytest.mark.parametrize("name, dataset", [("P2_2025_it_Comuni.csv", "p2"), ("P3_2025_it_Comuni.csv", "p3")])
def test_real_balance_files_are_recognised(real_data, name, dataset):
    found = recognise.recognise(real_data / "demo_istat" / name)
    assert (found.dataset, found.years, found.status) == (dataset, (2025,), "provvisorio")


# --- hand-added files ------------------------------------------------------------------------

def test_add_file_stores_under_the_publisher_name(data_dir, tmp_path):
    lines = ['"Popolazione residente per età e sesso al 1° gennaio 2026 (stima)"', STIMA_HEADER, *STIMA_ROWS,
             '"Nota: dati di prova scritti a mano."', ""]
    original = tmp_path / "download (3).zip"
    original.write_bytes(zipped({"x.csv": demo_bytes(posas_for_every_comune(lines))}))
    entry = importing.add_file(original)
    assert (entry["dataset"], entry["filename"], entry["status"], entry["years"]) == (
        "posas", "POSAS_2026_it_Comuni.zip", "stima", [2026])
    assert entry["source"] == "download (3).zip"
    assert entry["vintage"].startswith("importato a mano il ")
    assert original.exists()


def test_add_file_refuses_what_it_cannot_recognise(data_dir, tmp_path):
    save_posas()
    before = snapshot(data_dir)
    original = tmp_path / "redditi.csv"
    original.write_bytes(MEF_LIKE_CSV)
    with pytest.raises(FileNonRiconosciuto, match="Sono accettati"):
        importing.add_file(original)
    assert snapshot(data_dir) == before


# --- status ----------------------------------------------------------------------------------

def test_status_lists_present_and_missing_by_dataset_and_year(data_dir):
    save_posas(status="stima", filename="POSAS_2025_stima.zip")
    save_posas()
    store.save_bytes("p2", "P2_2025_it_Comuni.csv", P2_CSV, source="P2_2025_it_Comuni.csv",
                     vintage="v", status="provvisorio", years=[2025])

    table = store_status(expected={"posas": [2024, 2025], "p2": [2025]})

    assert list(table.columns) == [
        "dataset", "anno", "stato", "vintage", "file", "fonte", "scaricato_il", "byte", "sha256", "in_uso", "uso",
        "non_usato", "nota", "territorio"]
    summary = table[["dataset", "anno", "stato", "file", "in_uso"]]
    expected = pd.DataFrame({
        "dataset": ["p2", "posas", "posas", "posas"],
        "anno": [2025, 2024, 2025, 2025],
        "stato": ["provvisorio", "assente", "definitivo", "stima"],
        "file": ["p2/P2_2025_it_Comuni.csv", None, "posas/POSAS_2025_it_Comuni.zip", "posas/POSAS_2025_stima.zip"],
        "in_uso": [True, False, True, False],
    })
    pd.testing.assert_frame_equal(summary, expected, check_dtype=False)
    assert "diagnosis dati aggiungi" in table.loc[1, "nota"]
    uses = table.set_index(table["file"].fillna(""))
    assert uses.loc["p2/P2_2025_it_Comuni.csv", "uso"].startswith("bilancio 2025: 1 comune")
    assert uses.loc["posas/POSAS_2025_it_Comuni.zip", "uso"] == (
        "popolazione 2025: 1 comune; popolazione_eta 2025: 1 comune")
    assert uses.loc["posas/POSAS_2025_stima.zip", "non_usato"] == (
        "popolazione 2025: superato da archivio locale posas/POSAS_2025_it_Comuni.zip (definitivo); "
        "popolazione_eta 2025: superato da archivio locale posas/POSAS_2025_it_Comuni.zip (definitivo)")


def test_status_of_an_empty_store_is_an_empty_table(data_dir):
    table = store_status()
    assert table.empty and "in_uso" in table.columns


def test_status_with_verify_flags_a_changed_file(data_dir):
    save_posas()
    (data_dir / "raw" / "posas" / "POSAS_2025_it_Comuni.zip").write_bytes(b"alterato")
    row = store_status(verify=True).iloc[0]
    assert row["nota"].startswith("file modificato") and not row["in_uso"]


def test_a_held_state_looks_at_the_manifest_once_and_sees_a_new_file_after(data_dir):
    save_posas()
    before = store.state()
    with store.held_state():
        other = zipped({"POSAS_2025_it_Comuni.csv": POSAS_CSV.replace(b";22\r\n", b";23\r\n")})
        # Only a reader holds the state; a file landing meanwhile stays unseen until it ends.
        entry = save_posas(other, filename="POSAS_2025_bis.zip", status="provvisorio")
        with store.held_state():
            assert store.state() == before
        assert [e["path"] for e in store.entries()] == ["posas/POSAS_2025_it_Comuni.zip"]
    assert store.state() != before
    assert entry in store.entries()


def test_a_held_state_of_an_empty_store_lists_no_file(data_dir):
    with store.held_state():
        assert store.entries() == []
        assert store.state()[1:] == (0, 0)
