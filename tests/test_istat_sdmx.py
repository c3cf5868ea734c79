"""ISTAT SDMX: request specs, SDMX-CSV 1.0 parsing, service answers, tidy mappings, DSD check."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from diagnosis.errors import (
    ErroreServizioIstat,
    FormatoNonRiconosciuto,
    MappingStoreIstat,
    RispostaHtml,
    RispostaTroncata,
    StrutturaSdmxCambiata,
)
from diagnosis.sources import istat_sdmx

HEADER_22_289 = (
    "DATAFLOW,FREQ,REF_AREA,DATA_TYPE,SEX,AGE,MARITAL_STATUS,TIME_PERIOD,OBS_VALUE,OBS_STATUS,"
    "NOTE_DS,NOTE_REF_AREA,NOTE_DATA_TYPE,NOTE_SEX,NOTE_AGE,NOTE_MARITAL_STATUS,BASE_PER,UNIT_MEAS,UNIT_MULT"
)
# Answer to 22_289/A.088009+015146.JAN.9.TOTAL.99?startPeriod=2023&endPeriod=2024: BOM, LF,
# 2022-01-01 periods, a non-comune area, an estimate, and 2025 rows beyond endPeriod (+1 bug).
BODY_22_289 = (
    "\ufeff" + HEADER_22_289 + "\n"
    "IT1:22_289(1.0),A,088009,JAN,9,TOTAL,99,2023-01-01,73500.0,,,FILTER__ITG1,,,,,,,\n"
    "IT1:22_289(1.0),A,088009,JAN,9,TOTAL,99,2024-01-01,73878.0,e,,FILTER__ITG1,,,,,,,\n"
    "IT1:22_289(1.0),A,088009,JAN,9,TOTAL,99,2025-01-01,74122.0,e,,FILTER__ITG1,,,,,,,\n"
    "IT1:22_289(1.0),A,015146,JAN,9,TOTAL,99,2023-01-01,1354196.0,,,FILTER__ITC4,,,,,,,\n"
    "IT1:22_289(1.0),A,015146,JAN,9,TOTAL,99,2024-01-01,1366155.0,p,,FILTER__ITC4,,,,,,,\n"
    "IT1:22_289(1.0),A,ITC4,JAN,9,TOTAL,99,2024-01-01,10020528.0,,,,,,,,,,\n"
).encode("utf-8")

BODY_AGES = (
    HEADER_22_289 + "\n"
    "IT1:22_289_DF_DCIS_POPRES1_24(1.0),A,001001,JAN,1,Y0,99,2024,5,,,,,,,,,,\n"
    "IT1:22_289_DF_DCIS_POPRES1_24(1.0),A,001001,JAN,2,Y0,99,2024,4,,,,,,,,,,\n"
    "IT1:22_289_DF_DCIS_POPRES1_24(1.0),A,001001,JAN,1,Y99,99,2024,1,,,,,,,,,,\n"
    "IT1:22_289_DF_DCIS_POPRES1_24(1.0),A,001001,JAN,1,Y_GE100,99,2024,2,,,,,,,,,,\n"
    "IT1:22_289_DF_DCIS_POPRES1_24(1.0),A,001001,JAN,1,TOTAL,99,2024,8,,,,,,,,,,\n"
    "IT1:22_289_DF_DCIS_POPRES1_24(1.0),A,001001,JAN,2,Y0,1,2024,4,,,,,,,,,,\n"
    "IT1:22_289_DF_DCIS_POPRES1_24(1.0),A,001001,JAN,2,Y0-9,99,2024,40,,,,,,,,,,\n"
).encode("utf-8")

HEADER_BALANCE = (
    "DATAFLOW,FREQ,REF_AREA,DATA_TYPE,SEX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,NOTE_DS,NOTE_REF_AREA,"
    "NOTE_DATA_TYPE,NOTE_SEX,NOTE_TIME_PERIOD,BASE_PER,UNIT_MEAS,UNIT_MULT"
)
BODY_22_315 = (
    HEADER_BALANCE + "\n"
    "IT1:22_315_DF_DCIS_POPORESBIL1_24(1.0),A,036040,BEG,9,2024,41000,,,,,,,,,\n"
    "IT1:22_315_DF_DCIS_POPORESBIL1_24(1.0),A,036040,LBIRTH,9,2024,260,,,,,,,,,\n"
    "IT1:22_315_DF_DCIS_POPORESBIL1_24(1.0),A,036040,DEC_CP,9,2024,41116,,,,,,,,,\n"
    "IT1:22_315_DF_DCIS_POPORESBIL1_24(1.0),A,036040,AVNUHM_CP,9,2024,2.3,,,,,,,,,\n"
    "IT1:22_315_DF_DCIS_POPORESBIL1_24(1.0),A,036040,LBIRTH,9,2025,254,p,,,,,,,,\n"
    "IT1:22_315_DF_DCIS_POPORESBIL1_24(1.0),A,036040,NEWCODE,9,2025,7,p,,,,,,,,\n"
).encode("utf-8")

NORECORDS = b"NoRecordsFound"
NORECORDS_LEGACY = b"Not Found - NoRecordsFound"
MAPPING_STORE = (
    b'Error while retrieving Mappings from "Mapping Store"! Cause:Dataflow '
    b"'urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IT1:22_289(1.0)' doesn't contain a mapping set"
)

DSD_XML = """<?xml version="1.0" encoding="utf-8"?>
<message:Structure xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:structure="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
  <message:Structures>
    <structure:DataStructures>
      <structure:DataStructure id="DCIS_POPRES1" agencyID="IT1" version="1.0" isFinal="true">
        <structure:DataStructureComponents>
          <structure:DimensionList id="DimensionDescriptor">
            <structure:Dimension id="REF_AREA" position="2"/>
            <structure:Dimension id="FREQ" position="1"/>
            <structure:Dimension id="DATA_TYPE" position="3"/>
            <structure:Dimension id="{fourth}" position="4"/>
            <structure:Dimension id="{fifth}" position="5"/>
            <structure:Dimension id="MARITAL_STATUS" position="6"/>
            <structure:TimeDimension id="TIME_PERIOD" position="7"/>
          </structure:DimensionList>
        </structure:DataStructureComponents>
      </structure:DataStructure>
    </structure:DataStructures>
  </message:Structures>
</message:Structure>
"""


# --- build -------------------------------------------------------------------------------

def test_key_from_dimension_dict_uses_declared_order_and_defaults():
    assert istat_sdmx.build_key("22_289", {"REF_AREA": "088009"}) == "A.088009.JAN.9.TOTAL.99"
    assert istat_sdmx.build_key("22_289", {"REF_AREA": ["001001", "015146"], "SEX": [1, 2], "AGE": None}) == (
        "A.001001+015146.JAN.1+2..99"
    )
    assert istat_sdmx.build_key("22_315", {"REF_AREA": "036040", "DATA_TYPE": ["BEG", "LBIRTH"]}) == (
        "A.036040.BEG+LBIRTH.9"
    )


def test_unknown_dimension_lists_the_valid_ones():
    with pytest.raises(FormatoNonRiconosciuto, match="FREQ, REF_AREA, DATA_TYPE, SEX, AGE, MARITAL_STATUS"):
        istat_sdmx.build_key("22_289", {"ITTER107": "001001"})
    with pytest.raises(FormatoNonRiconosciuto, match="22_289"):
        istat_sdmx.build_key("99_999")


def test_requests_split_codes_in_chunks_of_at_most_35():
    codes = [f"{i:06d}" for i in range(1, 81)]
    specs = istat_sdmx.build_requests("22_289", codes, start_period=2019, end_period=2023)
    assert len(specs) == 3
    for spec in specs:
        area = spec.url.rsplit("/", 1)[1].split(".")[1]
        assert len(area.split("+")) <= 35
        assert tuple(area.split("+")) == spec.codes
        assert spec.url.startswith("https://esploradati.istat.it/SDMXWS/rest/data/22_289/A.")
        assert spec.params == {"startPeriod": "2019", "endPeriod": "2023"}
        assert spec.headers == {"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"}
        assert spec.end_period == 2023
    assert [c for spec in specs for c in spec.codes] == codes


@pytest.mark.parametrize("n", [1, 34, 35, 36, 70, 71, 500])
def test_no_key_ever_holds_more_than_35_codes(n):
    specs = istat_sdmx.build_requests("29_316", [f"{i:06d}" for i in range(n)])
    assert all(len(spec.codes) <= 35 for spec in specs)
    assert sum(len(spec.codes) for spec in specs) == n
    assert all("endPeriod" not in spec.params for spec in specs)


def test_request_uses_the_view_and_pads_integer_codes():
    (spec,) = istat_sdmx.build_requests("22_289", [15175, "015175", "ITC4"], view="comuni_per_eta",
                                         dimensions={"AGE": None})
    assert spec.url == "https://esploradati.istat.it/SDMXWS/rest/data/22_289_DF_DCIS_POPRES1_24/A.015175+ITC4.JAN.9..99"
    assert istat_sdmx.build_requests("22_315", ["036040"])[0].url.endswith(
        "/data/22_315_DF_DCIS_POPORESBIL1_24/A.036040..9"
    )


def test_bad_codes_are_refused():
    with pytest.raises(FormatoNonRiconosciuto, match="6 cifre"):
        istat_sdmx.build_requests("22_289", ["15175"])
    with pytest.raises(FormatoNonRiconosciuto, match="almeno un comune"):
        istat_sdmx.build_requests("22_289", [])


# --- parse -------------------------------------------------------------------------------

def test_parse_keeps_codes_as_strings_and_drops_the_extra_year():
    frame = istat_sdmx.parse_sdmx_csv(BODY_22_289, end_period=2024)
    assert len(frame) == 5
    assert frame["REF_AREA"].tolist() == ["088009", "088009", "015146", "015146", "ITC4"]
    assert frame["anno"].tolist() == [2023, 2024, 2023, 2024, 2024]
    assert frame["stato"].tolist() == ["definitivo", "stima", "definitivo", "provvisorio", "definitivo"]
    assert frame["OBS_VALUE"].dtype == np.float64
    for column in istat_sdmx.dimension_columns(frame):
        assert pd.api.types.is_string_dtype(frame[column])
    assert istat_sdmx.dimension_columns(frame) == ["FREQ", "REF_AREA", "DATA_TYPE", "SEX", "AGE", "MARITAL_STATUS"]


def test_parse_without_end_period_keeps_everything():
    assert len(istat_sdmx.parse_sdmx_csv(BODY_22_289)) == 6


def test_no_records_is_an_empty_frame_with_the_flow_columns():
    for body in (NORECORDS, NORECORDS_LEGACY):
        frame = istat_sdmx.parse_response(404, body, flow_id="22_289")
        assert frame.empty
        assert list(frame.columns) == [
            "DATAFLOW", "FREQ", "REF_AREA", "DATA_TYPE", "SEX", "AGE", "MARITAL_STATUS",
            "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "anno", "stato",
        ]
    assert istat_sdmx.population_totals(istat_sdmx.parse_response(404, NORECORDS, flow_id="22_289"), "22_289").empty


def test_mapping_store_404_is_a_specific_error():
    with pytest.raises(MappingStoreIstat, match="Mapping Store") as error:
        istat_sdmx.parse_response(404, MAPPING_STORE, flow_id="22_289")
    assert error.value.status == 404


def test_bad_request_and_rate_limit_name_the_fix():
    with pytest.raises(ErroreServizioIstat, match="35"):
        istat_sdmx.parse_response(400, b"Bad Request - Invalid URL")
    with pytest.raises(ErroreServizioIstat, match="blocco"):
        istat_sdmx.parse_response(429, b"")


def test_truncated_body_is_refused():
    cut = BODY_22_289[: BODY_22_289.index(b"FILTER__ITC4") + 4]
    with pytest.raises(RispostaTroncata, match="incompleta"):
        istat_sdmx.parse_response(200, cut)


def test_html_and_non_csv_bodies_are_refused():
    with pytest.raises(RispostaHtml):
        istat_sdmx.parse_response(200, b"<html><body>Manutenzione</body></html>")
    with pytest.raises(FormatoNonRiconosciuto, match="Accept"):
        istat_sdmx.parse_response(200, b'<?xml version="1.0"?><message:GenericData/>\n')


# --- tidy mappings -----------------------------------------------------------------------

def test_population_totals_22_289():
    raw = istat_sdmx.parse_response(200, BODY_22_289, flow_id="22_289", end_period=2024)
    frame = istat_sdmx.population_totals(raw, "22_289", vintage="esploradati 2026-07-01")
    fonte = "ISTAT SDMX 22_289 (popolazione residente al 1° gennaio)"
    expected = pd.DataFrame({
        "codice": ["015146", "015146", "088009", "088009"],
        "anno": [2023, 2024, 2023, 2024],
        "sesso": ["T"] * 4,
        "valore": [1354196, 1366155, 73500, 73878],
        "fonte": [fonte] * 4,
        "vintage": ["esploradati 2026-07-01"] * 4,
        "stato": ["definitivo", "provvisorio", "definitivo", "stima"],
    })
    assert_frame_equal(frame, expected)
    with_areas = istat_sdmx.population_totals(raw, "22_289", comuni_only=False)
    assert "ITC4" in set(with_areas["codice"])


def test_population_by_age_maps_age_and_sex_codes():
    raw = istat_sdmx.parse_sdmx_csv(BODY_AGES)
    frame = istat_sdmx.population_by_age(raw, "22_289")
    expected = pd.DataFrame({
        "codice": ["001001"] * 4,
        "anno": [2024] * 4,
        "sesso": ["M", "M", "M", "F"],
        "eta": [0, 99, 100, 0],
        "valore": [5, 1, 2, 4],
        "fonte": ["ISTAT SDMX 22_289 (popolazione residente al 1° gennaio)"] * 4,
        "vintage": ["esploradati IT1:22_289_DF_DCIS_POPRES1_24(1.0)"] * 4,
        "stato": ["definitivo"] * 4,
    })
    assert_frame_equal(frame, expected)


def test_age_codes():
    codes = pd.Series(["Y0", "Y42", "Y_GE100", "TOTAL", "Y0-9", "Y_UN17", "Y105"], dtype="str")
    assert istat_sdmx.parse_age_code(codes).tolist()[:3] == [0, 42, 100]
    assert istat_sdmx.parse_age_code(codes).isna().tolist() == [False, False, False, True, True, True, False]


def test_balance_22_315_years_and_variables():
    frame = istat_sdmx.to_balance(istat_sdmx.parse_sdmx_csv(BODY_22_315), "22_315", vintage="v")
    fonte = "ISTAT SDMX 22_315 (bilancio demografico)"
    expected = pd.DataFrame({
        "codice": ["036040"] * 6,
        "anno": [2025, 2024, 2024, 2025, 2025, 2025],
        "anno_bilancio": [2024, 2024, 2024, 2024, 2025, 2025],
        "sesso": ["T"] * 6,
        "variabile": ["componenti_medi_famiglia", "nati_vivi", "popolazione_1_gennaio",
                      "popolazione_31_dicembre", "nati_vivi", "newcode"],
        "valore": [2.3, 260.0, 41000.0, 41116.0, 254.0, 7.0],
        "fonte": [fonte] * 6,
        "vintage": ["v"] * 6,
        "stato": ["definitivo"] * 4 + ["provvisorio"] * 2,
    })
    assert_frame_equal(frame, expected)


def test_population_of_a_balance_only_flow_is_refused():
    with pytest.raises(FormatoNonRiconosciuto, match="to_balance"):
        istat_sdmx.population_totals(istat_sdmx.parse_sdmx_csv(BODY_22_315), "22_315")


def test_missing_dimension_column_means_the_structure_changed():
    body = BODY_22_315.replace(b",SEX,", b",GENDER,", 1)
    with pytest.raises(StrutturaSdmxCambiata, match="SEX"):
        istat_sdmx.to_balance(istat_sdmx.parse_sdmx_csv(body), "22_315")


# --- structure check ---------------------------------------------------------------------

def test_structure_check_accepts_the_declared_order():
    xml = DSD_XML.replace("{fourth}", "SEX").replace("{fifth}", "AGE").encode()
    assert istat_sdmx.check_structure(xml, "22_289") == ["FREQ", "REF_AREA", "DATA_TYPE", "SEX", "AGE", "MARITAL_STATUS"]


def test_structure_check_names_a_changed_order():
    xml = DSD_XML.replace("{fourth}", "AGE").replace("{fifth}", "SEX").encode()
    with pytest.raises(StrutturaSdmxCambiata, match="FREQ.REF_AREA.DATA_TYPE.AGE.SEX.MARITAL_STATUS"):
        istat_sdmx.check_structure(xml, "22_289")


def test_structure_check_without_the_dsd():
    xml = DSD_XML.replace("DCIS_POPRES1", "DCIS_ALTRO").replace("{fourth}", "SEX").replace("{fifth}", "AGE")
    with pytest.raises(StrutturaSdmxCambiata, match="DCIS_ALTRO"):
        istat_sdmx.check_structure(xml.encode(), "22_289")
    with pytest.raises(FormatoNonRiconosciuto, match="XML"):
        istat_sdmx.check_structure(b"<non chiuso", "22_289")


# --- real files --------------------------------------------------------------------------

@pytest.mark.real_data
def test_real_22_289_all_territories(real_data):
    body = (real_data / "istat_sdmx" / "22_289_popres1_jan_2022_2023_all_territories.sdmx.csv").read_bytes()
    frame = istat_sdmx.population_totals(istat_sdmx.parse_response(200, body, flow_id="22_289"), "22_289")
    values = frame.set_index(["codice", "anno"])["valore"]
    assert values[("036040", 2022)] == 40469 and values[("036040", 2023)] == 40830
    assert values[("015175", 2022)] == 36202 and values[("015175", 2023)] == 36271
    assert values[("001001", 2022)] == 2562
    assert frame["codice"].str.fullmatch(r"\d{6}").all()
    assert set(frame["anno"]) == {2022, 2023}
    assert (frame["stato"] == "definitivo").all()
    only_2022 = istat_sdmx.parse_sdmx_csv(body, end_period=2022)
    assert set(only_2022["anno"]) == {2022}


@pytest.mark.real_data
def test_real_29_316_foreign_residents(real_data):
    body = (real_data / "istat_sdmx" / "29_316_popstrbil1_FJAN_2020_2025.sdmx.csv").read_bytes()
    frame = istat_sdmx.population_totals(istat_sdmx.parse_sdmx_csv(body), "29_316")
    values = frame.set_index(["codice", "anno"])["valore"]
    assert values[("015175", 2020)] == 9053 and values[("015175", 2025)] == 9636
    assert values[("036040", 2020)] == 5409 and values[("036040", 2025)] == 5869
    assert values[("001001", 2020)] == 269
    assert sorted(set(frame["anno"])) == [2020, 2021, 2022, 2023, 2024, 2025]


@pytest.mark.real_data
def test_real_22_315_varese_sample(real_data):
    path = real_data / "istat_sdmx" / "esploradati_samples" / "bilancio_varese_tutto.EXCERPT.csv"
    frame = istat_sdmx.to_balance(istat_sdmx.parse_sdmx_csv(path.read_bytes()), "22_315", comuni_only=False)
    values = frame.set_index(["variabile", "anno_bilancio"])
    assert values.loc[("popolazione_1_gennaio", 2024), "valore"] == 880257
    assert values.loc[("popolazione_31_dicembre", 2024), ["anno", "valore"]].tolist() == [2025, 882592]
    assert values.loc[("nati_vivi", 2025), "stato"] == "provvisorio"
    saldo = values.loc[("immigrati_da_altro_comune", 2024), "valore"] - values.loc[("emigrati_per_altro_comune", 2024), "valore"]
    assert saldo == values.loc[("saldo_migratorio_interno", 2024), "valore"]


@pytest.mark.real_data
def test_real_164_164_reconstructed_population(real_data):
    path = real_data / "istat_sdmx" / "esploradati_samples" / "ric2_varese_2018.EXCERPT.csv"
    raw = istat_sdmx.parse_sdmx_csv(path.read_bytes())
    totals = istat_sdmx.population_totals(raw, "164_164", comuni_only=False)
    assert totals.set_index("anno")["valore"].to_dict() == {2018: 884919, 2019: 885085}
    balance = istat_sdmx.to_balance(raw, "164_164", comuni_only=False)
    dec = balance[balance["variabile"] == "popolazione_31_dicembre"]
    assert dec[["anno", "anno_bilancio", "valore"]].values.tolist() == [[2019, 2018, 885085]]
    assert "acquisizioni_cittadinanza" in set(balance["variabile"])


@pytest.mark.real_data
def test_real_dsd_passes_and_the_2020_dsd_is_caught(real_data):
    folder = real_data / "istat_sdmx"
    assert istat_sdmx.check_structure((folder / "22_289-structure.xml").read_bytes(), "22_289")[1] == "REF_AREA"
    with pytest.raises(StrutturaSdmxCambiata, match="FREQ.ETA.ITTER107"):
        istat_sdmx.check_structure((folder / "guida" / "rawdata" / "DCIS_POPRES1" / "datastructure.xml").read_bytes(), "22_289")


@pytest.mark.real_data
def test_real_codelists_match_the_declared_codes(real_data):
    folder = real_data / "istat_sdmx" / "guida" / "processing" / "DCIS_POPRES1"
    sexes = pd.read_csv(folder / "4_Dimension_CL_SEXISTAT1.csv", dtype=str)
    described = dict(zip(sexes["dimensionValueID"], sexes["dimensionValueDescription"]))
    assert (described["1"], described["2"], described["9"]) == ("maschi", "femmine", "totale")
    ages = set(pd.read_csv(folder / "2_Dimension_CL_ETA1.csv", dtype=str)["dimensionValueID"])
    assert {"Y0", "Y99", "Y_GE100", "TOTAL"} <= ages
