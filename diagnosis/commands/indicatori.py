"""``diagnosis indicatori``: the indicators of a territory against its benchmarks."""

from __future__ import annotations

import math

import pandas as pd

from diagnosis.api.commuting import pendolarismo
from diagnosis.api.perimeter import dentro_perimetro
from diagnosis.api.spending import capacita_di_spesa
from diagnosis.api.tourism import turismo
from diagnosis.errors import DatiNonDisponibili
from diagnosis.formatting import format_value, shown_value
from diagnosis.indicators import INDICATORS, compute_indicators, cycling
from diagnosis.tables.census_sections import changes
from diagnosis.territory import resolve_territory
from diagnosis.territory.model import parents

STATUS_MARK = {"definitivo": "", "provvisorio": " (p)", "stima": " (s)", "non disponibile": ""}
LABEL_WIDTH = 46


def _fit(label: str, width: int = LABEL_WIDTH) -> str:
    """Long labels (the commercial groups) shortened so the columns stay aligned."""
    return label if len(label) < width else label[: width - 2].rstrip() + "…"


def indicators_json(territory_argument: str, year: int | None) -> dict:
    territory = resolve_territory(territory_argument)
    result = compute_indicators(territory, year)
    result |= {"ciclabilita": cycling.summary(territory), "flussi_aperti": open_flows_json(territory, result["anno"])}
    if territory.perimetro is not None:
        result["dentro_perimetro"] = perimeter_json(territory)
    return result


def _records(table) -> list[dict]:
    """Rows as JSON objects; a missing figure is null, never zero."""
    return [{key: None if isinstance(value, float) and math.isnan(value) else value for key, value in row.items()}
            for row in table.to_dict("records")]


def perimeter_json(territory) -> dict:
    """The census figures inside the district's perimeter, or why there are none."""
    try:
        table = dentro_perimetro(territory)
    except DatiNonDisponibili as error:
        return {"disponibile": False, "nota": str(error)}
    return {"disponibile": True, "metodo": table.attrs["metodo"], "fonte": table.attrs["fonte"],
            "sezioni": dict(table.attrs["sezioni"]), "anni_mancanti": dict(table.attrs["anni_mancanti"]),
            "imprese_mancanti": table.attrs["imprese_mancanti"],
            "valori": _records(table.drop(columns=["territorio", "fonte"])),
            "variazioni_2011_2021_pct": _records(changes(table))}


def open_flows_json(territory, year: int) -> dict:
    """Commuting, tourism and spending power under ``flussi_aperti``: per part, the figures of the
    territory and of each benchmark (``territori``), or ``disponibile: false`` with how to get them.
    ``anno`` is the part's latest year; commuting, whose reasons may come from two censuses, gives
    each reason's year and source under ``motivi``."""
    parts = {
        "pendolarismo": lambda: pendolarismo(territory),
        "turismo": lambda: turismo(territory),
        "capacita_di_spesa": lambda: capacita_di_spesa(territory, year),
    }
    found = {}
    for key, build in parts.items():
        try:
            table = build()
        except DatiNonDisponibili as error:
            found[key] = {"disponibile": False, "nota": str(error)}
            continue
        found[key] = {"disponibile": True, "anno": int(table["anno"].max()), "fonte": table.attrs["fonte"],
                      "territori": _figures_by_territory(table)}
        if "motivo" in table:
            found[key]["motivi"] = _sources_by_reason(table)
        found[key] |= {extra: table.attrs[extra] for extra in ("presenze", "pendolari_e_turisti")
                       if extra in table.attrs}
    return found


def _sources_by_reason(table: pd.DataFrame) -> dict:
    """``{reason: {"anno": year, "fonte": source}}``: every row of one reason rests on one matrix."""
    firsts = table.drop_duplicates("motivo")
    return {row.motivo: {"anno": int(row.anno), "fonte": row.fonte} for row in firsts.itertuples()}


def _figures_by_territory(table: pd.DataFrame) -> dict:
    """``{territory id: {variable: value}}``; a breakdown (reason, kind) nests under its name."""
    breakdown = next((column for column in ("motivo", "tipo") if column in table), None)
    figures: dict = {}
    for row in table.itertuples():
        value = None if math.isnan(row.valore) else row.valore
        place = figures.setdefault(row.territorio, {})
        part = getattr(row, breakdown) if breakdown else "totale"
        if part == "totale":
            place[row.variabile] = value
        else:
            place.setdefault(part, {})[row.variabile] = value
    return figures


def _benchmark_names(territory) -> dict[str, str]:
    def short(parent) -> str:
        if parent.livello == "provincia":
            return "Prov. " + parent.id.split(":", 1)[1]
        return parent.nome.replace("Regione ", "")

    return {parent.id: short(parent) for parent in parents(territory)}


def _benchmark_cell(entry: dict, parent_id: str) -> str:
    bounded = entry.get("confronti_intervallo", {}).get(parent_id)
    return shown_value({"intervallo": bounded, "unita": entry["unita"]}) if bounded else \
        format_value(entry["confronti"][parent_id], entry["unita"])


DATA_LABELS = {"popolazione": "popolazione", "eta": "età", "bilancio": "bilancio demografico",
               "bilancio_stranieri": "bilancio stranieri", "stranieri": "stranieri", "famiglie": "famiglie",
               "reddito": "redditi IRPEF", "imprese": "unità locali"}


def _dates_line(result: dict) -> str:
    parts = [f"{label} {result['dati'][key]['riferimento']} ({result['dati'][key]['stato']})"
             for key, label in DATA_LABELS.items() if key in result.get("dati", {})]
    return "Dati: " + "; ".join(parts) if parts else ""


def print_indicators(territory_argument: str, year: int | None) -> int:
    territory = resolve_territory(territory_argument)
    result = compute_indicators(territory, year)
    names = _benchmark_names(territory)
    print(f"{territory.etichetta} — fotografia al 1° gennaio {result['anno']}")
    if _dates_line(result):
        print(_dates_line(result))
    header = f"{'Indicatore':<46}{'Valore':>18}" + "".join(f"{names[pid][:16]:>18}" for pid in names)
    print(header)
    print("-" * len(header))
    statuses = set()
    for key, entry in result["indicatori"].items():
        label = INDICATORS[key].etichetta
        mark = STATUS_MARK[entry["stato"]]
        statuses.add(entry["stato"])
        cells = "".join(f"{_benchmark_cell(entry, pid):>18}" for pid in names)
        print(f"{_fit(label):<{LABEL_WIDTH}}{shown_value(entry) + mark:>18}{cells}")
    if "provvisorio" in statuses:
        print("(p) provvisorio: dato ISTAT non ancora definitivo.")
    if "stima" in statuses:
        print("(s) stima: dato non definitivo.")
    by_note: dict[str, list[str]] = {}
    for key, entry in result["indicatori"].items():
        if entry.get("nota"):
            by_note.setdefault(entry["nota"], []).append(INDICATORS[key].etichetta)
    for note, labels in by_note.items():
        print(f"{', '.join(labels)}: {note}")
    for warning in result.get("avvisi", []):
        print(f"Avviso: {warning}")
    return 0
