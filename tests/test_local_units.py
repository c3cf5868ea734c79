"""ISTAT ASIA local units per territory: chunked download, the store, groups and indicators."""

import re
from urllib.parse import unquote

import pytest
import responses

from diagnosis import store
from diagnosis.cli import main
from diagnosis.indicators.compute import compute_indicators
from diagnosis.sources import istat_sdmx
from diagnosis.tables import local_units, population
from diagnosis.territory import resolve_territory

HEADER = ("DATAFLOW,FREQ,REF_AREA,DATA_TYPE,ECON_ACTIVITY_NACE_2007,PERS_EMPL_SIZE_CLASS,TIME_PERIOD,"
          "OBS_VALUE,OBS_STATUS,NOTE_DS,BASE_PER,UNIT_MEAS,UNIT_MULT\n")
FLOW = "IT1:183_1163_DF_DICA_ASIAULP_TERRIFDATA_3(1.0)"

# Hand-chosen local units per 3-digit ATECO code for Sassuolo (036040) in 2023; employees
# are twice the units. The total (0010) also counts industry, hence more than the sum.
SASSUOLO_2023 = {"471": 30, "472": 90, "474": 10, "475": 40, "476": 25, "477": 160, "473": 12,
                 "478": 70, "479": 8, "561": 150, "563": 110, "551": 9, "960": 120, "641": 30}
SASSUOLO_TOTAL = 3800


def rows(code: str, year: int, units: dict, total: int, status: str = "") -> list[str]:
    lines = []
    for ateco, value in {**units, "0010": total}.items():
        lines.append(f"{FLOW},A,{code},LU,{ateco},TOTAL,{year},{value},{status},,,,")
        lines.append(f"{FLOW},A,{code},LUEMPDAA,{ateco},TOTAL,{year},{value * 2}.0,{status},,,,")
    # a size-class row: must not be added to the totals
    lines.append(f"{FLOW},A,{code},LU,471,W0_9,{year},999,,,,,")
    return lines


def asia_body(codes, years=(2022, 2023), extra_year=None) -> str:
    lines = []
    for code in codes:
        for year in years + ((extra_year,) if extra_year else ()):
            if code == "036040" and year == 2023:
                lines += rows(code, year, SASSUOLO_2023, SASSUOLO_TOTAL)
            else:
                scale = 1 + int(code[-2:]) % 5
                lines += rows(code, year, {"471": 3 * scale, "472": 5 * scale, "561": 4 * scale}, 100 * scale)
    return HEADER + "\n".join(lines) + "\n"


def codes_in(url: str) -> list[str]:
    key = unquote(url.split("/data/", 1)[1].split("?")[0]).split("/", 1)[1]
    return key.split(".")[1].split("+")



def serve_asia(extra_year=None):
    asked = []

    def answer(request):
        codes = codes_in(request.url)
        asked.append(codes)
        return 200, {"Content-Type": "application/vnd.sdmx.data+csv"}, asia_body(codes, extra_year=extra_year)

    pattern = re.compile(re.escape(istat_sdmx.data_url("183_1163_DF_DICA_ASIAULP_TERRIFDATA_3", "")) + ".*")
    responses.add_callback(responses.GET, pattern, callback=answer)
    if not any(isinstance(r.url, str) and r.url.startswith(istat_sdmx.structure_url("183_1163").split("?")[0])
               for r in responses.registered()):
        responses.get(istat_sdmx.structure_url("183_1163"), body=asia_structure())
    return asked


@responses.activate
def test_territory_province_and_peers_go_out_in_keys_of_at_most_35(online_store, capsys):
    asked = serve_asia(extra_year=2024)
    assert main(["dati", "scarica", "--fonte", "asia_ul", "--territorio", "Sassuolo", "--anni", "2022-2023"]) == 0
    modena = resolve_territory("provincia:MO")
    sent = [code for chunk in asked for code in chunk]
    assert all(len(chunk) <= 35 for chunk in asked) and len(asked) >= 2
    assert set(modena.comuni) <= set(sent) and len(sent) == len(set(sent))
    [entry] = store.entries("asia_ul")
    assert entry["territorio"] == "036040" and entry["years"] == [2022, 2023]  # 2024 (+1-year bug) dropped
    assert set(entry["comuni"]) == set(sent)
    out = capsys.readouterr().out
    assert "asia_ul Sassuolo" in out


@responses.activate
def test_groups_and_indicators_from_the_stored_units(online_store):
    serve_asia()
    assert main(["dati", "scarica", "--fonte", "asia_ul", "--territorio", "Sassuolo", "--anni", "2022-2023"]) == 0
    totals = local_units.totals(["036040"], 2023)
    assert totals.anno == 2023 and totals.livello_ateco == 3
    assert totals.unita_locali == SASSUOLO_TOTAL and totals.addetti == 2 * SASSUOLO_TOTAL
    assert totals.units("alimentare") == 30 + 90
    assert totals.units("casa_e_tempo_libero") == 10 + 40 + 25
    assert totals.units("bar_e_ristoranti") == 150 + 110
    assert totals.units("dettaglio_totale") == 30 + 90 + 10 + 40 + 25 + 160 + 12 + 70 + 8
    assert totals.units("banche_e_poste") == 30
    assert "farmacie" in totals.gruppi_non_contabili  # 4-digit group, 3-digit data
    # A later population year uses the latest ASIA year before it.
    assert local_units.totals(["036040"], 2025).anno == 2023

    result = compute_indicators(resolve_territory("036040"))  # the peers downloaded are those of today
    values = result["indicatori"]
    people = population.totals_by_comune(2023, ["036040"])["036040"]
    assert values["unita_locali_per_1000_abitanti"]["valore"] == pytest.approx(round(SASSUOLO_TOTAL / people * 1000, 2))
    assert values["addetti_per_unita_locale"]["valore"] == 2.0
    assert values["unita_locali_alimentare_per_1000_abitanti"]["valore"] == pytest.approx(round(120 / people * 1000, 2))
    assert "ASIA" in values["unita_locali_per_1000_abitanti"]["fonte"]
    # the province was fetched whole, so it is a benchmark; the region and Italy were not
    modena = values["unita_locali_per_1000_abitanti"]["confronti"]
    assert modena["provincia:MO"] is not None and modena["regione:08"] is None
    assert values["unita_locali_per_1000_abitanti"]["posizione"]["pari"]["su"] > 10


@responses.activate
def test_a_district_is_the_sum_of_its_comuni(online_store):
    serve_asia()
    district = resolve_territory("citta-distretto-sassuolo")
    assert main(["dati", "scarica", "--fonte", "asia_ul", "--territorio", district.id, "--anni", "2023",
                 "--senza-confronti"]) == 0
    totals = local_units.totals(district.comuni, 2023)
    others = [c for c in district.comuni if c != "036040"]
    expected = SASSUOLO_TOTAL + sum(100 * (1 + int(c[-2:]) % 5) for c in others)
    assert totals.unita_locali == expected and totals.comuni_coperti == len(district.comuni)


@responses.activate
def test_a_territory_s_rows_found_through_the_index_are_those_a_pass_over_the_table_finds(online_store):
    serve_asia()
    district = resolve_territory("citta-distretto-sassuolo")
    assert main(["dati", "scarica", "--fonte", "asia_ul", "--territorio", district.id, "--anni", "2022-2023",
                 "--senza-confronti"]) == 0
    whole = local_units.table()
    for comuni in (district.comuni, ["036040"], ["036040", "036040", "999999"], []):
        expected = whole[whole["codice"].isin(set(comuni))]
        found = local_units.rows_of(comuni)
        assert found.index.tolist() == expected.index.tolist()  # the same rows, in the table's order
        assert found.equals(expected)


@responses.activate
def test_a_failed_chunk_leaves_the_store_as_it_was(online_store, capsys):
    responses.get(istat_sdmx.structure_url("183_1163"), body=asia_structure())
    pattern = re.compile(re.escape(istat_sdmx.data_url("183_1163_DF_DICA_ASIAULP_TERRIFDATA_3", "")) + ".*")
    responses.add(responses.GET, pattern, body=HEADER + f"{FLOW},A,036040,LU,0010,TOTAL,2023,38")  # cut
    assert main(["dati", "scarica", "--fonte", "asia_ul", "--territorio", "Sassuolo", "--anni", "2023",
                 "--senza-confronti"]) == 1
    assert store.entries("asia_ul") == []
    assert "invariato" in capsys.readouterr().out


def test_a_territorial_source_needs_a_territory(capsys):
    assert main(["dati", "scarica", "--fonte", "asia_ul"]) != 0
    captured = capsys.readouterr()
    assert "--territorio" in captured.out + captured.err


def test_without_a_download_the_embedded_totals_are_used_and_the_rest_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "empty"))
    values = compute_indicators(resolve_territory("036040"), 2023)["indicatori"]
    # ASIA 2018 all-activity totals of the snapshot: Sassuolo 4,335 units, 19,252.29 employees
    assert values["addetti_per_unita_locale"]["valore"] == pytest.approx(round(19252.29 / 4335, 2))
    assert values["addetti_per_unita_locale"]["riferimento"] == "anno 2018"
    # per 1,000 residents needs the population of 1 January 2018, not in the package
    per_thousand = values["unita_locali_per_1000_abitanti"]
    assert per_thousand["valore"] is None and "1° gennaio 2018" in per_thousand["nota"]
    assert "--fonte popolazione_ricostruita" in per_thousand["nota"]
    # the groups of the commercial fabric need the ATECO detail of a download
    assert "--fonte asia_ul" in values["unita_locali_alimentare_per_1000_abitanti"]["nota"]


def asia_structure(size_dimension: str = "PERS_EMPL_SIZE_CLASS") -> str:
    dims = ["FREQ", "REF_AREA", "DATA_TYPE", "ECON_ACTIVITY_NACE_2007", size_dimension]
    listed = "".join(f'<structure:Dimension id="{d}" position="{i}"/>' for i, d in enumerate(dims, start=1))
    return (
        '<?xml version="1.0" encoding="utf-8"?><message:Structure '
        'xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
        'xmlns:structure="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"><message:Structures>'
        '<structure:DataStructures><structure:DataStructure id="DCIS_ASIA_ALTRO_ID" agencyID="IT1" version="1.0">'
        f'<structure:DataStructureComponents><structure:DimensionList>{listed}'
        '<structure:TimeDimension id="TIME_PERIOD" position="6"/></structure:DimensionList>'
        "</structure:DataStructureComponents></structure:DataStructure></structure:DataStructures>"
        "</message:Structures></message:Structure>"
    )


@responses.activate
def test_a_changed_layout_stops_the_download_before_any_data_request(online_store, capsys):
    responses.get(istat_sdmx.structure_url("183_1163"), body=asia_structure("SIZE_CLASS"))
    asked = serve_asia()
    assert main(["dati", "scarica", "--fonte", "asia_ul", "--territorio", "Sassuolo", "--anni", "2023",
                 "--senza-confronti"]) == 1
    assert asked == [] and store.entries("asia_ul") == []
    assert "ISTAT ha cambiato la struttura del dataflow 183_1163" in capsys.readouterr().out


@responses.activate
def test_six_asia_years_give_a_local_units_projection(online_store):
    from diagnosis.models.territory_projection import territory_projection

    def answer(request):
        codes = codes_in(request.url)
        lines = [f"{FLOW},A,{code},LU,0010,TOTAL,{year},{1000 - 10 * (year - 2018)},,,,,"
                 for code in codes for year in range(2018, 2024)]
        return 200, {}, HEADER + "\n".join(lines) + "\n"

    pattern = re.compile(re.escape(istat_sdmx.data_url("183_1163_DF_DICA_ASIAULP_TERRIFDATA_3", "")) + ".*")
    responses.add_callback(responses.GET, pattern, callback=answer)
    responses.get(istat_sdmx.structure_url("183_1163"), body=asia_structure())
    assert main(["dati", "scarica", "--fonte", "asia_ul", "--territorio", "Sassuolo", "--anni", "2018-2023",
                 "--senza-confronti"]) == 0
    assert local_units.series(["036040"]) == {y: 1000.0 - 10 * (y - 2018) for y in range(2018, 2024)}
    change = compute_indicators(resolve_territory("Sassuolo"), 2023)["indicatori"]["variazione_unita_locali_pct"]
    assert change["valore"] == pytest.approx(-5.0)  # 1000 in 2018, 950 in 2023
    result = territory_projection(resolve_territory("Sassuolo"), horizon=3)
    rows = result["proiezioni"]["unita_locali"]
    # from the last ASIA year to the end of the population projection (base 2026 + 3)
    assert [r["anno"] for r in rows] == list(range(2024, 2030))
    # a steady fall of 10 a year is carried on by the chosen trend model, inside its bands
    assert rows[0]["valore"] == pytest.approx(940, abs=5)
    assert all(r["basso_95"] <= r["basso_80"] <= r["valore"] <= r["alto_80"] <= r["alto_95"] for r in rows)
    assert result["serie_unita_locali"]["anni"] == list(range(2018, 2024))


def test_ateco_labels_come_from_the_2007_classification():
    from diagnosis.sources.commerce_groups import ateco_label

    assert ateco_label("471") == "Commercio al dettaglio in esercizi non specializzati"
    assert ateco_label("47.73") == "Commercio al dettaglio di medicinali in esercizi specializzati"
    assert ateco_label("") is None


@responses.activate
def test_two_digit_and_three_digit_comuni_are_counted_at_the_coarser_level(online_store):
    def answer(request):
        lines = []
        for code in codes_in(request.url):
            lines += [f"{FLOW},A,{code},LU,0010,TOTAL,2023,500,,,,,", f"{FLOW},A,{code},LU,47,TOTAL,2023,100,,,,,",
                      f"{FLOW},A,{code},LU,56,TOTAL,2023,40,,,,,"]
        return 200, {}, HEADER + "\n".join(lines) + "\n"

    two_digits = re.compile(re.escape(istat_sdmx.data_url("183_1163_DF_DICA_ASIAULP_TERRIFDATA_7", "")) + ".*")
    responses.add_callback(responses.GET, two_digits, callback=answer)
    serve_asia()
    assert main(["dati", "scarica", "--fonte", "asia_ul", "--territorio", "Sassuolo", "--anni", "2023",
                 "--senza-confronti"]) == 0
    assert main(["dati", "scarica", "--fonte", "asia_ul_ateco2", "--territorio", "Fiorano Modenese", "--anni", "2023",
                 "--senza-confronti"]) == 0
    assert {e["filename"] for e in store.entries("asia_ul")} == {"036040_2022-2023.csv", "036013_asia_ul_ateco2_2023-2023.csv"}
    both = local_units.totals(["036040", "036013"], 2023)
    assert both.livello_ateco == 2
    assert both.units("bar_e_ristoranti") == 150 + 110 + 40  # Sassuolo's 561 + 563, Fiorano's 56
    assert both.units("alimentare") is None  # a 3-digit group, not readable from 2-digit data
    assert local_units.totals(["036040"], 2023).units("alimentare") == 120
