"""A file enters the store only when the reader that will use it reads it whole and it is whole.

One test per way a file has poisoned the store: a zipped SDMX answer, a balance re-saved in
cp1252 or pieced together from two encodings, a file cut mid-line or at a line end, a deleted
column, a repeated comune row, a file that an older version stored and that does not read.
Fixtures are written here in the publishers' formats (SOURCES.md §8): demo.istat.it with BOM,
CRLF, ``;``, quoted title and note; SDMX-CSV with ``,`` and LF; MEF with ``;`` and CRLF. The
``real_data`` tests build their variants from the real bytes in ``tmp_path``.
"""

import io
import zipfile
from datetime import date

import pytest

from diagnosis import store
from diagnosis.cli import main
from diagnosis.errors import FileIncompleto, RispostaTroncata
from diagnosis.sources.demo_istat import parse_p2
from diagnosis.intake import completeness, importing
from diagnosis.tables import measures
from national_files import (
    balance_for_every_comune,
    demo_bytes,
    every_comune,
    mef_for_every_comune,
)

SEXES = ("Maschi", "Femmine", "Totale")
BALANCE_LABELS = ("Popolazione censita al 1° gennaio", "Nati vivi", "Morti", "Popolazione al 31 dicembre")
P2_HEADER = ";".join(['"Codice comune"', '"Comune"', *(f'"{label} - {sex}"' for sex in SEXES
                                                        for label in BALANCE_LABELS), '"Informazioni"'])
P2_LINES = [
    '"Bilancio demografico e popolazione residente al 31 dicembre 2025"',
    P2_HEADER,
    '"015175";"Pioltello";18300;150;120;18330;18884;140;160;18864;37184;290;280;37194;"p"',
    '"036040";"Sassuolo";20400;160;200;20360;20716;150;220;20646;41116;310;420;41006;"p"',
    '"Note: p = dato provvisorio. Il dato della popolazione censita al 1°gennaio è definitivo."',
    "",
]
SDMX_HEADER = ("DATAFLOW,FREQ,REF_AREA,DATA_TYPE,SEX,AGE,MARITAL_STATUS,TIME_PERIOD,OBS_VALUE,OBS_STATUS,"
               "NOTE_DS,NOTE_REF_AREA\n")
SDMX_ROW = "IT1:22_289(1.0),A,{code},JAN,9,TOTAL,99,{year}-01-01,{value}.0,,,\n"


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _contents(folder):
    """Every file of the store with its bytes: 'untouched' means this does not change."""
    root = folder / "raw"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()} \
        if root.exists() else {}


def _whole_p2() -> bytes:
    return demo_bytes(balance_for_every_comune(P2_LINES))


def _refused(argv, capsys) -> str:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "rifiutato" in captured.out and "l'archivio è invariato" in captured.out
    return captured.out


def _sdmx_answer(codes, years=(2022, 2023), value: int = 1000) -> bytes:
    rows = [SDMX_ROW.format(code="IT", year=year, value=value * len(codes)) for year in years]
    rows += [SDMX_ROW.format(code=code, year=year, value=value + i) for year in years for i, code in enumerate(codes)]
    return (SDMX_HEADER + "".join(rows)).encode("utf-8")


def _zipped(member: str, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, payload)
    return buffer.getvalue()


# --- the SDMX answer zipped: stored as a ZIP, read back as its CSV ------------------------------------


def test_zipped_sdmx_answer_is_stored_as_a_zip_and_read_back(empty_store, tmp_path):
    codes = [code for code, _ in every_comune()]
    path = tmp_path / "22_289.zip"
    path.write_bytes(_zipped("22_289_popres1.csv", _sdmx_answer(codes)))
    entry = importing.add_file(path)
    assert entry["path"] == "popolazione_sdmx/importato_22_289_2022-2023.zip"
    assert (empty_store / "raw" / entry["path"]).read_bytes()[:2] == b"PK"
    pioltello = measures.resolve("popolazione", 2023).sum_for(["015175"])
    assert pioltello.get("T") == 1000 + codes.index("015175")
    assert [e.file for e in pioltello.edizioni] == [entry["path"]]


def test_partial_sdmx_answer_is_kept_beside_the_whole_one_never_in_its_place(empty_store, tmp_path):
    codes = [code for code, _ in every_comune()]
    whole, partial = tmp_path / "tutti.csv", tmp_path / "sassuolo.zip"
    whole.write_bytes(_sdmx_answer(codes))
    partial.write_bytes(_zipped("sassuolo.csv", _sdmx_answer(["036040", "036013"], value=5)))
    first, second = importing.add_file(whole), importing.add_file(partial)
    assert first["filename"] == "importato_22_289_2022-2023.csv"
    assert second["filename"].startswith("importato_22_289_2022-2023_2-comuni-") and second["filename"].endswith(".zip")
    assert second["comuni"] == ["036013", "036040"]
    importing.add_file(whole)  # imported again after the partial one: both stay
    assert sorted(e["filename"] for e in store.entries("popolazione_sdmx")) == sorted(
        [first["filename"], second["filename"]])
    resolved = measures.resolve("popolazione", 2023)
    assert resolved.sum_for(["015175"]).get("T") == 1000 + codes.index("015175")  # the whole answer for the rest
    assert not resolved.sum_for(codes).mancanti


# --- encodings ----------------------------------------------------------------------------------------


def test_balance_saved_in_cp1252_is_refused_and_the_store_untouched(empty_store, tmp_path, capsys):
    importing.add_file(_write(tmp_path / "buono.csv", _whole_p2()))
    before = _contents(empty_store)
    resaved = _whole_p2().decode("utf-8-sig").encode("cp1252", errors="replace")
    out = _refused(["dati", "aggiungi", str(_write(tmp_path / "excel.csv", resaved))], capsys)
    assert "non è in UTF-8" in out and "Windows-1252" in out and "così come scaricato" in out
    assert _contents(empty_store) == before


def test_balance_pieced_from_two_encodings_is_refused(empty_store, tmp_path, capsys):
    text = _whole_p2()
    mixed = text.replace('"Pioltello"'.encode(), '"Pioltello è"'.encode("cp1252"))
    out = _refused(["dati", "aggiungi", str(_write(tmp_path / "unito.csv", mixed))], capsys)
    assert "non è in UTF-8" in out and "alla riga 3" in out
    assert _contents(empty_store) == {}


# --- files cut short ----------------------------------------------------------------------------------


def test_balance_cut_mid_line_is_refused(empty_store, tmp_path, capsys):
    data = _whole_p2()
    mid_row = data.index(b"\r\n", len(data) // 2) - 5
    out = _refused(["dati", "aggiungi", str(_write(tmp_path / "tagliato.csv", data[:mid_row]))], capsys)
    assert "finisce a metà di una riga" in out and "troncato" in out
    assert _contents(empty_store) == {}


def test_balance_cut_at_a_line_end_is_refused_for_the_comuni_it_lacks(empty_store, tmp_path, capsys):
    data = _whole_p2()
    half = data[: data.index(b"\r\n", len(data) // 2) + 2]
    out = _refused(["dati", "aggiungi", str(_write(tmp_path / "meta.csv", half))], capsys)
    assert "Il file P2 2025 elenca" in out and "è incompleto" in out
    assert "diagnosis dati scarica --fonte p2 --anni 2025" in out
    assert _contents(empty_store) == {}


def test_mef_cut_short_is_refused_and_the_whole_file_stays_in_use(empty_store, tmp_path, fixtures, capsys):
    whole = mef_for_every_comune((fixtures / "mef" / "irpef_comunale_2023_utf8.csv").read_bytes())
    entry = importing.add_file(_write(tmp_path / "mef.csv", whole))
    before = _contents(empty_store)
    cut_mid_line = whole[: len(whole) * 2 // 3]
    at_line_end = cut_mid_line[: cut_mid_line.rindex(b"\r\n") + 2]
    for name, data in (("mef_tagliato.csv", cut_mid_line), ("mef_a_fine_riga.csv", at_line_end)):
        _refused(["dati", "aggiungi", str(_write(tmp_path / name, data))], capsys)
    assert _contents(empty_store) == before
    redditi = measures.resolve("redditi", 2023).sum_for(["015175"])
    assert [e.file for e in redditi.edizioni] == [entry["path"]] and redditi.get("contribuenti") == 26100


def test_a_table_cut_short_names_its_cause_in_the_reader_itself():
    data = _whole_p2()
    with pytest.raises(RispostaTroncata, match="finisce a metà di una riga"):
        parse_p2(data[:-200])


# --- columns and rows -----------------------------------------------------------------------------------


def test_balance_missing_a_column_is_refused_naming_it(empty_store, tmp_path, capsys):
    dropped = P2_HEADER.split(";").index('"Morti - Totale"')
    lines = [";".join(cell for i, cell in enumerate(line.split(";")) if i != dropped) if line.count(";") > 3 else line
             for line in balance_for_every_comune(P2_LINES)]
    out = _refused(["dati", "aggiungi", str(_write(tmp_path / "senza_colonna.csv", demo_bytes(lines)))], capsys)
    assert "manca la colonna 'Morti - Totale'" in out and "presente invece per gli altri sessi" in out
    assert _contents(empty_store) == {}


def test_balance_with_a_repeated_comune_row_is_refused(empty_store, tmp_path, capsys):
    lines = balance_for_every_comune(P2_LINES)
    repeated = lines[:3] + [lines[2]] + lines[3:]
    out = _refused(["dati", "aggiungi", str(_write(tmp_path / "doppio.csv", demo_bytes(repeated)))], capsys)
    assert "il comune Pioltello (015175) compare più di una volta" in out
    assert _contents(empty_store) == {}


def test_balance_listing_more_comuni_than_existed_is_refused():
    lines = balance_for_every_comune(P2_LINES)
    invented = [f'"{999000 + i}";"Inventato {i}";' + ";".join(["1"] * 12) + ';""' for i in range(200)]
    with pytest.raises(FileIncompleto, match="più di quanti ne esistessero"):
        completeness.check("p2", parse_p2(demo_bytes(lines[:-2] + invented + lines[-2:])), (2025,))


# --- a file stored by an older version ------------------------------------------------------------------


def test_stored_file_that_does_not_read_names_the_command_that_removes_it(empty_store, capsys):
    resaved = _whole_p2().decode("utf-8-sig").encode("cp1252", errors="replace")
    store.save_bytes("p2", "P2_2025_it_Comuni.csv", resaved, source="P2_2025_it_Comuni.csv", vintage="v",
                     status="provvisorio", years=[2025])  # as an older version, which did not read it, stored it
    assert main(["indicatori", "Pioltello"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "Il file dell'archivio p2/P2_2025_it_Comuni.csv non si legge" in captured.err
    assert "diagnosis dati rimuovi p2/P2_2025_it_Comuni.csv" in captured.err


# --- the number of comuni expected ------------------------------------------------------------------------


def test_the_expected_comuni_come_from_the_table_of_their_date_with_its_tolerance():
    assert completeness.comuni_on_first_january(2025) == 7896
    assert completeness.comuni_on_first_january(1995) == completeness.comuni_on_first_january(2001)
    assert completeness.comuni_on_first_january(2040) == completeness.comuni_on_first_january(2026)
    fewest, most = completeness.expected_range(date(2018, 12, 31))  # 7,926 and 7,960 around it, ±1%
    assert (fewest, most) == (int(7926 * 0.99), int(7960 * 1.01) + 1)


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


# --- the real files ------------------------------------------------------------------------------------------

REAL_P2 = "demo_istat/P2_2025_it_Comuni.csv"
REAL_MEF_2023 = "mef_irpef/Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_2023.csv"
REAL_22_289 = "istat_sdmx/22_289_popres1_jan_2022_2023_all_territories.sdmx.csv"


@pytest.mark.real_data
def test_real_22_289_zipped_is_stored_as_a_zip_and_gives_the_final_2023_population(empty_store, tmp_path, real_data):
    path = _write(tmp_path / "22_289.zip", _zipped("22_289.csv", (real_data / REAL_22_289).read_bytes()))
    entry = importing.add_file(path)
    assert entry["filename"] == "importato_22_289_2022-2023.zip"
    pioltello = measures.resolve("popolazione", 2023).sum_for(["015175"])
    assert pioltello.get("T") == 36271 and pioltello.edizioni[0].file == entry["path"]


@pytest.mark.real_data
def test_real_balance_re_encoded_to_cp1252_is_refused(empty_store, tmp_path, real_data, capsys):
    resaved = (real_data / REAL_P2).read_bytes().decode("utf-8-sig").encode("cp1252", errors="replace")
    out = _refused(["dati", "aggiungi", str(_write(tmp_path / "P2_excel.csv", resaved))], capsys)
    assert "non è in UTF-8" in out
    assert _contents(empty_store) == {}


def _cut_mid_file(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _without_total_deaths(data: bytes) -> bytes:
    lines = data.decode("utf-8-sig").split("\n")
    dropped = lines[1].split(";").index('"Morti - Totale"')
    kept = [";".join(c for i, c in enumerate(line.split(";")) if i != dropped) if line.count(";") > 3 else line
            for line in lines]
    return ("\ufeff" + "\n".join(kept)).encode("utf-8")


def _with_a_repeated_row(data: bytes) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join(lines[:3] + [lines[2]] + lines[3:])


@pytest.mark.real_data
@pytest.mark.parametrize("variant, cause", [
    (_cut_mid_file, "finisce a metà di una riga"),
    (_without_total_deaths, "manca la colonna 'Morti - Totale'"),
    (_with_a_repeated_row, "il comune Abano Terme (028001) compare più di una volta"),
])
def test_real_balance_cut_without_a_column_or_with_a_repeated_row_is_refused(
        empty_store, tmp_path, real_data, capsys, variant, cause):
    out = _refused(["dati", "aggiungi", str(_write(tmp_path / "P2.csv", variant((real_data / REAL_P2).read_bytes())))],
                   capsys)
    assert cause in out
    assert _contents(empty_store) == {}


@pytest.mark.real_data
def test_real_mef_2023_cut_at_1_5_mb_never_replaces_the_whole_file(empty_store, tmp_path, real_data, capsys):
    from diagnosis.indicators import compute_indicators
    from diagnosis.territory import resolve_territory

    whole = (real_data / REAL_MEF_2023).read_bytes()
    importing.add_file(_write(tmp_path / "Redditi_2023.csv", whole))
    before = _contents(empty_store)
    cut = whole[:1_500_000]
    at_line_end = cut[: cut.rindex(b"\r\n") + 2]
    out = _refused(["dati", "aggiungi", str(_write(tmp_path / "Redditi_tagliato.csv", cut)),
                    str(_write(tmp_path / "Redditi_a_fine_riga.csv", at_line_end))], capsys)
    assert "Il file MEF finisce a metà di una riga" in out
    assert "Il file MEF IRPEF 2023 elenca 5.142 comuni" in out
    assert _contents(empty_store) == before
    district = compute_indicators(resolve_territory("citta-distretto-sassuolo"), 2023)["indicatori"]
    assert district["contribuenti"]["valore"] == 118850


@pytest.mark.real_data
@pytest.mark.slow
def test_every_real_national_file_lists_the_number_of_comuni_of_its_date(real_data):
    from diagnosis.sources import stored

    files = [(f"mef_irpef/Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_{year}.csv", "mef_irpef", (year,))
             for year in range(2000, 2024)]
    files += [(REAL_P2, "p2", (2025,)), ("demo_istat/P3_2025_it_Comuni.csv", "p3", (2025,)),
              (REAL_22_289, "popolazione_sdmx", (2022, 2023)),
              ("istat_sdmx/29_316_popstrbil1_FJAN_2020_2025.sdmx.csv", "stranieri_sdmx", tuple(range(2020, 2026)))]
    for name, dataset, years in files:
        table = stored.parse(dataset, (real_data / name).read_bytes(), name)
        coverage = completeness.check(dataset, table, years)
        assert coverage.completo, (name, coverage.comuni_per_anno)
        # MEF lists the comuni of the 1 January after the tax year: each file within 0.3% of ISTAT's number
        for year, count in coverage.comuni_per_anno.items():
            reference = completeness.comuni_on_first_january(year + 1 if dataset == "mef_irpef" else year)
            assert abs(count / reference - 1) < 0.003, (name, year, count)

