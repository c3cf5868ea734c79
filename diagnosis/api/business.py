"""Local units and employees of a territory: ISTAT ASIA by commercial group, and the Frame
territoriale by sector — the figures the fotografia's indicators divide."""

from __future__ import annotations

from diagnosis.api.common import Provenance, fotografia_year, territory_of, tidy, value_of
from diagnosis.errors import DatiNonDisponibili
from diagnosis.indicators.availability import HOW_TO_GET
from diagnosis.indicators.compute import counts_for
from diagnosis.sources.commerce_groups import all_groups
from diagnosis.tables import local_units
from diagnosis.territory.model import Territorio

COLUMNS = ["territorio", "anno", "registro", "gruppo", "etichetta", "variabile", "valore", "stato", "fonte"]
VARIABLES = ("unita_locali", "addetti")
SECTORS = {"totale": "tutte le attività", "industria": "industria", "servizi": "servizi"}


def imprese(territorio, anno=None, per_ateco: bool = False):
    """Local units (``unita_locali``) and employees (``addetti``) of the territory's comuni.

    The registers of the fotografia of ``anno`` (None: the default year), each from its
    latest year not after it, and never chained together:

    - ``registro`` ``asia``: ISTAT ASIA, the whole economy (``gruppo`` ``totale``) and each
      commercial group of ``diagnosis/sources/commerce_groups.yaml``. The groups need the
      ATECO detail of a download (``diagnosis dati scarica --fonte asia_ul --territorio
      ...``): without it, or where a group needs finer ATECO codes than those stored, the
      group's values are NaN (``attrs["gruppi_non_contabili"]``);
    - ``registro`` ``frame``: ISTAT's Frame territoriale by sector, with the variables it
      publishes (value added in thousands of euro); a cell the Frame hides is NaN.

    With ``per_ateco=True``, ASIA only, one ``gruppo`` per ATECO 2007 code at the finest
    level downloaded (``etichetta``: the activity), most local units first: it needs the
    download too, else :class:`DatiNonDisponibili` names its command.

    Columns: ``territorio``, ``anno`` (the register's year), ``registro``, ``gruppo``,
    ``etichetta``, ``variabile``, ``valore``, ``stato``, ``fonte``.

    >>> import diagnosis as dg
    >>> u = dg.imprese("Pioltello")
    >>> u[u["gruppo"] == "totale"][["anno", "registro", "variabile", "valore"]].head(2)
       anno registro     variabile   valore
    0  2018     asia  unita_locali  1787.00
    1  2018     asia       addetti  9111.45
    """
    territory = territory_of(territorio)
    if per_ateco:
        return _by_activity(territory, fotografia_year(anno))
    counts = counts_for(territory, fotografia_year(anno))
    if counts.imprese is None and counts.frame is None:
        raise _missing(territory)
    provenance = Provenance(territory)
    rows = _asia_rows(territory, counts.imprese, provenance) + _frame_rows(territory, counts.frame, provenance)
    return tidy(rows, COLUMNS, provenance)


def _asia_rows(territory, found, provenance: Provenance) -> list[dict]:
    if found is None:
        return []
    whole = provenance.add(found, f"ASIA {found.anno}")
    provenance.extra["gruppi_non_contabili"] = list(found.gruppi_non_contabili)
    common = {"territorio": territory.id, "anno": found.anno, "registro": "asia", "stato": found.stato,
              "fonte": found.fonte}
    figures = {("totale", "tutte le attività"): (found.unita_locali, found.addetti)}
    figures |= {(gid, group.nome): found.per_gruppo.get(gid, (None, None)) for gid, group in all_groups().items()}
    return [common | {"gruppo": gid, "etichetta": label, "variabile": variable,
                      "valore": value_of(value) if whole else None}
            for (gid, label), values in figures.items() for variable, value in zip(VARIABLES, values)]


def _frame_rows(territory, found, provenance: Provenance) -> list[dict]:
    if found is None:
        return []
    whole = provenance.add(found, f"Frame {found.anno}")
    hidden = {column: list(codes) for column, codes in found.oscurati.items()}
    if hidden:
        provenance.extra["oscurati_frame"] = hidden
    rows = []
    for column, value in found.valori.items():
        sector, variable = column.split("|", 1)
        rows.append({"territorio": territory.id, "anno": found.anno, "registro": "frame", "gruppo": sector,
                     "etichetta": SECTORS.get(sector, sector), "variabile": variable,
                     "valore": value_of(value) if whole else None, "stato": found.stato, "fonte": found.fonte})
    return rows


def _missing(territory: Territorio) -> DatiNonDisponibili:
    label, command = HOW_TO_GET["imprese"]
    return DatiNonDisponibili(f"Dati mancanti: {label}. Per ottenerli: {command.format(territorio=territory.id)}.")


def _by_activity(territory: Territorio, year: int):
    """ASIA per ATECO code, summed over the comuni, when the download covers every one of them."""
    found = local_units.totals(territory.comuni, year)
    if found is None or found.livello_ateco == 0:
        raise _missing(territory)
    stored = local_units.rows_of(territory.comuni)
    present = set(stored.loc[stored["anno"] == found.anno, "codice"])
    provenance = Provenance(territory)
    provenance.add(found, f"ASIA {found.anno}")
    lacking = [code for code in territory.comuni if code not in present]
    if lacking:
        provenance.missing[f"ASIA {found.anno}"] = lacking
    common = {"territorio": territory.id, "anno": found.anno, "registro": "asia", "stato": found.stato,
              "fonte": found.fonte}
    rows = [common | {"gruppo": row.ateco, "etichetta": row.descrizione, "variabile": variable,
                      "valore": None if lacking else value_of(getattr(row, variable))}
            for row in local_units.by_code(territory.comuni, year).itertuples() for variable in VARIABLES]
    return tidy(rows, COLUMNS, provenance)
