"""ISTAT census sections: the variables of each section (2011, 2021) and their boundaries.

ISTAT publishes them as "Basi territoriali e variabili censuarie". The layouts followed here
(as published in 2023-2025, and as the ``istat-census-data`` package 2.6.3 reads them):

- **2011 variables**: ``https://www.istat.it/storage/cartografia/variabili-censuarie/dati-cpa_2011.zip``,
  one national ZIP holding ``Sezioni di Censimento/R01_indicatori_2011_sezioni.csv`` … ``R20_…``
  (one CSV per region) and a ``tracciato`` of the fields. Each CSV: ``;``-separated,
  Latin-1 (Windows cp1252), header ``CODREG;REGIONE;CODPRO;PROVINCIA;CODCOM;COMUNE;PROCOM;
  SEZ2011;NSEZ;ACE;CODLOC;CODASC;P1;P2;…;ST1;…;A2;A3;…;PF1;…;E1;…;E31``; ``PROCOM`` and
  ``SEZ2011`` are numbers (``15146``, ``151460000001``: the comune's code then the
  section's 7-digit number, the leading zero of the comune lost).
- **2021 variables**: ``https://esploradati.istat.it/databrowser/DWL/PERMPOP/SUBCOM/Dati_regionali_2021.zip``,
  one national ZIP of ``R01_indicatori_2021_sezioni.xlsx`` … (one workbook per region, one
  sheet, header in the first row: ``CODREG, REGIONE, CODPRO, PROVINCIA, CODCOM, COMUNE,
  PROCOM, SEZ21_ID, COM_ASC1, COM_ASC2, COM_ASC3, P1, …``) and ``TRACCIATO FILE
  REGIONALI.xlsx``. 2021 has population by sex and age, foreigners, households and
  occupied dwellings (``A2``); it has no buildings nor empty dwellings. A CSV saved from
  a workbook (``;`` or ``,``) reads the same.
- **Boundaries**: one ZIP per region, a shapefile in WGS84 UTM 32N (EPSG:32632); the same
  layer saved as a GeoPackage (as QGIS or ``istat-census-data`` write it) reads the same.
  2011: ``https://www.istat.it/storage/cartografia/basi_territoriali/WGS_84_UTM/2011/R03_11_WGS84.zip``
  (``R03_11_WGS84.shp``; fields ``COD_REG, PRO_COM, SEZ2011, SEZ, COM_ASC, COD_ASC, ACE, …``);
  2021: ``https://www.istat.it/storage/cartografia/basi_territoriali/2021/R03_21.zip``
  (``SHP/R03_21_WGS84.shp``, fields ``COD_REG, PRO_COM, SEZ21, SEZ21_ID, COM_ASC1, COM_ASC2,
  COM_ASC3, …``, and a ``TAB/`` folder of tables).

Sub-comunal areas (ASC: municipi, circoscrizioni, quartieri, zone, where a comune has
them) are read from the boundaries as a 9-character text: the comune's 6 digits then the
area's 3 (``037006011``), whatever the field holds. 2021 has three independent levels
(``COM_ASC1``, ``COM_ASC2``, ``COM_ASC3``, each holding that code as a number whose leading
zero is lost, ``37006011``; 0 where the comune has no such level), and the same code may
name different areas at two levels, so each level is kept in its own column. 2011 has one
level, kept as level 1: ``COD_ASC`` numbers the area inside its comune (1, 2, …, as
``CODASC`` of the variables and of ISTAT's 2011 sub-comunal tables); ``COM_ASC``, read only
where ``COD_ASC`` is absent, is taken whole when it holds a full code and joined to the
comune when it holds an area number.

A blank cell (a figure ISTAT does not publish for a section) stays missing: never zero.

Why ``istat-census-data`` is not a dependency: it downloads with ``requests`` directly
(neither through the shared rate-limited, cached session nor into the checked store),
unpacks into folders of its own, fills every blank cell with 0, and brings h3, pyarrow,
chardet and tqdm. It is MIT-licensed and maintained, and was read only to learn the
layouts above.
"""

from __future__ import annotations

import functools
import io
import re
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import yaml

from diagnosis.store.checks import ZIP_MAGIC, table_members
from diagnosis.text import decode_text

MEASURES_FILE = Path(__file__).with_name("census_sections.yaml")
SECTION_DIGITS = 13  # the comune's six digits then the section's seven
SECTION_CRS = "EPSG:32632"
# The column naming the section tells the census apart, in the tables as in the boundaries.
SECTION_COLUMNS = {2011: "SEZ2011", 2021: "SEZ21_ID"}
ACE_COLUMN = "ACE"
ASC_LEVELS = (1, 2, 3)
# Per census, per ASC level, the fields that may hold it, the first present being read.
ASC_COLUMNS = {2011: {1: ("COD_ASC", "COM_ASC")},
               2021: {level: (f"COM_ASC{level}",) for level in ASC_LEVELS}}
ASC_AREA_DIGITS = 3
XLSX_MARKER = "[Content_Types].xml"
SHAPE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
GPKG_MAGIC = b"SQLite format 3\x00"


@functools.cache
def measures() -> dict:
    """Measure id -> {etichetta, codici}, from ``census_sections.yaml``."""
    return yaml.safe_load(MEASURES_FILE.read_text(encoding="utf-8"))


def census_year_of(header) -> int | None:
    """2011 or 2021 from a table's or a layer's columns, None when neither section code is there."""
    names = {str(cell).strip().upper() for cell in header}
    found = [year for year, column in SECTION_COLUMNS.items() if column in names]
    return found[0] if len(found) == 1 else None


def section_code(value) -> str:
    """A section's 13-digit code from the number ISTAT writes (``151460000001`` -> ``0151460000001``)."""
    text = str(value).strip()
    if text.endswith(".0"):  # a workbook's numbers come back as floats
        text = text[:-2]
    if not re.fullmatch(r"\d{8,13}", text):
        raise ValueError(f"codice di sezione {value!r} non valido")
    return text.zfill(SECTION_DIGITS)


def ace_code(comune: str, ace) -> str | None:
    """``015146-001``, as a perimeter writes it; None where the section has no ACE."""
    if pd.isna(ace) or str(ace).strip() in ("", "0"):
        return None
    return f"{comune}-{int(float(ace)):03d}"


def asc_code(comune: str, value) -> str | None:
    """``037006011`` from a sub-comunal area's field, as text; None where the section has none.

    A number (``37006011``, ``37006011.0`` from a layer with blank cells) loses the comune's
    leading zero, which is put back; an area number alone (``1``, 2011's ``COD_ASC``) is
    joined to the section's comune.
    """
    if value is None or pd.isna(value):
        return None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or int(text) == 0:
        return None  # blank, 0 (no area at this level) or not a code ISTAT writes
    if len(text) <= ASC_AREA_DIGITS:
        return comune + text.zfill(ASC_AREA_DIGITS)
    return text.zfill(len(comune) + ASC_AREA_DIGITS)


def asc_column(level: int) -> str:
    """The column of the boundaries table holding the ASC of ``level`` (``asc1``…)."""
    return f"asc{level}"


# --- the variables ----------------------------------------------------------------------------

def variables_region(header: list[str], first_row: list) -> int | None:
    """The region (``CODREG``) of a variables file from its first row; one file per region."""
    names = [str(cell).strip().upper() for cell in header]
    if "CODREG" not in names or len(first_row) <= names.index("CODREG"):
        return None
    text = str(first_row[names.index("CODREG")]).strip().removesuffix(".0")
    return int(text) if text.isdigit() else None


def first_workbook_row(data: bytes) -> list:
    """The first row under the header of a workbook's first sheet (empty when there is none)."""
    from openpyxl import load_workbook  # slow to import, and only a workbook needs it

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(min_row=2, max_row=2, values_only=True)
        return list(next(rows, ()))
    finally:
        book.close()


def parse_variables(data: bytes) -> pd.DataFrame:
    """The sections of a variables file (a CSV, a workbook, or a ZIP of either, as published).

    Columns: ``anno`` (2011 or 2021), ``sezione`` (13 digits), ``comune`` (6 characters),
    ``regione`` (ISTAT's number), ``ace`` (``015146-001`` or None) and one column per measure of ``census_sections.yaml``
    (float; NaN where a cell is blank or the file has no such field).
    """
    tables = [_variables_table(raw) for raw in tables_in(data)]
    tables = [table for table in tables if table is not None]
    if not tables:
        raise ValueError("nessuna tabella con la colonna SEZ2011 o SEZ21_ID")
    return pd.concat(tables, ignore_index=True)


def tables_in(data: bytes) -> list[pd.DataFrame]:
    """The raw tables (strings) of a CSV, a workbook, or each of those in a ZIP."""
    if not data.startswith(ZIP_MAGIC):
        return [_csv(data)]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if XLSX_MARKER in archive.namelist():
            return [_workbook(data)]
        found = [_csv(archive.read(member)) for member in table_members(archive)]
        found += [_workbook(archive.read(info.filename)) for info in archive.infolist()
                  if info.filename.lower().endswith(".xlsx") and not info.filename.startswith("__MACOSX/")]
    return found


def _csv(data: bytes) -> pd.DataFrame:
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    separator = max(";,\t", key=first.count)  # the first of the most frequent: ";" when none is
    return pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False)


def _workbook(data: bytes) -> pd.DataFrame:
    table = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
    return table.fillna("")


def _variables_table(raw: pd.DataFrame) -> pd.DataFrame | None:
    raw = raw.rename(columns=lambda name: str(name).strip().upper())
    year = census_year_of(raw.columns)
    if year is None:
        return None  # the field list of the ZIP, or another table
    raw = raw[raw[SECTION_COLUMNS[year]].str.strip() != ""]
    sections = raw[SECTION_COLUMNS[year]].map(section_code)
    comuni = sections.str[:6]
    table = pd.DataFrame({"anno": year, "sezione": sections.to_numpy(), "comune": comuni.to_numpy()})
    table["regione"] = pd.to_numeric(raw["CODREG"]).to_numpy() if "CODREG" in raw else float("nan")
    table["ace"] = [ace_code(c, a) for c, a in zip(comuni, raw[ACE_COLUMN])] if ACE_COLUMN in raw else None
    for measure, facts in measures().items():
        table[measure] = _summed(raw, facts["codici"]).to_numpy()
    return table


def _summed(raw: pd.DataFrame, codes: list[str]) -> pd.Series:
    """The sum of ``codes`` per row; missing where one of them is blank or absent from the file."""
    if not all(code in raw.columns for code in codes):
        return pd.Series(float("nan"), index=raw.index)
    values = [numbers_of(raw[code]) for code in codes]
    return pd.concat(values, axis=1).sum(axis=1, min_count=len(codes))


def numbers_of(column: pd.Series) -> pd.Series:
    """Counts as written (``12``, ``12.0``); a blank cell is missing, any other text refused."""
    text = column.str.strip()
    blank = text == ""
    numbers = pd.to_numeric(text.where(~blank), errors="raise")
    return numbers.astype(float)


# --- the boundaries ---------------------------------------------------------------------------

def parse_boundaries(data: bytes):
    """The sections of a boundaries file (a zipped shapefile as published, or a GeoPackage) as a
    GeoDataFrame in EPSG:32632.

    Columns: ``anno``, ``sezione``, ``comune``, ``ace`` (None where the layer has no ACE),
    ``asc1``, ``asc2``, ``asc3`` (the sub-comunal area of each level, see ``asc_code``; None
    where the comune has none), ``geometry``.
    """
    import geopandas as gpd  # geopandas takes a second to import: only maps and perimeters need it

    with tempfile.TemporaryDirectory() as folder:
        layer = _read_layer(data, Path(folder))
    layer = layer.rename(columns=lambda name: name if name == "geometry" else str(name).upper())
    year = census_year_of(layer.columns)
    if year is None:
        raise ValueError("il livello non ha la colonna SEZ2011 né SEZ21_ID")
    if layer.crs is None:
        raise ValueError("la mappa non dichiara il sistema di riferimento (nello shapefile manca il file .prj)")
    layer = layer.to_crs(SECTION_CRS)
    sections = layer[SECTION_COLUMNS[year]].map(section_code)
    comuni = sections.str[:6]
    aces = [ace_code(c, a) for c, a in zip(comuni, layer[ACE_COLUMN])] if ACE_COLUMN in layer else None
    columns = {"anno": year, "sezione": sections.to_numpy(), "comune": comuni.to_numpy(), "ace": aces}
    for level in ASC_LEVELS:
        columns[asc_column(level)] = _asc_codes(layer, comuni, ASC_COLUMNS[year].get(level, ()))
    return gpd.GeoDataFrame(columns, geometry=layer.geometry.to_numpy(), crs=SECTION_CRS)


def _asc_codes(layer, comuni: pd.Series, fields: tuple[str, ...]) -> list | None:
    """The sections' ASC codes from the first of ``fields`` the layer has; None when it has none."""
    field = next((name for name in fields if name in layer), None)
    if field is None:
        return None
    # object dtype first: an integer field read with blanks comes as floats, kept here as text
    return [asc_code(c, v) for c, v in zip(comuni, layer[field].astype(object))]


def boundaries_identity(data: bytes) -> tuple[int, int] | None:
    """(census year, region) of a boundaries file from its first section; None when it is another map."""
    with tempfile.TemporaryDirectory() as folder:
        first = _read_layer(data, Path(folder), max_features=1, read_geometry=False)
    first = first.rename(columns=str.upper)
    year = census_year_of(first.columns)
    if year is None or "COD_REG" not in first or first.empty:
        return None
    return year, int(first["COD_REG"].iloc[0])


def _read_layer(data: bytes, folder: Path, **options):
    """The sections' layer of a GeoPackage (the first with a section code) or of a zipped shapefile."""
    import pyogrio  # see parse_boundaries

    if not data.startswith(GPKG_MAGIC):
        return pyogrio.read_dataframe(_unpacked_shapefile(data, folder), **options)
    path = folder / "sezioni.gpkg"  # GDAL wants the extension to open a GeoPackage quietly
    path.write_bytes(data)
    for name, _kind in pyogrio.list_layers(path):
        fields = pyogrio.read_info(path, layer=name)["fields"]
        if census_year_of(fields) is not None:
            return pyogrio.read_dataframe(path, layer=name, **options)
    raise ValueError("nessun livello del GeoPackage ha la colonna SEZ2011 o SEZ21_ID")


def shapefile_members(archive: zipfile.ZipFile) -> list[str]:
    """The ``.shp`` members of an archive, wherever they sit in it."""
    return [name for name in archive.namelist()
            if name.lower().endswith(".shp") and not name.startswith("__MACOSX/")]


def _unpacked_shapefile(data: bytes, folder: Path) -> Path:
    """The first shapefile of the ZIP with its companion files, unpacked into ``folder``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        shapes = shapefile_members(archive)
        if not shapes:
            raise ValueError("l'archivio non contiene uno shapefile (.shp)")
        stem = shapes[0][:-4]
        for name in archive.namelist():
            if name[:-4] == stem and name.lower().endswith(SHAPE_PARTS):
                (folder / Path(name).name).write_bytes(archive.read(name))
    return folder / Path(shapes[0]).name
