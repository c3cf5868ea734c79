"""The commercial fabric of a territory, as the fotografia's commerce section reads it: the
mix of ISTAT ASIA local units and its location quotients, the categories the peer comuni
have and the territory lacks, the signals of desertification, the places mapped in
OpenStreetMap and the analyst's own register and vacancy survey."""

from __future__ import annotations

import pandas as pd

from diagnosis.api.common import Provenance, fotografia_year, territory_of, tidy, value_of
from diagnosis.api.indicators import fotografia_result
from diagnosis.errors import DatiNonDisponibili
from diagnosis.indicators.availability import HOW_TO_GET
from diagnosis.indicators.commerce_analysis import lq_reading
from diagnosis.sources.commerce_groups import all_groups
from diagnosis.tables import analyst, local_units, osm_points
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio, parents

MIX_COLUMNS = ["territorio", "anno", "gruppo", "etichetta", "variabile", "confronto", "nome_confronto", "valore",
               "lettura", "stato", "fonte"]
SIGNAL_COLUMNS = ["territorio", "tipo", "comune", "testo"]
PLACE_COLUMNS = ["territorio", "codice", "comune", "nome", "stato", "gruppi", "lat", "lon", "versione", "fonte"]
SURVEYED_COLUMNS = ["territorio", "nome", "indirizzo", "stato", "gruppi", "lat", "lon", "fonte"]
MOVEMENT_COLUMNS = ["territorio", "anno", "aperture", "chiusure", "saldo", "stato", "fonte"]
# The peers' expected units, against the territory's: the variables of ``dg.commercio``.
PEER_VARIABLES = ("attese", "presenti", "scarto", "tasso_pari_per_1000")
PEERS = "pari"
# The analyst's files describe the territory as surveyed: they have no publisher's status.
SURVEYED = "rilevazione"


def _missing(figure: str, territory: Territorio) -> DatiNonDisponibili:
    label, command = HOW_TO_GET[figure]
    target = f'"{territory.etichetta}"' if territory.livello == "comune" else territory.id
    return DatiNonDisponibili(f"Dati mancanti: {label}. Per ottenerli: {command.format(territorio=target)}.")


def _gap_reading(row: dict) -> str:
    """How the report reads a missing-category row: to attract, in line, or above the peers."""
    if row["mancanti"]:
        return "da attrarre"
    return "in linea" if row["scarto"] > -1 else "oltre l'atteso"


def commercio(territorio, anno=None):
    """The commercial mix of the territory (ISTAT ASIA local units by commercial group).

    One row per group and variable: ``quota`` (the group's share of the commercial fabric,
    %), ``quoziente_localizzazione`` against each benchmark (``confronto``: its id,
    ``nome_confronto``: its name; 1 = the same mix, ``lettura``: specialisation,
    in line or under-represented beyond ±20 %), and, against the peer comuni
    (``confronto`` ``pari``), ``attese`` (units expected at the peers' rate × the
    territory's residents), ``presenti``, ``scarto`` (expected − present) and
    ``tasso_pari_per_1000``; their ``lettura`` says whether the group is to attract.
    A benchmark whose ASIA detail covers too few comuni has no quotients.

    Needs the ATECO detail of a download (``diagnosis dati scarica --fonte asia_ul``);
    without it :class:`DatiNonDisponibili` names the command.

    Columns: ``territorio``, ``anno`` (the ASIA year), ``gruppo``, ``etichetta``,
    ``variabile``, ``confronto``, ``nome_confronto``, ``valore``, ``lettura``, ``stato``,
    ``fonte``.

    >>> import diagnosis as dg
    >>> dg.commercio("Pioltello")
    Traceback (most recent call last):
    ...
    diagnosis.errors.DatiNonDisponibili: Dati mancanti: le unità locali ISTAT ASIA di tutti i comuni del territorio...
    """
    territory = territory_of(territorio)
    year = fotografia_year(anno)
    summary = fotografia_result(territory, year).get("commercio") or {}
    units = local_units.totals(territory.comuni, year)
    if not summary.get("quote") or units is None:
        raise _missing("imprese", territory)
    provenance = Provenance(territory)
    provenance.add(units, f"ASIA {units.anno}")
    names = {parent.id: parent.nome for parent in parents(territory)}
    common = {"territorio": territory.id, "anno": units.anno, "stato": units.stato, "fonte": units.fonte}
    groups = summary["gruppi"]
    rows = [common | {"gruppo": gid, "etichetta": groups[gid], "variabile": "quota", "valore": share}
            for gid, share in summary["quote"].items()]
    for benchmark, quotients in summary.get("quozienti_localizzazione", {}).items():
        rows += [common | {"gruppo": gid, "etichetta": groups[gid], "variabile": "quoziente_localizzazione",
                           "confronto": benchmark, "nome_confronto": names[benchmark], "valore": value_of(value),
                           "lettura": lq_reading(value)}
                 for gid, value in quotients.items()]
    for row in summary.get("categorie_mancanti", []):
        rows += [common | {"gruppo": row["gruppo"], "etichetta": row["nome"], "variabile": variable,
                           "confronto": PEERS, "nome_confronto": "comuni simili", "valore": row[variable],
                           "lettura": _gap_reading(row)}
                 for variable in PEER_VARIABLES]
    return tidy(rows, MIX_COLUMNS, provenance)


def desertificazione(territorio, anno=None):
    """The signals of commercial desertification, each a sentence with its evidence.

    A comune with at most one food shop (ASIA, else OpenStreetMap), local units per 1,000
    inhabitants falling over the ASIA years, vacant premises mapped above the peers'
    share. An empty table: no signal in the data held.

    Columns: ``territorio``, ``tipo`` (``deserto_alimentare``, ``unita_locali_in_calo``,
    ``sfitti_sopra_i_pari``), ``comune`` (the comune concerned, when one), ``testo``.

    >>> import diagnosis as dg
    >>> len(dg.desertificazione("Pioltello"))
    0
    """
    territory = territory_of(territorio)
    summary = fotografia_result(territory, fotografia_year(anno)).get("commercio") or {}
    rows = [{"territorio": territory.id, "tipo": s["tipo"], "comune": s.get("comune"), "testo": s["testo"]}
            for s in summary.get("segnali_desertificazione", [])]
    provenance = Provenance(territory)
    provenance.sources.append("Elaborazione su ISTAT ASIA, OpenStreetMap e popolazione ISTAT")
    return tidy(rows, SIGNAL_COLUMNS, provenance)


def osm(territorio):
    """Shops, public places and vacant premises mapped in OpenStreetMap, one row per place.

    From the latest OpenStreetMap file stored for each comune (``diagnosis dati scarica
    --fonte osm --territorio ...``). ``stato`` is ``attivo`` or ``sfitto``; ``gruppi``
    lists the commercial groups of the place (a place counts in each; their names are in
    ``attrs["gruppi"]``). A comune without a
    file is named in ``attrs["comuni_mancanti"]``: the others' places are still listed,
    but their counts are not the territory's. Volunteers map OpenStreetMap: the counts
    are a minimum.

    Columns: ``territorio``, ``codice`` and ``comune`` (where the place is), ``nome``,
    ``stato``, ``gruppi``, ``lat``, ``lon``, ``versione`` (the date of the OpenStreetMap
    data), ``fonte``.

    >>> import diagnosis as dg
    >>> luoghi = dg.osm("Pioltello")
    >>> len(luoghi), luoghi.attrs["comuni_mancanti"]
    (0, {'osm': ['015175']})
    """
    territory = territory_of(territorio)
    found = osm_points.points(territory.comuni)
    # Each comune's file has its own date: the totals of the comune alone carry it.
    each = {code: osm_points.totals([code]) for code in osm_points.covered(territory.comuni)}
    names = registry.names()
    table = pd.DataFrame({
        "territorio": territory.id, "codice": found["codice"], "comune": found["codice"].map(names),
        "nome": found["nome"], "stato": found["stato"], "gruppi": found["gruppi"], "lat": found["lat"],
        "lon": found["lon"], "versione": found["codice"].map({code: t.data_dati for code, t in each.items()}),
        "fonte": found["codice"].map({code: t.fonte for code, t in each.items()}),
    })
    provenance = Provenance(territory)
    provenance.sources += list(dict.fromkeys(t.fonte for t in each.values())) or [osm_points.SOURCE]
    lacking = [code for code in territory.comuni if code not in each]
    if lacking:
        provenance.missing["osm"] = lacking
    provenance.extra["gruppi"] = group_names()
    return tidy(table.to_dict("records"), PLACE_COLUMNS, provenance)


def rilevazione(territorio):
    """The analyst's field survey: the register's shops and the premises vacant today, one row each.

    From the shop register and the vacancy survey imported for the territory (``diagnosis
    dati aggiungi FILE --territorio ...``), re-validated on every read. ``stato`` is
    ``attivo`` or ``sfitto``; a premises in both files is listed once, from the vacancy
    survey; rows without coordinates are left out. ``attrs["note"]`` says why a figure of
    the files is missing or partial, ``attrs["gruppi"]`` names the groups. Without the files, :class:`DatiNonDisponibili`
    names the templates and the command.

    Columns: ``territorio``, ``nome``, ``indirizzo``, ``stato``, ``gruppi``, ``lat``,
    ``lon``, ``fonte``.

    >>> import diagnosis as dg
    >>> dg.rilevazione("Pioltello")
    Traceback (most recent call last):
    ...
    diagnosis.errors.DatiNonDisponibili: Dati mancanti: la rilevazione dell'analista (registro dei negozi, locali sfitti)...
    """
    territory = territory_of(territorio)
    figures = _surveyed(territory)
    places = analyst.points(territory.id)
    provenance = _surveyed_provenance(territory, figures)
    rows = [{"territorio": territory.id, "nome": row.nome, "indirizzo": row.indirizzo, "stato": row.stato,
             "gruppi": row.gruppi, "lat": row.lat, "lon": row.lon, "fonte": figures["fonte"]}
            for row in places.itertuples()]
    return tidy(rows, SURVEYED_COLUMNS, provenance)


def aperture_chiusure(territorio):
    """Shops opened and closed per calendar year, from the analyst's shop register.

    ``aperture``: register rows whose ``data_apertura`` falls in the year; ``chiusure``:
    rows whose ``data_chiusura`` does; ``saldo`` = aperture − chiusure. Only the years the
    dates reach, oldest first.

    Columns: ``territorio``, ``anno``, ``aperture``, ``chiusure``, ``saldo``, ``stato``, ``fonte``.

    >>> import diagnosis as dg
    >>> dg.aperture_chiusure("Pioltello")
    Traceback (most recent call last):
    ...
    diagnosis.errors.DatiNonDisponibili: Dati mancanti: la rilevazione dell'analista (registro dei negozi, locali sfitti)...
    """
    territory = territory_of(territorio)
    figures = _surveyed(territory)
    rows = [{"territorio": territory.id, "anno": year, "aperture": flows["aperture"], "chiusure": flows["chiusure"],
             "saldo": flows["saldo"], "stato": SURVEYED, "fonte": figures["fonte"]}
            for year, flows in sorted((figures.get("aperture_chiusure") or {}).items())]
    return tidy(rows, MOVEMENT_COLUMNS, _surveyed_provenance(territory, figures))


def _surveyed(territory: Territorio) -> dict:
    figures = analyst.figures(territory.id)
    if figures is None:
        raise _missing("rilevazione", territory)
    return figures


def _surveyed_provenance(territory: Territorio, figures: dict) -> Provenance:
    provenance = Provenance(territory)
    provenance.sources.append(figures["fonte"])
    provenance.extra["note"] = list(figures.get("note") or [])
    provenance.extra["gruppi"] = group_names()
    return provenance


def group_names() -> dict[str, str]:
    """The commercial groups' names by id: what ``gruppi`` of a place lists."""
    return {group_id: group.nome for group_id, group in all_groups().items()}
