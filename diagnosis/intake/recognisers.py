"""One recogniser per published or compiled file: ``(Sample) -> Recognised | None``.

Each one looks at the content only (header cells, title line), never the file name, and
returns ``None`` for anything that is not its dataset. ``recognisers.yaml`` lists them, in
the order they are asked, with the Italian sentence that says what each accepts.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from diagnosis.tables.analyst_files import kind_of
from diagnosis.errors import FileNonRiconosciuto
from diagnosis.intake.samples import Recognised, Sample
from diagnosis.store.checks import table_members
from diagnosis.sources import census_sections, industry_sections
from diagnosis.sources.demo_istat import csv_payload
from diagnosis.sources.istat_classificazioni import looks_like_classificazioni
from diagnosis.sources.istat_pendolarismo import looks_like_matrix
from diagnosis.sources.istat_pendolarismo_lavoro import looks_like_work_matrix
from diagnosis.sources.istat_sdmx import parse_sdmx_csv
from diagnosis.sources.mef_irpef import recognise_mef_table
from diagnosis.sources.osm_network import file_kind as osm_network_kind
from diagnosis.sources.overpass import data_date, looks_like_osm
from diagnosis.sources.price_index import looks_like_index, parse_index
from diagnosis.statuses import least_final
from diagnosis.sources.presences import looks_like_presences
from diagnosis.sources.survey import looks_like_survey
from diagnosis.territory import registry
from diagnosis.text import normalise_label


# --- demo.istat.it: POSAS, STRASA, P2, P3 -------------------------------------------------
#
# Observed on the 2025 and 2026 releases (SOURCES.md §2.2): UTF-8 with BOM, CRLF, ";",
# line 1 a quoted one-field title carrying the year ("... al 1° gennaio 2025", "... al 31
# dicembre 2025") and "(stima)" for early estimates, line 2 the quoted header, a trailing
# one-field note line. Foreign-citizen files say so in the title ("Popolazione straniera
# ...", P3 "Cittadini stranieri: ..."). P2/P3 mark provisional rows with "p" in a last
# column "Informazioni".


@dataclass(frozen=True)
class DemoLayout:
    prefix: str  # publisher's file-name prefix
    table: str  # "age" (by age and sex) or "balance" (demographic balance)
    foreign: bool
    required: tuple[str, ...]  # "A|B": either label will do


DEMO_LAYOUTS = {
    "posas": DemoLayout("POSAS", "age", False, ("Codice comune", "Età", "Totale maschi", "Totale femmine", "Totale")),
    "strasa": DemoLayout("STRASA", "age", True, ("Codice comune", "Età", "Maschi|Totale maschi", "Femmine|Totale femmine")),
    "p2": DemoLayout("P2", "balance", False, ("Codice comune", "Nati vivi - Totale", "Popolazione al 31 dicembre - Totale")),
    "p3": DemoLayout("P3", "balance", True, ("Codice comune", "Nati vivi - Totale", "Popolazione al 31 dicembre - Totale")),
}
BALANCE_MARKER = "popolazione al 31 dicembre"
PROVISIONAL_COLUMN = "informazioni"
PROVISIONAL_MARK = "p"


def _title_year(title: str) -> int | None:
    years = re.findall(r"\b(19\d{2}|20\d{2})\b", title)
    return int(years[-1]) if years else None


def _demo_shape(sample: Sample) -> tuple[str, list[str], str, bool] | None:
    """(title, header, table kind, foreign) when the sample has the demo.istat.it shape."""
    rows = sample.lines
    if len(rows) < 2 or len(rows[0]) != 1 or _title_year(rows[0][0]) is None:
        return None
    title, header = rows[0][0].strip(), [normalise_label(h, as_written=True) for h in rows[1]]
    if not header or header[0] != "codice comune":
        return None
    if "età" in header:
        kind = "age"
    elif any(h.startswith(BALANCE_MARKER) for h in header):
        kind = "balance"
    else:
        return None
    return title, header, kind, "stranier" in title.casefold()


def _demo_status(title: str, header: list[str], rows: list[list[str]]) -> str:
    """"(stima)" in the title -> stima; any "p" in the Informazioni column -> provvisorio."""
    if "(stima)" in title.casefold():
        return "stima"
    if PROVISIONAL_COLUMN in header:
        column = header.index(PROVISIONAL_COLUMN)
        marks = {row[column].strip().casefold() for row in rows[2:] if len(row) == len(header)}
        if PROVISIONAL_MARK in marks:
            return "provvisorio"
    return "definitivo"


def recognise_demo(sample: Sample, dataset: str) -> Recognised | None:
    """``dataset`` (posas, strasa, p2, p3) when the sample is that demo.istat.it file."""
    layout = DEMO_LAYOUTS[dataset]
    shape = _demo_shape(sample)
    if shape is None:
        return None
    title, header, kind, foreign = shape
    if (kind, foreign) != (layout.table, layout.foreign):
        return None
    missing = [c for c in layout.required
               if not any(normalise_label(a, as_written=True) in header for a in c.split("|"))]
    if missing:
        raise FileNonRiconosciuto(
            f"Il file sembra {layout.prefix} di demo.istat.it ({title!r}) ma mancano le colonne "
            f"{', '.join(map(repr, missing))}: è stato modificato o ISTAT ne ha cambiato il "
            "formato. Usare il file così come scaricato da demo.istat.it."
        )
    year = _title_year(title)
    return Recognised(
        dataset=dataset,
        years=(year,),
        status=_demo_status(title, header, sample.lines),
        container=sample.container,
        member=sample.member,
        description=title,
        suggested_name=f"{layout.prefix}_{year}_it_Comuni.{_suffix(sample)}",
    )


def posas(sample: Sample) -> Recognised | None:
    return recognise_demo(sample, "posas")


def strasa(sample: Sample) -> Recognised | None:
    return recognise_demo(sample, "strasa")


def p2(sample: Sample) -> Recognised | None:
    return recognise_demo(sample, "p2")


def p3(sample: Sample) -> Recognised | None:
    return recognise_demo(sample, "p3")


def _header(sample: Sample) -> list[str]:
    rows = sample.lines
    return [normalise_label(cell, as_written=True) for cell in rows[0]] if rows else []


def recognise_mef_irpef(sample: Sample) -> Recognised | None:

    if sample.container == "xlsx":
        return None
    found = recognise_mef_table(sample.head, sample.member, sample.name)
    if found is None or found["year"] is None:
        return None
    year = int(found["year"])
    suffix = "zip" if found["container"] == "zip" else "csv"
    return Recognised(
        dataset="mef_irpef", years=(year,), status="definitivo", container=found["container"],
        member=found["member"], description=f"MEF IRPEF anno d'imposta {year}",
        suggested_name=f"Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_{year}.{suffix}",
    )


def recognise_soppressi(sample: Sample) -> Recognised | None:
    header = _header(sample)
    wanted = ("codice comune", "denominazione comune", "data evento")
    if not all(any(cell.startswith(w) for cell in header) for w in wanted):
        return None
    if not any("associato alla variazione" in cell for cell in header):
        return None
    return _code_list(sample, "comuni_soppressi", _latest_year(sample), "Elenco comuni soppressi",
                      "Elenco-comuni-soppressi")


def recognise_variazioni(sample: Sample) -> Recognised | None:
    header = _header(sample)
    if not any(cell.startswith("tipo variazione") for cell in header):
        return None
    if not any("associat" in cell or "nuovo codice" in cell for cell in header):
        return None
    return _code_list(sample, "variazioni_comuni", _latest_year(sample), "Variazioni amministrative e territoriali",
                      "Variazioni-amministrative-e-territoriali")


def recognise_sardegna(sample: Sample) -> Recognised | None:

    rows = [row for row in sample.lines if len(row) >= 3]
    codes = [row for row in rows if re.fullmatch(r"\d{6}", row[0].strip()) and re.fullmatch(r"\d{6}", row[2].strip())]
    if len(codes) < 3 or not all(row[0].strip()[:3] in {str(p) for p in range(112, 120)} for row in codes):
        return None
    return _code_list(sample, "ricodifica_sardegna", 2026, "Ricodifica dei comuni della Sardegna (1° gennaio 2026)",
                      "Codici-Sardegna")


def recognise_elenco_comuni(sample: Sample) -> Recognised | None:
    text = " ".join(" ".join(row) for row in sample.lines[:3]).casefold()
    if "codice comune formato alfanumerico" not in text or "codice catastale" not in text:
        return None
    return Recognised(
        dataset="elenco_comuni", years=(_latest_year(sample),), status="definitivo",
        container=sample.container, member=sample.member, description="Elenco comuni italiani",
        suggested_name="Elenco-comuni-italiani.csv",
    )


def _code_list(sample: Sample, dataset: str, year: int, description: str, file_stem: str) -> Recognised:
    """An ISTAT code list, final as published, stored under its usual name (ZIP or CSV as given)."""
    return Recognised(
        dataset=dataset, years=(year,), status="definitivo", container=sample.container,
        member=sample.member, description=description, suggested_name=f"{file_stem}.{_suffix(sample)}",
    )


def _suffix(sample: Sample) -> str:
    return "zip" if sample.container == "zip" else "csv"


def _latest_year(sample: Sample) -> int:
    """The most recent year written in the first rows (the list's reference year)."""
    years = [int(y) for row in sample.lines[1:] for cell in row for y in re.findall(r"\b(19\d\d|20\d\d)\b", cell)]
    plausible = [y for y in years if y <= date.today().year]
    return max(plausible) if plausible else date.today().year


SDMX_DATASETS = {"183_1163": "asia_ul", "29_316": "stranieri_sdmx", "22_315": "bilancio_sdmx", "22_289": "popolazione_sdmx",
                 "164_164": "popolazione_ricostruita", "122_54": "capacita_ricettiva"}


def recognise_sdmx_csv(sample: Sample) -> Recognised | None:
    if sample.container == "xlsx" or not sample.header_cells or sample.header_cells[0] != "DATAFLOW":
        return None

    first_row = sample.head.decode("utf-8-sig", errors="replace").split("\n", 2)[1:2]
    flow = next((flow for flow in SDMX_DATASETS if first_row and f":{flow}" in first_row[0].split(",")[0]), None)
    if flow is None:
        return None

    frame = parse_sdmx_csv(csv_payload(sample.data))
    codes = sorted(c for c in frame["REF_AREA"].unique() if c.isdigit() and len(c) == 6)
    years = tuple(sorted(int(y) for y in frame["anno"].unique()))
    status = least_final(set(frame["stato"]))
    dataset = SDMX_DATASETS[flow]
    return Recognised(
        dataset=dataset, years=years, status=status, container=sample.container, member=sample.member,
        description=f"ISTAT SDMX {flow}",
        suggested_name=f"importato_{flow}_{_span(years)}.{_suffix(sample)}",
        comuni=tuple(codes),
    )


def _span(years: tuple[int, ...]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def recognise_osm_network(sample: Sample) -> Recognised | None:
    """An OSM extract with the streets' geometry: OSM XML, or Overpass JSON asked with ``out geom``."""
    if sample.container != "csv":
        return None
    kind = osm_network_kind(sample.data)
    if kind is None:
        return None
    xml_date = re.search(rb'osm_base="(\d{4}-\d\d-\d\d)', sample.data[:4096])
    taken = data_date(sample.data) or (xml_date.group(1).decode() if xml_date else date.today().isoformat())
    return Recognised(
        dataset="osm_rete", years=(int(taken[:4]),), status="definitivo", container="csv",
        description=f"OpenStreetMap, rete stradale e ciclabile ({'OSM XML' if kind == 'xml' else 'Overpass'})",
        suggested_name="osm_rete.osm" if kind == "xml" else "osm_rete.json", per_territorio=True,
    )


COMMUTING_CENSUS_YEAR = 2011
WORK_COMMUTING_CENSUS_YEAR = 2021


def recognise_commuting(sample: Sample) -> Recognised | None:
    """The census commuting matrix: a fixed-width text without header, recognised by its records.

    Only the 2011 matrix is published per comune with this layout; its records carry no date,
    so the year is the census's.
    """
    if sample.container == "xlsx" or not looks_like_matrix(sample.head):
        return None
    return Recognised(
        dataset="pendolarismo", years=(COMMUTING_CENSUS_YEAR,), status="definitivo", container=sample.container,
        member=sample.member, description="ISTAT, matrice del pendolarismo 2011",
        suggested_name=f"matrici_pendolarismo_{COMMUTING_CENSUS_YEAR}.{'zip' if sample.container == 'zip' else 'txt'}",
    )


def recognise_work_commuting(sample: Sample) -> Recognised | None:
    """The permanent census's work commuting matrix: a tab-separated text recognised by its header.

    Only the 2021 matrix is published; its lines carry no date, so the year is the census's.
    """
    if sample.container == "xlsx" or not looks_like_work_matrix(sample.head):
        return None
    return Recognised(
        dataset="pendolarismo_lavoro", years=(WORK_COMMUTING_CENSUS_YEAR,), status="definitivo",
        container=sample.container, member=sample.member,
        description="ISTAT, matrice del pendolarismo per lavoro 2021",
        suggested_name=f"matrix_pendoLAVORO_{WORK_COMMUTING_CENSUS_YEAR}.{'zip' if sample.container == 'zip' else 'txt'}",
    )


def recognise_osm(sample: Sample) -> Recognised | None:
    if sample.container != "csv":
        return None

    kind = looks_like_osm(sample.data)
    if kind is None:
        return None
    taken = data_date(sample.data) or date.today().isoformat()
    return Recognised(
        dataset="osm", years=(int(taken[:4]),), status="definitivo", container="csv",
        description=f"OpenStreetMap ({'Overpass' if kind == 'overpass' else 'GeoJSON'})",
        suggested_name="osm.geojson" if kind == "geojson" else "osm.json", per_territorio=True,
    )


def recognise_analyst_file(sample: Sample) -> Recognised | None:

    kind = kind_of(sample.header_cells) if sample.header_cells else None
    if kind is None:
        return None
    description = "registro dei negozi" if kind == "registro_negozi" else "rilevazione dei locali sfitti"
    return _field_file(sample, kind, description)


def _field_file(sample: Sample, dataset: str, description: str) -> Recognised:
    """A file compiled on the ground for one territory: dated today, stored as it came (CSV or XLSX)."""

    suffix = "xlsx" if sample.container == "xlsx" else "csv"
    return Recognised(
        dataset=dataset, years=(date.today().year,), status="definitivo", container=sample.container,
        description=description, suggested_name=f"{dataset}.{suffix}", per_territorio=True,
    )


def recognise_survey(sample: Sample) -> Recognised | None:

    tool = looks_like_survey(sample.header_cells) if sample.header_cells else None
    return None if tool is None else _field_file(sample, "questionario", f"questionario ({tool})")


def recognise_presences(sample: Sample) -> Recognised | None:

    layout = looks_like_presences(sample.header_cells) if sample.header_cells else None
    return None if layout is None else _field_file(sample, "presenze", f"presenze ({layout})")


def recognise_price_index(sample: Sample) -> Recognised | None:

    if sample.container != "csv" or not sample.header_cells or not looks_like_index(sample.header_cells):
        return None
    years = tuple(sorted(parse_index(sample.data)))
    if len(years) < 2:
        return None
    return Recognised(
        dataset="indice_prezzi", years=years, status="definitivo", container="csv",
        description="indice dei prezzi al consumo", suggested_name="indice_prezzi.csv",
    )


def recognise_classifications(sample: Sample) -> Recognised | None:

    if sample.container != "xlsx" or not looks_like_classificazioni(sample.header_cells):
        return None
    return Recognised(
        dataset="classificazioni_comuni", years=(date.today().year,), status="definitivo", container="xlsx",
        description="Classificazioni statistiche dei comuni", suggested_name="Classificazioni-statistiche-comuni.xlsx",
    )


# --- ISTAT census sections: variables and boundaries, one file per region ------------------------
#
# The variables are told apart by their section column (SEZ2011, SEZ21_ID, see
# sources/census_sections.py), the boundaries by being a shapefile with one of those fields.
# Each is stored under its census year and region, so that the files of two regions sit
# side by side and a new file of a region replaces the old one.

def recognise_census_variables(sample: Sample) -> Recognised | None:
    year = None if sample.container in ("shp", "gpkg") else census_sections.census_year_of(sample.header_cells)
    if year is None:
        return None
    first = census_sections.first_workbook_row(sample.data) if sample.container == "xlsx" else \
        (sample.lines[1] if len(sample.lines) > 1 else [])
    region = census_sections.variables_region(sample.header_cells, first)
    suffix = {"xlsx": "xlsx", "zip": "zip"}.get(sample.container, "csv")
    # The national ZIP of 2011 holds every region: named for Italy, read whole by acceptance.
    place = "Italia" if sample.container == "zip" and _regional_tables(sample) > 1 else f"R{region or 0:02d}"
    return Recognised(
        dataset=f"sezioni_{year}", years=(year,), status="definitivo", container=sample.container,
        member=sample.member, description=f"ISTAT, variabili censuarie {year} per sezione di censimento",
        suggested_name=f"{place}_indicatori_{year}_sezioni.{suffix}",
    )


def recognise_industry_sections(sample: Sample) -> Recognised | None:
    """The 2011 industry census per section: a table naming its sections (see
    ``sources/industry_sections.py``) that is not the population file (no ``P1``) nor 2021's.

    Its published layout was learnt from public code, not from a file seen here, and tables
    are also made by hand: a table with a section column and unknown count columns is claimed
    all the same, so that its reader refuses it naming the columns it accepts.
    """
    if sample.container in ("shp", "gpkg"):
        return None
    names = {industry_sections.header_name(cell) for cell in sample.header_cells}
    if industry_sections.section_columns(names) is None or names & {"P1", "SEZ21_ID"}:
        return None
    suffix = {"xlsx": "xlsx", "zip": "zip"}.get(sample.container, "csv")
    region = _industry_region(sample)
    place = f"R{region}_" if region else ""
    return Recognised(
        dataset="imprese_sezioni_2011", years=(industry_sections.YEAR,), status="definitivo",
        container=sample.container, member=sample.member,
        description="ISTAT, unità locali e addetti per sezione di censimento 2011 (censimento industria e servizi)",
        suggested_name=f"{place}imprese_2011_sezioni.{suffix}",
    )


def _industry_region(sample: Sample) -> str | None:
    """The two-digit region of the first row: ``CODREG``, else that of the section's comune."""
    if sample.container in ("xlsx", "zip") or len(sample.lines) < 2:
        return None  # a workbook or a ZIP (maybe of every region) is named without one
    header, first = sample.header_cells, sample.lines[1]
    region = census_sections.variables_region(header, first)
    if region:
        return f"{region:02d}"
    row = dict(zip((industry_sections.header_name(cell) for cell in header), first))
    columns = industry_sections.section_columns(row)
    comune = (row[columns[0]].strip()[:-7] if len(columns) == 1 else row[columns[0]].strip()).zfill(6)
    found = registry.comuni().set_index("codice")["regione_codice"].get(comune)
    return None if found is None else str(found).zfill(2)


def _regional_tables(sample: Sample) -> int:
    with zipfile.ZipFile(io.BytesIO(sample.data)) as archive:
        return sum("_indicatori_" in name.lower() for name in table_members(archive))


def recognise_census_boundaries(sample: Sample) -> Recognised | None:
    if sample.container not in ("shp", "gpkg"):
        return None
    try:
        identity = census_sections.boundaries_identity(sample.data)  # acceptance then reads it whole
    except (ValueError, RuntimeError, OSError) as error:  # pyogrio's errors are RuntimeErrors
        raise FileNonRiconosciuto(
            f"Il file {sample.name or ''} contiene una mappa che non si legge ({error}): scaricarlo di nuovo "
            "intero dal sito ISTAT, senza estrarlo né modificarlo."
        ) from error
    if identity is None:
        return None
    year, region = identity
    return Recognised(
        dataset=f"confini_sezioni_{year}", years=(year,), status="definitivo", container=sample.container,
        member=sample.member, description=f"ISTAT, confini delle sezioni di censimento {year}",
        suggested_name=f"R{region:02d}_{str(year)[2:]}.{'gpkg' if sample.container == 'gpkg' else 'zip'}",
    )
