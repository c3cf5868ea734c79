"""Accommodation capacity per comune (ISTAT SDMX 122_54_DF_DCSC_TUR_1): download in keys of
comuni, the tidy table, beds per 1,000 residents, and what is missing staying missing."""

import re
from urllib.parse import unquote

import pytest
import responses

from diagnosis import store
from diagnosis.cli import main
from diagnosis.errors import DatiNonDisponibili
from diagnosis.intake.recognise import recognise
from diagnosis.intake.usage import usage
from diagnosis.sources import istat_sdmx
from diagnosis.tables import population, tourism

FLOW = "IT1:122_54_DF_DCSC_TUR_1(1.0)"
HEADER = ("DATAFLOW,FREQ,REF_AREA,DATA_TYPE,ADJUSTMENT,TYPE_ACCOMMODATION,ECON_ACTIVITY_NACE_2007,"
          "COUNTRY_RES_GUESTS,LOCALITY_TYPE,URBANIZ_DEGREE,COASTAL_AREA,SIZE_BY_NUMBER_ROOMS,TIME_PERIOD,"
          "OBS_VALUE,OBS_STATUS,NOTE_DS,BASE_PER,UNIT_MEAS,UNIT_MULT\n")
# Hand-chosen capacity of Sassuolo in 2023: 12 establishments, 600 beds; hotels 5 / 450, other 7 / 150.
SASSUOLO = {("ALL", "551_553"): (12, 600), ("HOTELLIKE", "551"): (5, 450), ("OTHER", "552_553"): (7, 150)}


def row(code, data_type, kind, activity, value, year=2023, locality="ALL"):
    return (f"{FLOW},A,{code},{data_type},N,{kind},{activity},NAP,{locality},ALL,ALL,TOT,{year},{value},,,,,")


def capacity_lines(code: str) -> list[str]:
    if code == "036040":
        figures = SASSUOLO
    elif code == "036013":  # Fiorano: the hotel beds are blank (confidential), not zero
        figures = {("ALL", "551_553"): (4, 80), ("HOTELLIKE", "551"): (1, ""), ("OTHER", "552_553"): (3, "")}
    else:
        figures = {("ALL", "551_553"): (2, 20)}
    lines = []
    for (kind, activity), (establishments, beds) in figures.items():
        lines += [row(code, "NUM_EST", kind, activity, establishments), row(code, "BEDS", kind, activity, beds)]
    # a breakdown by type of locality: must not be added to the totals
    lines.append(row(code, "BEDS", "ALL", "551_553", 9999, locality="COAST"))
    return lines


def body(codes) -> str:
    lines = [line for code in codes for line in capacity_lines(code)]
    lines.append(row("ITH54", "BEDS", "ALL", "551_553", 5000))  # a province code: not a comune
    return HEADER + "\n".join(lines) + "\n"


def structure() -> str:
    dims = istat_sdmx.flow_facts("122_54")["dimensions"]
    listed = "".join(f'<structure:Dimension id="{d}" position="{i}"/>' for i, d in enumerate(dims, start=1))
    return (
        '<?xml version="1.0" encoding="utf-8"?><message:Structure '
        'xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
        'xmlns:structure="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"><message:Structures>'
        '<structure:DataStructures><structure:DataStructure id="DCSC_TUR" agencyID="IT1" version="1.0">'
        f'<structure:DataStructureComponents><structure:DimensionList>{listed}'
        f'<structure:TimeDimension id="TIME_PERIOD" position="{len(dims) + 1}"/></structure:DimensionList>'
        "</structure:DataStructureComponents></structure:DataStructure></structure:DataStructures>"
        "</message:Structures></message:Structure>"
    )


def codes_in(url: str) -> list[str]:
    key = unquote(url.split("/data/", 1)[1].split("?")[0]).split("/", 1)[1]
    return key.split(".")[1].split("+")


def serve() -> list[str]:
    asked = []

    def answer(request):
        asked.append(unquote(request.url))
        return 200, {"Content-Type": "application/vnd.sdmx.data+csv"}, body(codes_in(request.url))

    pattern = re.compile(re.escape(istat_sdmx.data_url("122_54_DF_DCSC_TUR_1", "")) + ".*")
    responses.add_callback(responses.GET, pattern, callback=answer)
    responses.get(istat_sdmx.structure_url("122_54"), body=structure())
    return asked


@responses.activate
def test_one_key_per_territory_with_every_dimension_fixed(online_store):
    asked = serve()
    assert main(["dati", "scarica", "--fonte", "capacita_ricettiva", "--territorio", "citta-distretto-sassuolo",
                 "--anni", "2023", "--senza-confronti"]) == 0
    [url] = asked
    key = url.split("/data/", 1)[1].split("/", 1)[1].split("?")[0]
    parts = key.split(".")
    assert len(parts) == 11 and parts[0] == "A" and parts[2] == "NUM_EST+BEDS" and parts[-1] == "TOT"
    assert parts[4:6] == ["ALL+HOTELLIKE+OTHER", "551_553+551+552_553"]
    assert "036040" in parts[1].split("+") and len(parts[1].split("+")) <= 35
    [entry] = store.entries("capacita_ricettiva")
    assert entry["years"] == [2023]
    use = usage(store.entries())[("capacita_ricettiva", entry["filename"])]
    assert "capacità ricettiva 2023" in use.what_it_feeds(2023)


@responses.activate
def test_totals_keep_kinds_apart_and_leave_out_other_breakdowns(online_store):
    serve()
    assert main(["dati", "scarica", "--fonte", "capacita_ricettiva", "--territorio", "Sassuolo", "--anni", "2023",
                 "--senza-confronti"]) == 0
    found = tourism.totals(["036040"], 2023)
    assert found.per_tipo == {"totale": (12, 600), "alberghiero": (5, 450), "extralberghiero": (7, 150)}
    assert found.mancanti == ()


@responses.activate
def test_a_blank_cell_stays_blank_in_a_district(online_store):
    serve()
    assert main(["dati", "scarica", "--fonte", "capacita_ricettiva", "--territorio", "citta-distretto-sassuolo",
                 "--anni", "2023", "--senza-confronti"]) == 0
    found = tourism.totals(["036040", "036013", "036015"], 2023)
    assert found.per_tipo["totale"] == (18, 700)  # 12 + 4 + 2, 600 + 80 + 20
    # Fiorano's hotel beds are blank and Formigine publishes no split: the split is unknown, not zero.
    establishments, beds = found.per_tipo["alberghiero"]
    assert establishments != establishments and beds != beds


@responses.activate
def test_beds_per_thousand_residents_checked_by_hand(online_store):
    import diagnosis as dg

    serve()
    assert main(["dati", "scarica", "--fonte", "capacita_ricettiva", "--territorio", "Sassuolo", "--anni", "2023",
                 "--senza-confronti"]) == 0
    table = dg.turismo("Sassuolo", confronti=False).set_index("variabile")
    residents = population.totals_by_comune(2023, ["036040"])["036040"]
    assert table.loc["residenti", "valore"] == residents
    assert table.loc["posti_letto_per_1000_abitanti", "valore"] == pytest.approx(600 / residents * 1000)
    assert "provincia" in dg.turismo("Sassuolo", confronti=False).attrs["presenze"]


@responses.activate
def test_a_benchmark_lacking_comuni_stays_missing(online_store):
    import diagnosis as dg

    serve()
    assert main(["dati", "scarica", "--fonte", "capacita_ricettiva", "--territorio", "Sassuolo", "--anni", "2023",
                 "--senza-confronti"]) == 0
    table = dg.turismo("Sassuolo")
    modena = table[(table["territorio"] == "provincia:MO") & (table["variabile"] == "posti_letto")]
    assert modena["valore"].isna().all()
    assert "provincia:MO capacità 2023" in table.attrs["comuni_mancanti"]


def test_without_downloads_the_message_names_the_command(tmp_path, monkeypatch):
    import diagnosis as dg

    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "vuoto"))
    with pytest.raises(DatiNonDisponibili, match="--fonte capacita_ricettiva"):
        dg.turismo("Sassuolo")


def test_an_answer_imported_by_hand_is_recognised(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(body(["036040"]), encoding="utf-8")
    found = recognise(path)
    assert (found.dataset, found.years, found.comuni) == ("capacita_ricettiva", (2023,), ("036040",))
