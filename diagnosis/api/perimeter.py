"""Inside a district's perimeter: the census figures of the sections it covers, against its comuni."""

from __future__ import annotations

import pandas as pd

from diagnosis.api.common import Provenance, territory_of
from diagnosis.errors import DatiNonDisponibili, SezioniNonDisponibili
from diagnosis.sources.catalog import source_facts
from diagnosis.tables import census_sections
from diagnosis.territory import boundaries

COLUMNS = ["territorio", "misura", "etichetta", "anno", "perimetro", "resto", "comuni", "sezioni_senza_dato", "fonte"]
SOURCE = "sezioni-censimento"


def _perimeter_of(territory):
    if territory.perimetro is None:
        raise DatiNonDisponibili(
            f"{territory.etichetta} non ha un perimetro: le cifre dentro il perimetro valgono per un distretto il cui "
            "file indica 'perimetro:' (un poligono, o le sezioni di censimento, le ACE o le ASC che lo compongono)."
        )
    return territory.perimetro


def _provenance(territory, shape) -> Provenance:
    facts = source_facts(SOURCE)
    provenance = Provenance(territory)
    provenance.sources.append(facts["attribuzione"])
    provenance.statuses.append("definitivo")
    provenance.extra.update(metodo=census_sections.METHOD, licenza_sezioni=facts["licenza"],
                            perimetro=territory.perimetro.as_json() | {"superficie_kmq": round(shape.area / 1e6, 4)})
    return provenance


def dentro_perimetro(territorio) -> pd.DataFrame:
    """The census figures inside a district's perimeter, in the rest of its comuni and in the comuni.

    One row per measure and census (2011, 2021): ``misura`` (``popolazione``, ``maschi``,
    ``eta_0_14``…, ``stranieri``, ``famiglie``, ``abitazioni_occupate``, ``abitazioni_vuote``,
    ``edifici_…`` by age of construction), ``etichetta``, ``anno``, ``perimetro`` (estimated by
    areal weighting of the sections, see ``attrs["metodo"]``), ``resto`` (the comuni less the
    perimeter), ``comuni`` (the whole comuni) and ``sezioni_senza_dato`` (sections whose cell is
    not published: they leave the figure missing, never zero). A census whose sections are
    not in the store is left out and ``attrs["anni_mancanti"]`` says how to get it;
    ``attrs["sezioni"]`` counts, per census, the sections wholly inside and those cut.
    With the 2011 industry census in the store (``imprese_sezioni_2011``), rows of ``anno``
    2011 add ``unita_locali`` and ``addetti`` (and, when its file has an ATECO column,
    ``..._commercio`` for ATECO G and ``..._dettaglio`` for ATECO 47), weighted over the 2011
    sections in the same way; without it ``attrs["imprese_mancanti"]`` says how to get it.

    Raises ``DatiNonDisponibili`` when the territory has no perimeter or the store holds no
    census, ``PerimetroSenzaSezioni`` when the perimeter covers none of the comuni's sections.

    >>> import diagnosis as dg
    >>> dg.dentro_perimetro("Pioltello")
    Traceback (most recent call last):
    ...
    diagnosis.errors.DatiNonDisponibili: Pioltello (MI) non ha un perimetro: ...
    """
    territory = territory_of(territorio)
    perimetro = _perimeter_of(territory)
    shape = census_sections.perimeter_shape(perimetro, territory.comuni)
    frames, missing, counts = [], {}, {}
    for year in census_sections.YEARS:
        try:
            frames.append(census_sections.figures_for_year(year, shape, territory.comuni))
        except SezioniNonDisponibili as error:
            missing[str(year)] = str(error)
            continue
        counts[str(year)] = census_sections.section_counts(year, shape, territory.comuni)
    if not frames:
        raise SezioniNonDisponibili(" ".join(missing.values()))
    provenance = _provenance(territory, shape)
    provenance.extra.update(anni_mancanti=missing, sezioni=counts, imprese_mancanti=None)
    try:
        frames.append(census_sections.industry_figures(shape, territory.comuni))
        provenance.extra["metodo"] += " " + census_sections.INDUSTRY_METHOD
    except SezioniNonDisponibili as error:
        provenance.extra["imprese_mancanti"] = str(error)
    table = pd.concat(frames, ignore_index=True)
    table.insert(0, "territorio", territory.id)
    table["fonte"] = provenance.sources[0]
    return provenance.write(table[COLUMNS])


def variazioni_perimetro(territorio) -> pd.DataFrame:
    """The change 2011-2021 (%) inside the perimeter, in the rest of the comuni and in the comuni.

    Columns ``misura``, ``etichetta``, ``perimetro``, ``resto``, ``comuni``: only the measures
    both censuses hold; empty when one census is not in the store.
    """
    figures = dentro_perimetro(territorio)
    changes = census_sections.changes(figures)
    changes.attrs = figures.attrs
    return changes


def sezioni_perimetro(territorio):
    """What the perimeter's map draws, one GeoDataFrame in EPSG:32632 with a column ``strato``:

    ``sezione`` (the sections of the comuni, newest census held, with ``quota`` inside the
    perimeter), ``perimetro`` (one row) and ``comune`` (the outline of each comune);
    ``attrs``: the census ``anno`` and how many sections are wholly inside (``dentro``) and cut
    (``tagliate``).
    """
    import geopandas as gpd  # geopandas takes a second to import: only maps pay for it

    territory = territory_of(territorio)
    perimetro = _perimeter_of(territory)
    shape = census_sections.perimeter_shape(perimetro, territory.comuni)
    year = next((y for y in reversed(census_sections.YEARS) if census_sections.section_boundaries(y) is not None), None)
    if year is None:
        raise SezioniNonDisponibili(census_sections.missing_message("geometrie", 2021, territory.comuni))
    sections = census_sections.section_boundaries(year)
    sections = sections[sections["comune"].isin(territory.comuni)]
    shares = census_sections.shares_inside(sections, shape)
    layer = gpd.GeoDataFrame({"strato": "sezione", "codice": sections["sezione"].to_numpy(),
                              "quota": shares.to_numpy()}, geometry=sections.geometry.to_numpy(),
                             crs=census_sections.SECTION_CRS)
    comuni = boundaries.geometries()
    comuni = comuni[comuni["codice"].isin(territory.comuni)].to_crs(census_sections.SECTION_CRS)
    outline = gpd.GeoDataFrame({"strato": "comune", "codice": comuni["codice"].to_numpy(), "quota": float("nan")},
                               geometry=comuni.geometry.to_numpy(), crs=census_sections.SECTION_CRS)
    drawn = gpd.GeoDataFrame({"strato": ["perimetro"], "codice": [territory.id], "quota": [1.0]},
                             geometry=[shape], crs=census_sections.SECTION_CRS)
    found = pd.concat([layer, outline, drawn], ignore_index=True)
    found.attrs = {"anno": year, "territorio": territory.id,
                   **census_sections.section_counts(year, shape, territory.comuni)}
    return gpd.GeoDataFrame(found, geometry="geometry", crs=census_sections.SECTION_CRS)
