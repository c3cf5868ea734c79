"""The census sections of a district's perimeter: its geometry, and its figures by areal weighting.

The store holds ISTAT's section variables (``sezioni_2011``, ``sezioni_2021``), the local
units and employees of the 2011 industry census (``imprese_sezioni_2011``) and the
boundaries (``confini_sezioni_2011``, ``confini_sezioni_2021``), one file per region. A
perimeter made of sections, ACE or ASC becomes the union of their boundaries; a drawn one is
taken as it is. Each count inside the perimeter is then the sum, over the sections of the
district's comuni, of the section's count times the share of its area inside the perimeter
(areal weighting of extensive counts: residents are assumed spread evenly over a section).
A section wholly inside counts whole, one cut in two counts in proportion to its area.

Missing stays missing: a section whose cell ISTAT left blank makes the perimeter's figure
missing when the section lies (even partly) inside, and the comuni's figure missing in any
case, so that no section silently drops out of a sum; the table says how many there are.

Why not PySAL ``tobler.area_weighted.area_interpolate``: it replaces a missing value with 0
(``tobler.util._nan_check``, version 0.13), which would write a suppressed cell as zero,
and it brings rasterio, rasterstats, statsmodels and libpysal for what is here an overlay
and a weighted sum.
"""

from __future__ import annotations

import functools

import pandas as pd

from diagnosis import store
from diagnosis.errors import PerimetroSenzaSezioni, SezioniNonDisponibili
from diagnosis.sources import industry_sections
from diagnosis.sources.census_sections import ASC_LEVELS, SECTION_COLUMNS, SECTION_CRS, asc_column, measures
from diagnosis.sources.stored import read_stored
from diagnosis.tables import disk_cache
from diagnosis.territory import boundaries, registry
from diagnosis.territory.perimeter import Perimetro, asc_level

YEARS = tuple(SECTION_COLUMNS)
# Below this share of its area inside, a section only touches the perimeter along a shared edge.
TOUCHING = 1e-6
METHOD = ("Le cifre del perimetro sono stimate dalle sezioni di censimento ISTAT dei comuni del distretto: "
          "ogni sezione conta per la quota della sua superficie che cade dentro il perimetro (interamente se è "
          "dentro, in proporzione all'area se il perimetro la taglia), supponendo i residenti, le famiglie, le "
          "abitazioni e gli edifici distribuiti in modo uniforme nella sezione. Il resto dei comuni è la "
          "differenza fra i comuni interi e il perimetro. Una sezione con una cella non pubblicata lascia "
          "mancante la cifra, mai zero.")
HOW_TO_GET = "diagnosis dati scarica --fonte {fonte} --regione {regione}"
# The censuses whose boundaries carry each kind of code, newest first: the 2021 layer has no
# ACE, the 2011 one a single ASC level (kept as level 1).
CODED_YEARS = {"sezioni": (2021,), "ace": (2011,), "asc": (2021, 2011)}
CODED_FIELDS = {"sezioni": "questi codici di sezione", "ace": "un'area di censimento (campo ACE)",
                "asc": "un'area sub-comunale del livello indicato (campi COM_ASC1, COM_ASC2, COM_ASC3, COD_ASC)"}
INDUSTRY_DATASET = "imprese_sezioni_2011"
INDUSTRY_METHOD = ("Le unità locali e gli addetti sono quelli del censimento dell'industria e dei servizi 2011, "
                   "per sezione di censimento 2011, stimati dentro il perimetro allo stesso modo: ogni sezione "
                   "conta per la quota della sua area, supponendo le unità locali distribuite in modo uniforme "
                   "nella sezione (un'ipotesi più debole che per i residenti: un negozio sta su una strada).")


def variables_dataset(year: int) -> str:
    return f"sezioni_{year}"


def boundaries_dataset(year: int) -> str:
    return f"confini_sezioni_{year}"


# --- what the store holds ----------------------------------------------------------------------

def _entries(dataset: str) -> list[dict]:
    """The stored files of ``dataset``, one per region, newest first."""
    return sorted(store.entries(dataset), key=lambda entry: entry["fetched_at"], reverse=True)


def _read_all(dataset: str, entries: tuple[str, ...]):
    """Every stored file of ``dataset`` read and put together; a section found in two files
    (a region imported under two names) is kept from the newest."""
    parts = [read_stored(dataset, path) for path in entries]
    whole = pd.concat(parts, ignore_index=True)
    return whole.drop_duplicates("sezione").reset_index(drop=True)


def variables(year: int) -> pd.DataFrame | None:
    """The stored section variables of ``year`` (see ``sources.census_sections.parse_variables``), or None.

    A region's workbook takes a minute to read: the table is kept in the disk cache, keyed by
    the files it comes from, so that each process after the first reads it at once.
    """
    found = _entries(variables_dataset(year))
    if not found:
        return None
    paths = tuple(entry["path"] for entry in found)
    key = disk_cache.key_of("sezioni", str(year), *paths, *(entry["sha256"] for entry in found))
    return _variables_from_cache(variables_dataset(year), paths, key)


@functools.lru_cache(maxsize=4)
def _variables_from_cache(dataset: str, paths: tuple[str, ...], key: str) -> pd.DataFrame:
    arrays = disk_cache.load_or_build("sezioni", key, lambda: _as_arrays(_read_all(dataset, paths)))
    table = pd.DataFrame({name: values for name, values in arrays.items()})
    table["ace"] = table["ace"].where(table["ace"] != "", None)
    return table


def _as_arrays(table: pd.DataFrame) -> dict:
    """Plain arrays for the disk cache: codes as text (no ACE is an empty string), figures as floats."""
    codes = [column for column in ("sezione", "comune", "ace") if column in table]
    arrays = {column: table[column].to_numpy(dtype=float) for column in table.columns if column not in codes}
    arrays.update({column: table[column].fillna("").to_numpy(dtype=str) for column in codes})
    return arrays


def industry() -> pd.DataFrame | None:
    """The stored local units and employees per 2011 section (``imprese_sezioni_2011``), or None.

    Kept in the disk cache like the variables: the national file takes a while to read.
    """
    found = _entries(INDUSTRY_DATASET)
    if not found:
        return None
    paths = tuple(entry["path"] for entry in found)
    key = disk_cache.key_of("imprese", *paths, *(entry["sha256"] for entry in found))
    return _industry_from_cache(paths, key)


@functools.lru_cache(maxsize=2)
def _industry_from_cache(paths: tuple[str, ...], key: str) -> pd.DataFrame:
    arrays = disk_cache.load_or_build("imprese", key, lambda: _as_arrays(_read_all(INDUSTRY_DATASET, paths)))
    return pd.DataFrame({name: values for name, values in arrays.items()})


def industry_missing_message(comuni: tuple[str, ...]) -> str:
    regions = ",".join(regions_of(comuni))
    return (f"Mancano nell'archivio le unità locali e gli addetti per sezione del censimento dell'industria e dei "
            f"servizi 2011 della regione {regions}. Per ottenerli: "
            f"{HOW_TO_GET.format(fonte=INDUSTRY_DATASET, regione=regions)} (oppure scaricare dati-sce_2011.zip "
            "da www.istat.it, «Basi territoriali e variabili censuarie», e importarlo con: "
            "diagnosis dati aggiungi FILE).")


def section_boundaries(year: int):
    """The stored section boundaries of ``year``, a GeoDataFrame in EPSG:32632, or None."""
    found = _entries(boundaries_dataset(year))
    if not found:
        return None
    return _boundaries(boundaries_dataset(year), tuple(entry["path"] for entry in found), store.state())


@functools.lru_cache(maxsize=4)
def _boundaries(dataset: str, paths: tuple[str, ...], _state: tuple):
    return _read_all(dataset, paths)


def regions_of(comuni) -> list[str]:
    """The two-digit regions of ``comuni``, as ISTAT numbers its regional files."""
    table = registry.comuni().set_index("codice")["regione_codice"]
    return sorted({str(table[code]).zfill(2) for code in comuni})


def missing_message(what: str, year: int, comuni: tuple[str, ...]) -> str:
    """What is missing (``variabili``, ``geometrie`` or both, as ``variabili e le geometrie``) and how to get it."""
    regions = regions_of(comuni)
    datasets = [dataset for kind, dataset in (("variabili", variables_dataset(year)),
                                              ("geometrie", boundaries_dataset(year))) if kind in what]
    commands = " e ".join(HOW_TO_GET.format(fonte=dataset, regione=",".join(regions)) for dataset in datasets)
    return (f"Mancano nell'archivio le {what} delle sezioni di censimento {year} della regione "
            f"{', '.join(regions)}. Per ottenerle: {commands} (oppure scaricare i file da www.istat.it, "
            "«Basi territoriali e variabili censuarie», e importarli con: diagnosis dati aggiungi FILE).")


# --- the perimeter's geometry ------------------------------------------------------------------

def perimeter_shape(perimetro: Perimetro, comuni: tuple[str, ...]):
    """The perimeter as one shapely (multi)polygon in EPSG:32632, the sections' CRS.

    A drawn perimeter is its polygon; a list of sections, ACE or ASC is the union of their
    sections' boundaries, from the newest census whose boundaries hold every code
    (``CODED_YEARS``).
    """
    import geopandas as gpd  # geopandas takes a second to import: only districts with a perimeter pay
    import shapely  # as geopandas

    if perimetro.tipo == "poligono":
        drawn = gpd.GeoSeries([shapely.from_wkt(perimetro.geometria)], crs=boundaries.GEOGRAPHIC_CRS)
        return drawn.to_crs(SECTION_CRS).iloc[0]
    years = CODED_YEARS[perimetro.tipo]
    absent_by_year: dict[int, list[str]] = {}
    for year in years:
        sections = section_boundaries(year)
        members = None if sections is None else _members(sections, perimetro)
        if members is None:
            continue  # no boundaries of this census, or none carrying such codes
        absent = [code for code, rows in members.items() if not rows.any()]
        if not absent:
            chosen = pd.concat(list(members.values()), axis=1).any(axis=1)
            return shapely.union_all(sections[chosen].geometry.to_numpy())
        absent_by_year[year] = absent
    not_held = [year for year in years if section_boundaries(year) is None]
    how_to_get = missing_message("geometrie", not_held[0], comuni) if not_held else ""
    if absent_by_year:
        raise PerimetroSenzaSezioni(f"{_absent_message(perimetro, absent_by_year)} {how_to_get}".strip())
    if not_held:
        raise SezioniNonDisponibili(how_to_get)
    raise PerimetroSenzaSezioni(
        f"Nessuna sezione dei confini {' e '.join(map(str, years))} nell'archivio riporta "
        f"{CODED_FIELDS[perimetro.tipo]}: controllare i codici di 'perimetro: {perimetro.tipo}:' nel file del distretto."
    )


def _members(sections, perimetro: Perimetro) -> dict[str, pd.Series] | None:
    """Per code of the perimeter, which sections it takes in; None when the boundaries lack
    every column the codes are read from (the ACE in 2021, an ASC level in 2011)."""
    columns = {code: _code_column(perimetro.tipo, code) for code in perimetro.codici}
    held = {column for column in set(c for c, _ in columns.values())
            if column in sections and sections[column].notna().any()}
    if not held:
        return None
    return {code: (sections[column] == value) if column in held else pd.Series(False, index=sections.index)
            for code, (column, value) in columns.items()}


def _code_column(kind: str, code: str) -> tuple[str, str]:
    """The boundaries' column a perimeter's code is looked up in, and the value looked for."""
    if kind == "sezioni":
        return "sezione", code
    if kind == "ace":
        return "ace", code
    level, digits = asc_level(code)
    return asc_column(level), digits


def _absent_message(perimetro: Perimetro, absent_by_year: dict[int, list[str]]) -> str:
    year, absent = next(iter(absent_by_year.items()))
    censuses = " né fra quelle ".join(str(y) for y in absent_by_year)
    message = (f"I codici {', '.join(absent)} di 'perimetro: {perimetro.tipo}:' non sono fra le sezioni di "
               f"censimento {censuses} nell'archivio: controllare i codici nel file del distretto, oppure "
               "importare i confini della regione giusta.")
    if perimetro.tipo == "asc":
        message += _other_levels(absent, section_boundaries(year))
    return message


def _other_levels(absent: list[str], sections) -> str:
    """Where a code missing at its level is found at another one, how to write it there."""
    hints = []
    for code in absent:
        level, digits = asc_level(code)
        for other in ASC_LEVELS:
            column = asc_column(other)
            if other != level and column in sections and (sections[column] == digits).any():
                written = digits if other == 1 else f"ASC{other}:{digits}"
                hints.append(f"{digits} è un'area del livello {other} (campo COM_ASC{other}): scriverlo {written}")
    return f" Nota: {'; '.join(hints)}." if hints else ""


# --- areal weighting ---------------------------------------------------------------------------

def shares_inside(sections, shape) -> pd.Series:
    """Per section code, the share of its area inside ``shape`` (0 to 1)."""
    inside = sections.geometry.intersection(shape).area / sections.geometry.area
    shares = pd.Series(inside.to_numpy(), index=sections["sezione"].to_numpy(), name="quota")
    return shares.where(shares > TOUCHING, 0.0).clip(upper=1.0)


def weighted_sum(values: pd.Series, weights: pd.Series) -> float:
    """Σ value × weight; missing when a section that weighs has no value."""
    weights = weights.reindex(values.index).fillna(0.0)
    if (values.isna() & (weights > 0)).any():
        return float("nan")
    return float((values.fillna(0.0) * weights).sum())


def figures_for_year(year: int, shape, comuni: tuple[str, ...]) -> pd.DataFrame:
    """The perimeter, the rest of the comuni and the comuni, one row per measure held in ``year``."""
    table, sections = variables(year), section_boundaries(year)
    table = None if table is None else table[table["comune"].isin(comuni)].set_index("sezione")
    lacking = [what for what, found in (("variabili", table), ("geometrie", sections)) if found is None or found.empty]
    if lacking:
        raise SezioniNonDisponibili(missing_message(" e le ".join(lacking), year, comuni))
    _require_every_comune(table, sections, year, comuni, lambda absent: missing_message("variabili", year, absent))
    labels = {measure: facts["etichetta"] for measure, facts in measures().items()}
    return _weighted_rows(table, labels, _shares(year, sections, shape, comuni), year)


def industry_figures(shape, comuni: tuple[str, ...]) -> pd.DataFrame:
    """Local units and employees of the 2011 industry census, by the same areal weighting over
    the 2011 sections: one row per measure the stored file holds (``industry_sections.MEASURES``).
    A section the file does not list has no local unit (it adds nothing); one it lists with a
    blank cell leaves the figure missing where it counts."""
    table, sections = industry(), section_boundaries(industry_sections.YEAR)
    table = None if table is None else table[table["comune"].isin(comuni)].set_index("sezione")
    if table is None or table.empty:
        raise SezioniNonDisponibili(industry_missing_message(comuni))
    if sections is None or sections.empty:
        raise SezioniNonDisponibili(missing_message("geometrie", industry_sections.YEAR, comuni))
    _require_every_comune(table, sections, industry_sections.YEAR, comuni, industry_missing_message)
    shares = _shares(industry_sections.YEAR, sections, shape, comuni)
    return _weighted_rows(table, industry_sections.MEASURES, shares, industry_sections.YEAR)


def _require_every_comune(table: pd.DataFrame, sections, year: int, comuni: tuple[str, ...], lacking_rows) -> None:
    """Refuse a district one of whose comuni has no row in the figures or no section in the
    boundaries (a region of a district across two not imported): it would drop out of the
    comuni's sum, and the part of the perimeter inside it out of the perimeter's."""
    with_rows, with_sections = set(table["comune"]), set(sections["comune"])
    without_rows = tuple(code for code in comuni if code not in with_rows)
    if without_rows:
        raise SezioniNonDisponibili(lacking_rows(without_rows))
    without_sections = tuple(code for code in comuni if code not in with_sections)
    if without_sections:
        raise SezioniNonDisponibili(missing_message("geometrie", year, without_sections))


def _shares(year: int, sections, shape, comuni: tuple[str, ...]) -> pd.Series:
    shares = shares_inside(sections[sections["comune"].isin(comuni)], shape)
    if shares.sum() == 0:
        raise PerimetroSenzaSezioni(
            f"Il perimetro non copre alcuna sezione di censimento {year} dei comuni del distretto "
            f"({', '.join(comuni)}): controllare che il perimetro cada dentro i comuni e che i confini "
            "importati siano quelli della loro regione."
        )
    return shares


def _weighted_rows(table: pd.DataFrame, labels: dict[str, str], shares: pd.Series, year: int) -> pd.DataFrame:
    """One row per measure of ``labels`` the table holds: inside, rest, whole, sections without it."""
    whole = pd.Series(1.0, index=table.index)
    rows = []
    for measure, label in labels.items():
        values = table[measure]
        if values.isna().all():  # not a field of this census or file
            continue
        inside, total = weighted_sum(values, shares), weighted_sum(values, whole)
        rows.append({"misura": measure, "etichetta": label, "anno": year, "perimetro": inside,
                     "resto": total - inside, "comuni": total,
                     "sezioni_senza_dato": int(values.isna().sum())})
    return pd.DataFrame(rows)


def perimeter_residents(perimetro: Perimetro, comuni: tuple[str, ...]) -> float | None:
    """The perimeter's residents at the latest census in the store, by areal weighting; None
    when no census is held, the perimeter covers none of its sections, or a cell it needs is blank."""
    try:
        shape = perimeter_shape(perimetro, comuni)
        for year in sorted(YEARS, reverse=True):
            try:
                figures = figures_for_year(year, shape, comuni).set_index("misura")["perimetro"]
            except SezioniNonDisponibili:
                continue
            residents = figures.get("popolazione")
            return None if residents is None or pd.isna(residents) else float(residents)
    except (SezioniNonDisponibili, PerimetroSenzaSezioni):
        return None
    return None


def section_counts(year: int, shape, comuni: tuple[str, ...]) -> dict:
    """How many sections of ``year`` lie wholly inside the perimeter and how many it cuts."""
    sections = section_boundaries(year)
    shares = shares_inside(sections[sections["comune"].isin(comuni)], shape)
    return {"dentro": int((shares >= 1 - TOUCHING).sum()),
            "tagliate": int(((shares > 0) & (shares < 1 - TOUCHING)).sum())}


def changes(figures: pd.DataFrame) -> pd.DataFrame:
    """The change 2011-2021 in %, per measure held in both censuses; missing where 2011 is 0 or missing."""
    by_year = figures.set_index(["misura", "anno"])
    both = [m for m in dict.fromkeys(figures["misura"]) if (m, 2011) in by_year.index and (m, 2021) in by_year.index]
    rows = []
    for measure in both:
        old, new = by_year.loc[(measure, 2011)], by_year.loc[(measure, 2021)]
        row = {"misura": measure, "etichetta": old["etichetta"]}
        for area in ("perimetro", "resto", "comuni"):
            row[area] = (new[area] / old[area] - 1) * 100 if old[area] else float("nan")
        rows.append(row)
    return pd.DataFrame(rows, columns=["misura", "etichetta", "perimetro", "resto", "comuni"])
