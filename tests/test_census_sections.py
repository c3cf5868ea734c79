"""ISTAT census sections: reading, importing, downloading, and the figures inside a perimeter.

The fixtures are four hand-made sections of two adjacent comuni, Sondrio (014061) and
Montagna in Valtellina (014044), each a 100 m square in a row along x (EPSG:32632):

    x:   0      100     200     300     400
         | A1    | A2    | B1    | B2    |     A = Sondrio, B = Montagna
                 P1 2011: 100, 40, 60, 10 — 2021: 90, 50, 70, 10

The drawn perimeter spans x 50-250: half of A1, all of A2, half of B1, nothing of B2.
Sub-comunal areas (ASC): in 2021 A1 and A2 make Sondrio's 014061001 at level 1, while at
level 2 (numbered on its own, as ISTAT does) A1 is 014061001, A2 014061002 and B1 Montagna's
014044001; in 2011 A1 is Sondrio's area 1 and A2 its area 2.
In 2011 B2's foreigners (ST1) and A2's households (PF1) are blank, as ISTAT leaves
suppressed cells.

The 2011 industry census file (03_AttEcon_SCE_2011.txt, named and laid out as ISTAT's
per-region table: TIPO_SOGGETTO, CODREG, PROCOM, NSEZ, ATECO3, NUM_UNITA, ADDETTI,
ALTRI_RETRIB, VOLONTARI, one row per kind of subject, section and ATECO group; ";"-separated,
which was not seen) gives local units 7, 5, 4, 1 and retail units (ATECO 47) 4, 2, 2, 0. A1's
restaurants (561) come in two rows of two kinds of subject (codes 1 and 3, made up: the
published codes were not seen); A2's employees of group 691 are blank; B2's group is written
11, the number ISTAT writes for 01.1.
"""

import html
import io
import math
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import responses
from shapely.geometry import box

import diagnosis as dg
from diagnosis import store
from diagnosis.commands.indicatori import perimeter_json
from diagnosis.api.perimeter import dentro_perimetro, sezioni_perimetro, variazioni_perimetro
from diagnosis.downloads import census_sections as downloads
from diagnosis.errors import FormatoNonRiconosciuto, PerimetroSenzaSezioni, SezioniNonDisponibili
from diagnosis.intake.importing import add_file
from diagnosis.sources.census_sections import parse_boundaries, parse_variables
from diagnosis.sources.industry_sections import parse_industry_sections
from diagnosis.tables import census_sections as census_tables
from diagnosis.territory.model import Territorio
from diagnosis.territory.perimeter import Perimetro
from tests.xlsx_fixture import workbook_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "sezioni"
X0, Y0 = 566_000, 5_113_000
CODES = {"A1": "0140610000001", "A2": "0140610000002", "B1": "0140440000001", "B2": "0140440000002"}
COMUNI = ("014061", "014044")


def _variables_2021_xlsx() -> bytes:
    """The 2021 workbook as ISTAT publishes it: one sheet, the field codes in the first row."""
    lines = (FIXTURES / "R03_indicatori_2021_sezioni.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.split(";") for line in lines]
    typed = [rows[0]] + [[int(cell) if cell.isdigit() else (cell or None) for cell in row] for row in rows[1:]]
    return workbook_bytes({"Foglio1": typed})


def _boundaries_layer(year: int):
    """A region's sections as ISTAT's layer has them, its folder in the ZIP and its name."""
    names = list(CODES)
    squares = [box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(4)]
    pro_com = [int(CODES[n][:6]) for n in names]
    if year == 2021:
        columns = {"COD_REG": [3] * 4, "COD_UTS": [14] * 4, "PRO_COM": pro_com, "SEZ21": [1, 2, 1, 2],
                   "SEZ21_ID": [int(CODES[n]) for n in names], "COD_TIPO_S": [0] * 4, "TIPO_LOC": [1] * 4,
                   "COM_ASC1": [14061001, 14061001, 0, 0], "COM_ASC2": [14061001, 14061002, 14044001, 0],
                   "COM_ASC3": [0] * 4}
        folder, stem = "SHP/", "R03_21_WGS84"
    else:
        columns = {"COD_REG": [3] * 4, "COD_ISTAT": pro_com, "PRO_COM": pro_com,
                   "SEZ2011": [int(CODES[n]) for n in names], "SEZ": [1, 2, 1, 2], "TIPO_LOC": [1] * 4,
                   "COM_ASC": [14061001, 14061002, 0, 0], "COD_ASC": [1, 2, 0, 0], "ACE": [1, 1, 1, 1]}
        folder, stem = "", "R03_11_WGS84"
    return gpd.GeoDataFrame(columns, geometry=squares, crs="EPSG:32632"), folder, stem


def _boundaries_zip(year: int) -> bytes:
    """A region's boundaries as published: a zipped shapefile in EPSG:32632 (2021 under SHP/)."""
    return _zipped_shapefile(*_boundaries_layer(year))


def _geopackage(year: int) -> bytes:
    """The same layer saved as a GeoPackage, as QGIS writes it."""
    import tempfile

    layer, _folder, stem = _boundaries_layer(year)
    with tempfile.TemporaryDirectory() as work:
        layer.to_file(Path(work) / f"{stem}.gpkg", layer=stem, driver="GPKG")
        return (Path(work) / f"{stem}.gpkg").read_bytes()


def _zipped_shapefile(layer, folder: str, stem: str) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        layer.to_file(Path(work) / f"{stem}.shp")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(work).iterdir()):
                archive.write(part, folder + part.name)
    return buffer.getvalue()


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


@pytest.fixture
def sections_store(empty_store):
    """The store after importing by hand the four files of region 03."""
    files = {"R03_indicatori_2011_sezioni.csv": (FIXTURES / "R03_indicatori_2011_sezioni.csv").read_bytes(),
             "R03_indicatori_2021_sezioni.xlsx": _variables_2021_xlsx(),
             "R03_11_WGS84.zip": _boundaries_zip(2011), "R03_21.zip": _boundaries_zip(2021)}
    for name, data in files.items():
        path = empty_store / name
        path.write_bytes(data)
        add_file(path)
    return empty_store


def _district(perimetro: Perimetro) -> Territorio:
    return Territorio(id="duc-prova", nome="Distretto di prova", livello="distretto", comuni=COMUNI, tipo="DUC",
                      perimetro=perimetro)


def _drawn(x_from: float, x_to: float) -> Perimetro:
    shape = gpd.GeoSeries([box(X0 + x_from, Y0 - 10, X0 + x_to, Y0 + 110)], crs="EPSG:32632").to_crs("EPSG:4326")
    return Perimetro(fonte="prova.geojson", tipo="poligono", geometria=shape.iloc[0].wkt)


def _row(table, measure: str, year: int):
    found = table[(table["misura"] == measure) & (table["anno"] == year)]
    assert len(found) == 1, (measure, year)
    return found.iloc[0]


# --- reading ---------------------------------------------------------------------------------

def test_2011_variables_read_with_codes_padded_and_blank_cells_missing():
    table = parse_variables((FIXTURES / "R03_indicatori_2011_sezioni.csv").read_bytes()).set_index("sezione")
    assert list(table.index) == list(CODES.values())
    assert list(table["comune"]) == ["014061", "014061", "014044", "014044"]
    assert table.loc[CODES["A1"], "ace"] == "014061-001"
    assert table.loc[CODES["A1"], "popolazione"] == 100
    assert table.loc[CODES["A1"], "eta_0_14"] == 18  # three five-year classes of 6
    assert table.loc[CODES["A1"], "edifici_1946_1970"] == 2  # E10 + E11
    assert math.isnan(table.loc[CODES["B2"], "stranieri"])  # blank in the file, not zero
    assert math.isnan(table.loc[CODES["A2"], "famiglie"])


def test_2021_workbook_read_and_measures_it_lacks_are_missing():
    table = parse_variables(_variables_2021_xlsx()).set_index("sezione")
    assert table["anno"].eq(2021).all()
    assert list(table["popolazione"]) == [90, 50, 70, 10]
    assert table["edifici_residenziali"].isna().all()  # 2021 publishes no buildings per section
    assert table["ace"].isna().all()


def test_a_cell_with_text_is_refused_not_read_as_missing():
    data = (FIXTURES / "R03_indicatori_2011_sezioni.csv").read_bytes().replace(b";100;", b";cento;", 1)
    with pytest.raises(ValueError):
        parse_variables(data)


def test_boundaries_read_from_the_published_zips():
    sections = parse_boundaries(_boundaries_zip(2021))
    assert sections.crs.to_epsg() == 32632
    assert list(sections["sezione"]) == list(CODES.values())
    assert sections["ace"].isna().all()
    assert list(parse_boundaries(_boundaries_zip(2011))["ace"]) == ["014061-001"] * 2 + ["014044-001"] * 2


# --- the store -------------------------------------------------------------------------------

def test_files_imported_by_hand_are_recognised_per_census_and_region(sections_store):
    stored = {entry["dataset"]: entry["path"] for entry in store.entries()}
    assert stored == {"sezioni_2011": "sezioni_2011/R03_indicatori_2011_sezioni.csv",
                      "sezioni_2021": "sezioni_2021/R03_indicatori_2021_sezioni.xlsx",
                      "confini_sezioni_2011": "confini_sezioni_2011/R03_11.zip",
                      "confini_sezioni_2021": "confini_sezioni_2021/R03_21.zip"}


def test_the_store_status_says_what_each_section_file_feeds(sections_store):
    from diagnosis.intake.usage import usage

    uses = usage(store.entries())
    assert uses[("confini_sezioni_2011", "R03_11.zip")].in_use(2011)
    assert "dentro il perimetro" in uses[("sezioni_2021", "R03_indicatori_2021_sezioni.xlsx")].what_it_feeds(2021)


def test_the_national_2011_zip_imported_by_hand_is_read_whole(empty_store):
    path = empty_store / "dati-cpa_2011.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Sezioni di Censimento/R03_indicatori_2011_sezioni.csv",
                         (FIXTURES / "R03_indicatori_2011_sezioni.csv").read_bytes())
        archive.writestr("Sezioni di Censimento/tracciato_2011_sezioni.csv", "NOME_CAMPO;DEFINIZIONE\r\nP1;Popolazione\r\n")
    assert add_file(path)["path"] == "sezioni_2011/R03_indicatori_2011_sezioni.zip"
    assert list(census_tables.variables(2011)["popolazione"]) == [100, 40, 60, 10]


def test_a_new_process_reads_the_variables_from_the_disk_cache(sections_store):
    first = census_tables.variables(2021)
    census_tables._variables_from_cache.cache_clear()  # as a new process would
    again = census_tables.variables(2021)
    assert again.equals(first) and again["ace"].isna().all()


def test_boundaries_saved_as_a_geopackage_are_imported_and_used(empty_store):
    for name, data in (("sezioni.gpkg", _geopackage(2021)), ("variabili.xlsx", _variables_2021_xlsx())):
        (empty_store / name).write_bytes(data)
        add_file(empty_store / name)
    assert store.entries("confini_sezioni_2021")[0]["path"] == "confini_sezioni_2021/R03_21.gpkg"
    people = _row(dentro_perimetro(_district(_drawn(50, 250))), "popolazione", 2021)
    assert people["perimetro"] == pytest.approx(45 + 50 + 35)


def test_a_broken_variables_file_is_refused_and_the_store_untouched(empty_store):
    path = empty_store / "R03_indicatori_2011_sezioni.csv"
    path.write_bytes((FIXTURES / "R03_indicatori_2011_sezioni.csv").read_bytes().replace(b";100;", b";cento;", 1))
    with pytest.raises(FormatoNonRiconosciuto):
        add_file(path)
    assert store.entries() == []


@responses.activate
def test_a_region_is_downloaded_from_the_national_zip_and_stored_alone(online_store):
    national = io.BytesIO()
    with zipfile.ZipFile(national, "w") as archive:
        archive.writestr("Sezioni di Censimento/R03_indicatori_2011_sezioni.csv",
                         (FIXTURES / "R03_indicatori_2011_sezioni.csv").read_bytes())
        archive.writestr("Sezioni di Censimento/tracciato_2011_sezioni.csv", "NOME_CAMPO;DEFINIZIONE\r\nP1;Popolazione\r\n")
    responses.get(downloads.region_url("sezioni_2011", 3), body=national.getvalue())
    responses.get(downloads.region_url("confini_sezioni_2021", "3"), body=_boundaries_zip(2021))
    downloads.download_region("sezioni_2011", 3)
    downloads.download_region("confini_sezioni_2021", "03")
    assert sorted(entry["path"] for entry in store.entries()) == [
        "confini_sezioni_2021/R03_21.zip", "sezioni_2011/R03_indicatori_2011_sezioni.csv"]


@responses.activate
def test_a_failed_download_leaves_the_store_as_it_was(online_store):
    responses.get(downloads.region_url("confini_sezioni_2011", 3), body=b"<html><body>Pagina non trovata</body></html>")
    responses.get(downloads.region_url("confini_sezioni_2021", 3), status=404)
    with pytest.raises(FormatoNonRiconosciuto):
        downloads.download_region("confini_sezioni_2011", 3)
    with pytest.raises(FormatoNonRiconosciuto):
        downloads.download_region("confini_sezioni_2021", 3)
    assert store.entries() == []


# --- inside the perimeter --------------------------------------------------------------------

def test_a_cut_section_counts_for_the_share_of_its_area_inside(sections_store):
    table = dentro_perimetro(_district(_drawn(50, 250)))
    people = _row(table, "popolazione", 2011)
    # Half of A1 (100), all of A2 (40), half of B1 (60): 50 + 40 + 30.
    assert people["perimetro"] == pytest.approx(120)
    assert people["comuni"] == pytest.approx(210)
    assert people["resto"] == pytest.approx(90)
    assert _row(table, "popolazione", 2021)["perimetro"] == pytest.approx(45 + 50 + 35)
    assert table.attrs["sezioni"]["2021"] == {"dentro": 1, "tagliate": 2}
    assert "quota della sua superficie" in table.attrs["metodo"]


def _only_sondrio(name: str, encoding: str) -> str:
    """A section file of the fixtures without Montagna's rows, as if one of its regions were missing."""
    lines = (FIXTURES / name).read_text(encoding=encoding).splitlines(keepends=True)
    return "".join([lines[0]] + [line for line in lines[1:] if ";14044;" not in line])


def test_a_comune_missing_from_the_figures_is_named_not_dropped_from_the_sums(empty_store):
    files = {"R03_indicatori_2011_sezioni.csv": _only_sondrio("R03_indicatori_2011_sezioni.csv", "latin-1"),
             "03_AttEcon_SCE_2011.txt": _only_sondrio("03_AttEcon_SCE_2011.txt", "latin-1")}
    for name, text in files.items():
        (empty_store / name).write_bytes(text.encode("latin-1"))
        add_file(empty_store / name)
    (empty_store / "R03_11_WGS84.zip").write_bytes(_boundaries_zip(2011))
    add_file(empty_store / "R03_11_WGS84.zip")
    with pytest.raises(SezioniNonDisponibili) as refused:
        dentro_perimetro(_district(_drawn(50, 250)))
    # Neither the residents nor the local units are summed over Sondrio alone.
    assert "variabili delle sezioni di censimento 2011" in str(refused.value)
    assert "--fonte sezioni_2011 --regione 03" in str(refused.value)
    with pytest.raises(SezioniNonDisponibili, match="imprese_sezioni_2011"):
        census_tables.industry_figures(census_tables.perimeter_shape(_drawn(50, 250), COMUNI), COMUNI)


def test_the_shops_and_cycle_figures_of_the_perimeter_take_its_residents_from_the_sections(sections_store):
    from diagnosis.indicators.perimeter_shops import shops_in_perimeter  # the two readers of the residents

    district = _district(_drawn(50, 250))
    # The latest census held, 2021: half of A1 (90), all of A2 (50), half of B1 (70).
    assert census_tables.perimeter_residents(district.perimetro, district.comuni) == pytest.approx(45 + 50 + 35)
    summary = shops_in_perimeter(district, 2023, [])
    assert summary["residenti"] == pytest.approx(130)
    assert not any("residenti del perimetro" in note for note in summary["mancanti"])


def test_without_the_sections_the_perimeter_has_no_residents_rather_than_a_guess(empty_store):
    district = _district(_drawn(50, 250))
    assert census_tables.perimeter_residents(district.perimetro, district.comuni) is None


def test_a_suppressed_cell_leaves_the_figure_missing_where_its_section_counts(sections_store):
    table = dentro_perimetro(_district(_drawn(50, 250)))
    foreigners = _row(table, "stranieri", 2011)  # B2, outside, is blank
    assert foreigners["perimetro"] == pytest.approx(5 + 4 + 3)
    assert math.isnan(foreigners["comuni"]) and math.isnan(foreigners["resto"])
    assert foreigners["sezioni_senza_dato"] == 1
    assert math.isnan(_row(table, "famiglie", 2011)["perimetro"])  # A2, inside, is blank


def test_the_change_between_censuses_is_given_where_both_hold_the_measure(sections_store):
    changes = variazioni_perimetro(_district(_drawn(50, 250))).set_index("misura")
    assert changes.loc["popolazione", "perimetro"] == pytest.approx((130 / 120 - 1) * 100)
    assert "edifici_residenziali" not in changes.index  # 2021 has no buildings


def test_a_census_not_in_the_store_is_left_out_and_said(empty_store):
    for name, data in (("R03_21.zip", _boundaries_zip(2021)), ("variabili.xlsx", _variables_2021_xlsx())):
        (empty_store / name).write_bytes(data)
        add_file(empty_store / name)
    table = dentro_perimetro(_district(_drawn(50, 250)))
    assert set(table["anno"]) == {2021}
    assert "sezioni di censimento 2011" in table.attrs["anni_mancanti"]["2011"]
    assert variazioni_perimetro(_district(_drawn(50, 250))).empty


def test_a_perimeter_of_sections_is_the_union_of_their_boundaries(sections_store):
    perimetro = Perimetro(fonte="2 codici sezioni", tipo="sezioni", codici=(CODES["A2"], CODES["B1"]))
    people = _row(dentro_perimetro(_district(perimetro)), "popolazione", 2021)
    assert people["perimetro"] == pytest.approx(50 + 70)
    assert people["resto"] == pytest.approx(90 + 10)


def test_a_perimeter_of_ace_takes_their_sections_from_the_2011_boundaries(sections_store):
    perimetro = Perimetro(fonte="1 codici ace", tipo="ace", codici=("014061-001",))
    assert _row(dentro_perimetro(_district(perimetro)), "popolazione", 2011)["perimetro"] == pytest.approx(140)


def _codes(column) -> list:
    """A column of codes as a list, a section without one as None."""
    return [None if isinstance(code, float) else code for code in column]


def test_sub_comunal_areas_are_read_as_text_per_level_from_both_censuses():
    latest, older = parse_boundaries(_boundaries_zip(2021)), parse_boundaries(_boundaries_zip(2011))
    assert _codes(latest["asc1"]) == ["014061001", "014061001", None, None]
    assert _codes(latest["asc2"]) == ["014061001", "014061002", "014044001", None]
    assert latest["asc3"].isna().all()
    assert _codes(older["asc1"]) == ["014061001", "014061002", None, None]  # the comune and COD_ASC
    assert older["asc2"].isna().all() and older["asc3"].isna().all()


def test_a_2011_layer_with_com_asc_only_gives_the_same_codes():
    layer, folder, stem = _boundaries_layer(2011)
    older = parse_boundaries(_zipped_shapefile(layer.drop(columns=["COD_ASC"]), folder, stem))
    assert _codes(older["asc1"]) == ["014061001", "014061002", None, None]


def test_a_perimeter_of_asc_is_the_union_of_their_2021_sections(sections_store):
    table = dentro_perimetro(_district(Perimetro(fonte="1 codici asc", tipo="asc", codici=("014061001",))))
    assert _row(table, "popolazione", 2021)["perimetro"] == pytest.approx(90 + 50)  # A1 and A2
    assert _row(table, "popolazione", 2021)["resto"] == pytest.approx(70 + 10)


def test_an_asc_of_the_second_level_takes_only_its_own_sections(sections_store):
    perimetro = Perimetro(fonte="1 codici asc", tipo="asc", codici=("ASC2:014061002",))
    assert _row(dentro_perimetro(_district(perimetro)), "popolazione", 2021)["perimetro"] == pytest.approx(50)


def test_an_asc_the_2021_boundaries_lack_is_taken_from_2011(sections_store):
    perimetro = Perimetro(fonte="1 codici asc", tipo="asc", codici=("014061002",))  # A2, area 2 in 2011 only
    table = dentro_perimetro(_district(perimetro))
    assert _row(table, "popolazione", 2011)["perimetro"] == pytest.approx(40)
    assert _row(table, "popolazione", 2021)["perimetro"] == pytest.approx(50)


def test_an_unknown_asc_is_named_and_a_code_of_another_level_says_how_to_write_it(sections_store):
    perimetro = Perimetro(fonte="2 codici asc", tipo="asc", codici=("014061009", "014044001"))
    with pytest.raises(PerimetroSenzaSezioni) as raised:
        dentro_perimetro(_district(perimetro))
    message = str(raised.value)
    assert "014061009, 014044001 di 'perimetro: asc:'" in message and "2021 né fra quelle 2011" in message
    assert "014044001 è un'area del livello 2 (campo COM_ASC2): scriverlo ASC2:014044001" in message


def test_without_boundaries_an_asc_perimeter_says_which_to_get(empty_store):
    perimetro = Perimetro(fonte="1 codici asc", tipo="asc", codici=("014061001",))
    with pytest.raises(SezioniNonDisponibili, match="diagnosis dati scarica --fonte confini_sezioni_2021 --regione 03"):
        dentro_perimetro(_district(perimetro))


def test_an_asc_absent_from_2021_with_no_2011_boundaries_says_how_to_get_them(empty_store):
    (empty_store / "R03_21.zip").write_bytes(_boundaries_zip(2021))
    add_file(empty_store / "R03_21.zip")
    perimetro = Perimetro(fonte="1 codici asc", tipo="asc", codici=("014061002",))  # area 2 only in 2011
    with pytest.raises(PerimetroSenzaSezioni) as raised:
        dentro_perimetro(_district(perimetro))
    assert "014061002" in str(raised.value) and "--fonte confini_sezioni_2011 --regione 03" in str(raised.value)


def test_a_level_no_boundaries_carry_is_refused_naming_the_fields(sections_store):
    perimetro = Perimetro(fonte="1 codici asc", tipo="asc", codici=("ASC3:014061001",))
    with pytest.raises(PerimetroSenzaSezioni, match="Nessuna sezione dei confini 2021 e 2011 nell'archivio riporta"):
        dentro_perimetro(_district(perimetro))


def test_an_ace_perimeter_with_only_the_2021_boundaries_asks_for_those_of_2011(empty_store):
    (empty_store / "R03_21.zip").write_bytes(_boundaries_zip(2021))
    add_file(empty_store / "R03_21.zip")
    perimetro = Perimetro(fonte="1 codici ace", tipo="ace", codici=("014061-001",))
    with pytest.raises(SezioniNonDisponibili, match="--fonte confini_sezioni_2011 --regione 03"):
        dentro_perimetro(_district(perimetro))


def test_a_section_code_not_in_the_boundaries_is_named(sections_store):
    perimetro = Perimetro(fonte="1 codici sezioni", tipo="sezioni", codici=("0140610000099",))
    with pytest.raises(PerimetroSenzaSezioni, match="0140610000099"):
        dentro_perimetro(_district(perimetro))


def test_a_perimeter_covering_no_section_is_a_clear_error(sections_store):
    with pytest.raises(PerimetroSenzaSezioni, match="non copre alcuna sezione"):
        dentro_perimetro(_district(_drawn(5000, 5100)))


def test_without_the_sections_the_error_names_what_lacks_the_command_and_the_region(empty_store):
    with pytest.raises(SezioniNonDisponibili) as raised:
        dentro_perimetro(_district(_drawn(50, 250)))
    message = str(raised.value)
    assert "le variabili e le geometrie delle sezioni di censimento 2021 della regione 03" in message
    assert "diagnosis dati scarica --fonte confini_sezioni_2021 --regione 03" in message


def test_the_json_carries_the_figures_with_missing_as_null(sections_store):
    found = perimeter_json(_district(_drawn(50, 250)))
    assert found["disponibile"] is True
    foreigners = next(r for r in found["valori"] if r["misura"] == "stranieri" and r["anno"] == 2011)
    assert foreigners["comuni"] is None and foreigners["perimetro"] == pytest.approx(12)
    assert perimeter_json(_district(_drawn(5000, 5100)))["disponibile"] is False


def test_the_map_layers_hold_sections_perimeter_and_comuni(sections_store):
    layers = sezioni_perimetro(_district(_drawn(50, 250)))
    assert sorted(layers["strato"].value_counts().items()) == [("comune", 2), ("perimetro", 1), ("sezione", 4)]
    shares = layers[layers["strato"] == "sezione"].set_index("codice")["quota"]
    assert shares[CODES["A1"]] == pytest.approx(0.5) and shares[CODES["B2"]] == 0
    assert (layers.attrs["anno"], layers.attrs["dentro"], layers.attrs["tagliate"]) == (2021, 1, 2)


# --- the 2011 industry census ----------------------------------------------------------------

INDUSTRY = FIXTURES / "03_AttEcon_SCE_2011.txt"


def test_local_units_are_summed_per_section_and_split_by_ateco():
    table = parse_industry_sections(INDUSTRY.read_bytes()).set_index("sezione")
    assert list(table["unita_locali"]) == [7, 5, 4, 1]
    assert list(table["unita_locali_commercio"]) == [5, 2, 4, 0]  # divisions 45, 46, 47
    assert list(table["unita_locali_dettaglio"]) == [4, 2, 2, 0]  # B2 has no shop: none, not missing
    assert table.loc[CODES["A1"], "addetti"] == 6 + 3 + 2 + 2  # both kinds of subject of group 561
    assert math.isnan(table.loc[CODES["A2"], "addetti"])  # one blank cell leaves the section's sum missing
    assert table.loc[CODES["A2"], "addetti_dettaglio"] == 3


def test_a_tab_separated_table_reads_the_same():
    # The separator of the published .txt tables was not seen: a tab must do as well as ";".
    tabbed = INDUSTRY.read_bytes().replace(b";", b"\t")
    assert parse_industry_sections(tabbed).equals(parse_industry_sections(INDUSTRY.read_bytes()))


def test_three_digit_ateco_groups_are_counted_in_their_division():
    # ATECO at three digits, as the 2011 industry census is described: 471 and 472 are retail (47),
    # 461 wholesale (commerce, not retail), 561 restaurants (neither).
    data = ("SEZ2011;ATECO3;NUM_UNITA;ADDETTI\r\n140610000001;471;2;3\r\n140610000001;472;1;1\r\n"
            "140610000001;461;1;4\r\n140610000001;561;3;6\r\n").encode("cp1252")
    row = parse_industry_sections(data).set_index("sezione").loc[CODES["A1"]]
    assert (row["unita_locali"], row["unita_locali_commercio"], row["unita_locali_dettaglio"]) == (7, 4, 3)
    assert (row["addetti"], row["addetti_commercio"], row["addetti_dettaglio"]) == (14, 8, 4)


def test_a_file_without_ateco_and_with_comune_and_number_is_read_too():
    data = "PRO_COM;NSEZ;UL;ADDETTI\r\n14061;1;3;4\r\n14061;2;;5\r\n".encode("cp1252")
    table = parse_industry_sections(data).set_index("sezione")
    assert list(table.index) == [CODES["A1"], CODES["A2"]]
    assert table.loc[CODES["A1"], "unita_locali"] == 3 and math.isnan(table.loc[CODES["A2"], "unita_locali"])
    assert table["unita_locali_dettaglio"].isna().all()  # no activity column: retail cannot be told


def test_a_header_not_recognised_is_refused_listing_what_was_found_and_what_is_accepted(empty_store):
    path = empty_store / "unita_locali.csv"
    path.write_bytes("SEZ2011;UNITÀ;DIPENDENTI\r\n140610000001;1;2\r\n".encode("cp1252"))
    with pytest.raises(FormatoNonRiconosciuto) as raised:
        add_file(path)
    message = str(raised.value)
    assert "Colonne trovate: SEZ2011, UNITA, DIPENDENTI" in message
    assert "non ha la colonna delle unità locali né quella degli addetti" in message
    assert "NUM_UNITA, UL, UNITA_LOCALI" in message and "ADDETTI, ADD" in message
    assert store.entries() == []


def test_the_industry_file_imported_by_hand_is_stored_apart_from_the_population(sections_store):
    path = sections_store / "sce.csv"
    path.write_bytes(INDUSTRY.read_bytes())
    assert add_file(path)["path"] == "imprese_sezioni_2011/R03_imprese_2011_sezioni.csv"
    assert list(census_tables.variables(2011)["popolazione"]) == [100, 40, 60, 10]


@pytest.fixture
def industry_store(sections_store):
    path = sections_store / INDUSTRY.name
    path.write_bytes(INDUSTRY.read_bytes())
    add_file(path)
    return sections_store


def test_local_units_of_a_cut_section_count_in_proportion(industry_store):
    table = dentro_perimetro(_district(_drawn(50, 250)))
    units = _row(table, "unita_locali", 2011)
    # Half of A1 (7), all of A2 (5), half of B1 (4).
    assert units["perimetro"] == pytest.approx(3.5 + 5 + 2)
    assert units["comuni"] == pytest.approx(17) and units["resto"] == pytest.approx(17 - 10.5)
    assert _row(table, "unita_locali_dettaglio", 2011)["perimetro"] == pytest.approx(2 + 2 + 1)
    employees = _row(table, "addetti", 2011)  # A2, inside, is blank
    assert math.isnan(employees["perimetro"]) and employees["sezioni_senza_dato"] == 1
    assert "censimento dell'industria e dei servizi 2011" in table.attrs["metodo"]
    assert table.attrs["imprese_mancanti"] is None
    assert "unita_locali" not in set(variazioni_perimetro(_district(_drawn(50, 250)))["misura"])


def test_without_the_industry_file_the_residents_stay_and_the_lack_is_said(sections_store):
    table = dentro_perimetro(_district(_drawn(50, 250)))
    assert "unita_locali" not in set(table["misura"])
    assert "diagnosis dati scarica --fonte imprese_sezioni_2011 --regione 03" in table.attrs["imprese_mancanti"]


def test_the_overview_and_the_json_carry_the_local_units(industry_store):
    from diagnosis.report.perimeter_overview import overview

    district = _district(_drawn(50, 250))
    rows = overview(district).set_index("Grandezza")
    assert rows.loc["Unità locali, censimento industria e servizi 2011", "Dentro il perimetro"] == pytest.approx(10.5)
    found = perimeter_json(district)
    units = next(r for r in found["valori"] if r["misura"] == "addetti")
    assert units["perimetro"] is None and found["imprese_mancanti"] is None


@responses.activate
def test_the_region_is_taken_from_the_national_industry_zip(online_store):
    national = io.BytesIO()
    with zipfile.ZipFile(national, "w") as archive:  # the folder and names of dati-sce_2011.zip
        folder = "Dati_SCE_2011/Sez_AttivitaEconomica"
        archive.writestr(f"{folder}/01_AttEcon_SCE_2011.txt", INDUSTRY.read_bytes().split(b"\r\n")[0]
                         + b"\r\n1;1;1001;1;471;1;1;0;0\r\n")
        archive.writestr(f"{folder}/03_AttEcon_SCE_2011.txt", INDUSTRY.read_bytes())
    responses.get(downloads.region_url("imprese_sezioni_2011", 3), body=national.getvalue())
    downloads.download_region("imprese_sezioni_2011", 3)
    assert [entry["path"] for entry in store.entries()] == ["imprese_sezioni_2011/R03_imprese_2011_sezioni.csv"]


# --- the report section ----------------------------------------------------------------------

def _district_file(folder: Path) -> None:
    (folder / "duc-prova.yaml").write_text(
        'id: duc-prova\nnome: Distretto di prova\ntipo: DUC\ncomuni: ["014061", "014044"]\n'
        f'perimetro:\n  sezioni: ["{CODES["A2"]}", "{CODES["B1"]}"]\n', encoding="utf-8")


def _shown_text(executed) -> str:
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outputs)
    return " ".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("data", {}).get("text/markdown", ""))
                    for o in outputs)


@pytest.mark.slow
def test_the_section_shows_the_perimeter_against_its_comuni(sections_store, monkeypatch):
    from diagnosis.config import NOTEBOOKS_DIR
    from diagnosis.report.runner import run_notebook

    _district_file(sections_store)
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(sections_store))
    executed = run_notebook(NOTEBOOKS_DIR / "territorio.ipynb", None, {"territorio": "duc-prova", "anno": 2023},
                            in_process=True)
    shown = _shown_text(executed)
    assert "Dentro il perimetro" in shown and "Residenti e famiglie, censimento 2021" in shown
    assert "il perimetro e le sezioni di censimento 2021" in shown
    assert "Variazione fra i censimenti 2011 e 2021" in shown


@pytest.mark.slow
def test_the_section_shows_the_local_units_of_2011_with_their_method(industry_store, monkeypatch):
    from diagnosis.config import NOTEBOOKS_DIR
    from diagnosis.report.runner import run_notebook

    _district_file(industry_store)
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(industry_store))
    executed = run_notebook(NOTEBOOKS_DIR / "territorio.ipynb", None, {"territorio": "duc-prova", "anno": 2023},
                            in_process=True)
    shown = html.unescape(_shown_text(executed))
    assert "<caption>Unità locali e addetti, censimento dell'industria e dei servizi 2011</caption>" in shown
    assert "Unità locali, censimento industria e servizi 2011" in shown  # the row at a glance
    assert "supponendo le attività distribuite in modo uniforme" in shown


@pytest.mark.slow
def test_without_the_sections_the_client_edition_leaves_the_section_out(empty_store, monkeypatch):
    from diagnosis.config import NOTEBOOKS_DIR
    from diagnosis.report.runner import run_notebook

    _district_file(empty_store)
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(empty_store))
    parameters = {"territorio": "duc-prova", "anno": 2023}
    client = _shown_text(run_notebook(NOTEBOOKS_DIR / "territorio.ipynb", None, parameters, in_process=True))
    assert "Dentro il perimetro" not in client
    analyst = _shown_text(run_notebook(NOTEBOOKS_DIR / "territorio.ipynb", None, parameters | {"edizione": "analista"},
                                       in_process=True))
    assert "Cifre dentro il perimetro non disponibili" in analyst and "--regione 03" in analyst


def test_a_section_left_out_is_listed_in_the_appendix_without_the_command():
    from diagnosis.report import sections

    indicators = dg.indicatori("Sondrio", anno=2023)
    note = ("Mancano nell'archivio le variabili delle sezioni di censimento 2021 della regione 03. Per ottenerle: "
            "diagnosis dati scarica --fonte sezioni_2021 --regione 03.")
    client = sections.data_gaps(indicators, sections.CLIENT, {"Dentro il perimetro": note})
    row = client[client["Indicatori"] == "Dentro il perimetro"].iloc[0]
    assert row["Nota"] == "Mancano nell'archivio le variabili delle sezioni di censimento 2021 della regione 03."
    analyst = sections.data_gaps(indicators, sections.ANALYST, {"Dentro il perimetro": note})
    assert "diagnosis dati scarica" in analyst.iloc[-1]["Nota"]
