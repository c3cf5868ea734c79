"""What each figure of an indicator rests on: its source line, reference date and status,
and, when it is missing, why and the command that gets it.

The figure names are those of :class:`~diagnosis.indicators.counts.TerritoryCounts`;
``popolazione@X`` is the population on the date of figure ``X``.
"""

from __future__ import annotations

from diagnosis.statuses import least_final
from diagnosis.tables.population_series import REBASING_YEAR

AREA_SOURCE = "ISTAT, superficie territoriale ufficiale dei comuni (Classificazioni statistiche dei comuni)"
STOCK_FIGURES = ("popolazione", "popolazione_precedente", "eta", "stranieri", "famiglie")

# Figure -> (what a reader is told is missing, the command that gets it). ``{territorio}``
# and the year fields are filled in from the territory and the year asked.
HOW_TO_GET = {
    "popolazione": ("la popolazione residente al 1° gennaio {anno}",
                    "diagnosis dati scarica --fonte {fonte_popolazione} --territorio {territorio} --anni {anno}"),
    "popolazione_precedente": ("la popolazione residente al 1° gennaio {anno_prima}",
                               "diagnosis dati scarica --fonte posas --anni {anno_prima}"),
    "eta": ("la popolazione per età al 1° gennaio {anno} o di un anno precedente",
            "diagnosis dati scarica --fonte posas --anni {anno}"),
    "superficie": ("la superficie di almeno un comune del territorio", None),
    "bilancio": ("il bilancio demografico ISTAT (P2) del {anno} o di un anno precedente",
                 "diagnosis dati scarica --fonte p2 --anni {anno_prima}"),
    "bilancio_stranieri": ("il bilancio demografico degli stranieri ISTAT (P3)",
                           "diagnosis dati scarica --fonte p3 --anni {anno_prima}"),
    "stranieri": ("i residenti stranieri ISTAT (29_316)",
                  "diagnosis dati scarica --fonte stranieri_sdmx --territorio {territorio} --anni {anno}"),
    "famiglie": ("le famiglie ISTAT (22_315)",
                 "diagnosis dati scarica --fonte bilancio_sdmx --territorio {territorio} --anni {anno_prima}"),
    "reddito": ("i redditi IRPEF del MEF di un anno d'imposta fino al {anno}",
                "diagnosis dati scarica --fonte mef_irpef --anni {anno_prima} (oppure diagnosis dati aggiungi FILE "
                "con il file scaricato dal sito del MEF)"),
    "reddito_reale": ("il confronto a prezzi costanti (redditi MEF di un anno precedente e indice dei prezzi)",
                      "diagnosis dati aggiungi FILE con l'indice dei prezzi al consumo ISTAT (colonne anno;indice)"),
    "imprese": ("le unità locali ISTAT ASIA di tutti i comuni del territorio",
                "diagnosis dati scarica --fonte asia_ul --territorio {territorio}"),
    "osm": ("OpenStreetMap per tutti i comuni del territorio", "diagnosis dati scarica --fonte osm --territorio {territorio}"),
    "rilevazione": ("la rilevazione dell'analista (registro dei negozi, locali sfitti)",
                    "compilare i modelli templates/registro_negozi.csv e templates/rilevazione_sfitti.csv e importarli "
                    "con diagnosis dati aggiungi FILE --territorio {territorio}"),
    "presenze": ("il file delle presenze del territorio (operatore telefonico, contatori Wi-Fi o modello)",
                 "compilare il modello templates/presenze.csv o esportare i dati dalla piattaforma del fornitore e "
                 "importarli con diagnosis dati aggiungi FILE --territorio {territorio}"),
    "frame": ("il Frame territoriale ISTAT delle imprese di un anno fino al {anno}", None),
    "lungo_periodo": ("la serie storica della popolazione (almeno cinque anni prima)",
                      "diagnosis dati scarica --fonte popolazione_ricostruita --territorio {territorio} --anni 2002-2018"),
}


def _figure(counts, name: str):
    """The figure ``name`` of ``counts`` (None when missing), following ``popolazione@X``."""
    if name == "superficie":
        return counts.superficie_kmq
    if "@" in name:
        other = getattr(counts, name.split("@", 1)[1])
        return counts.popolazioni.get(other.anno) if other is not None else None
    return getattr(counts, name)


def _date_text(name: str, figure) -> str:
    year = getattr(figure, "anno", None)
    if name.startswith("popolazione") or name in STOCK_FIGURES:
        return f"al 1° gennaio {year}"
    if name == "reddito":
        return f"anno d'imposta {year}"
    if name in ("bilancio", "bilancio_stranieri", "imprese", "frame"):
        return f"anno {year}"
    return ""


def _line(name: str, figure) -> tuple[str, str]:
    """(source line with its date, status) of one figure."""
    if name == "superficie":
        return AREA_SOURCE, "definitivo"
    if isinstance(figure, dict):  # the analyst's figures carry their source line with them
        return figure["fonte"], "definitivo"
    fonte = getattr(figure, "fonte", "")
    when = _date_text(name, figure)
    if when and str(getattr(figure, "anno", "")) not in fonte:
        fonte = f"{fonte}, {when}"
    vintage = getattr(figure, "vintage", "")
    if vintage and vintage not in fonte:
        fonte = f"{fonte} — {vintage}"
    if name == "reddito" and not figure.confrontabile:
        fonte += " (reddito imponibile non confrontabile con gli anni fuori dal 2003-2006)"
    return fonte, getattr(figure, "stato", "definitivo")


def provenance(indicator, counts) -> tuple[str, str]:
    """(source lines, least final status) of the figures an indicator reads."""
    lines, statuses = [], []
    for name in indicator.dati:
        figure = _figure(counts, name)
        if figure is None:
            label = _missing_label(name, counts)
            return f"{label[:1].upper()}{label[1:]} (non disponibile)", "non disponibile"
        fonte, stato = _line(name, figure)
        lines.append(fonte)
        statuses.append(stato)
    return "; ".join(dict.fromkeys(lines)), least_final(statuses)


def reference_of(indicator, counts) -> str:
    """The reference date of an indicator: that of the first figure it reads (its numerator)."""
    name = indicator.dati[0]
    figure = _figure(counts, name)
    if figure is None or name == "superficie":
        return ""
    if name == "popolazione" and "popolazione_precedente" in indicator.dati and counts.popolazione_precedente:
        return f"dal 1° gennaio {counts.anno - 1} al 1° gennaio {counts.anno}"
    if name == "lungo_periodo":
        return f"dal 1° gennaio {figure.da} al 1° gennaio {figure.a}"
    if "reddito_reale" in indicator.dati and counts.reddito_reale:  # a change spans two tax years
        return f"dall'anno d'imposta {counts.reddito_reale.da} al {counts.reddito_reale.a}"
    if isinstance(figure, dict) and "riferimento" in figure:  # the analyst's files that say their period
        return figure["riferimento"]
    return _date_text(name, figure)


def _missing_label(name: str, counts) -> str:
    label = HOW_TO_GET.get(name.split("@")[0], (name, None))[0]
    year = _figure_year(counts, name) or counts.anno
    return label.format(anno=year, anno_prima=year - 1)


def missing_note(indicator, counts, territory) -> str:
    """Why the value is missing and how to get what it needs: every missing figure, then what
    the indicator needs beyond its figures (``quando_manca``)."""
    notes = [_figure_note(name, counts, territory) for name in indicator.dati if _figure(counts, name) is None]
    if indicator.quando_manca:
        need = indicator.quando_manca.format(territorio=_target(territory))
        notes.append(f"{need[:1].upper()}{need[1:]}")
    if not notes:
        return "Non calcolabile: la grandezza di riferimento è nulla."
    return " ".join(notes)


def _figure_note(name: str, counts, territory) -> str:
    reason = counts.lacune.get(name) or counts.lacune.get(f"popolazione@{_figure_year(counts, name)}")
    if reason:
        return f"Non disponibile: {reason}."
    label, command = HOW_TO_GET.get(name.split("@")[0], (name, None))
    year = _figure_year(counts, name) or counts.anno  # the population of another figure's date
    shown = label.format(anno=year, anno_prima=year - 1)
    if command is None:
        return f"Dato mancante: {shown}."
    filled = command.format(territorio=_target(territory), anno=year, anno_prima=year - 1,
                            fonte_popolazione=_population_source(year))
    return f"Dato mancante: {shown}. Per ottenerlo: {filled}."


def _population_source(year: int) -> str:
    """The download that gives the population of 1 January ``year``: the intercensal
    reconstruction before the permanent census (2019), SDMX 22_289 from then on."""
    return "popolazione_ricostruita" if year < REBASING_YEAR else "popolazione_sdmx"


def _target(territory) -> str:
    return f'"{territory.etichetta}"' if territory.livello == "comune" else territory.id


def _figure_year(counts, name: str):
    if "@" not in name:
        return None
    other = getattr(counts, name.split("@", 1)[1])
    return getattr(other, "anno", None)


def figure_json(counts) -> dict:
    """Every figure used, with its reference date, status and source: what the report states."""
    found = {}
    for name in ("popolazione", "popolazione_precedente", "eta", "bilancio", "bilancio_stranieri", "stranieri",
                 "famiglie", "reddito", "imprese", "frame"):
        figure = getattr(counts, name)
        if figure is None:
            continue
        fonte, stato = _line(name, figure)
        found[name] = {"anno": figure.anno, "riferimento": _date_text(name, figure), "stato": stato, "fonte": fonte}
        if getattr(figure, "ricostruiti", ()):
            found[name]["comuni_ricostruiti"] = list(figure.ricostruiti)
    return found
