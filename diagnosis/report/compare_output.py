"""The comparison as reviewers read it (HTML) and as districts report it (CSV, XLSX)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from diagnosis.formatting import format_value
from diagnosis.report.compare import Composition
from diagnosis.report.export import TEMPLATES_DIR
from diagnosis.report.markup import Markup, render
from diagnosis.report.spreadsheets import write_csv, write_xlsx

STYLESHEET = TEMPLATES_DIR / "fotografia" / "static" / "fotografia.css"
KIND_NOTES = {
    "cambiamento": "anno nuovo: variazione reale",
    "revisione": "stesso anno, dato rivisto dalla fonte",
    "invariato": "stesso anno, stesso dato",
    "nuovo dato": "dato che alla partenza mancava",
    "non più disponibile": "dato presente alla partenza, assente ora",
    "non disponibile": "dato assente in entrambe",
}


# The page's sections, in order: name → (kinds of change listed, caption of its table).
SECTIONS = {
    "real": (("cambiamento",), "Variazioni reali (anni successivi)"),
    "revisions": (("revisione",), "Revisioni dei dati (stesso anno, nuova versione)"),
    "new_data": (("nuovo dato",), "Dati che alla partenza mancavano"),
    "unchanged": (("invariato",), "Voci invariate"),
    "missing": (("non più disponibile", "non disponibile"), "Voci senza confronto possibile"),
}


def _text(value) -> str:
    """A manifest's value as text; one it leaves empty (``null``) reads as nothing."""
    return "" if value is None else str(value)


def _cell(value, unit: str) -> str:
    return format_value(value, unit) if value is not None else "n.d."


def _change(row) -> str:
    if row.variazione_assoluta is None or pd.isna(row.variazione_assoluta):
        return ""
    text = format_value(row.variazione_assoluta, row.unita)
    if row.variazione_percentuale is not None and not pd.isna(row.variazione_percentuale):
        text += f" ({format_value(row.variazione_percentuale, '%')})"
    return ("+" if row.variazione_assoluta > 0 else "") + text


def _rows(table: pd.DataFrame, kinds: tuple[str, ...]) -> list[dict]:
    """The rows of one section as the page writes them, every value still plain text."""
    return [{"label": _text(row.etichetta), "baseline": _cell(row.valore_base, row.unita), "baseline_status": _text(row.stato_base),
             "current": _cell(row.valore_nuovo, row.unita), "current_status": _text(row.stato_nuovo),
             "change": _change(row), "kind": KIND_NOTES.get(row.tipo, row.tipo), "projection": _text(row.esito_proiezione)}
            for row in table[table["tipo"].isin(kinds)].itertuples()]


def _composition_note(change: Composition) -> str:
    """What entered and left the territory since the baseline; empty when it is the same."""
    if not change.changed:
        return ""
    parts = []
    if change.removed:
        parts.append("comuni non più presenti: " + ", ".join(change.removed))
    if change.added:
        parts.append("comuni nuovi: " + ", ".join(change.added))
    return "; ".join(parts)


def comparison_page(baseline: dict, current: dict, table: pd.DataFrame, change: Composition) -> str:
    sections = {name: {"caption": caption, "rows": _rows(table, kinds)} for name, (kinds, caption) in SECTIONS.items()}
    return render(
        "confronto.html.j2", name=baseline["territorio"]["nome"], css=Markup(STYLESHEET.read_text(encoding="utf-8")),
        baseline_made=_text(baseline.get("generata_il", "n.d.")), baseline_year=baseline["anno"],
        new_made=_text(current.get("generata_il", date.today().isoformat())), new_year=current["anno"],
        composition=_composition_note(change), sections=sections)


def write_outputs(folder: Path, baseline: dict, current: dict, table: pd.DataFrame, change: Composition) -> dict:
    """``confronto.html``, ``confronto.csv`` (Italian Excel: ``;`` and decimal comma) and ``confronto.xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"html": folder / "confronto.html", "csv": folder / "confronto.csv", "xlsx": folder / "confronto.xlsx"}
    paths["html"].write_text(comparison_page(baseline, current, table, change), encoding="utf-8")
    write_csv(table, paths["csv"])
    write_xlsx(table, paths["xlsx"], sheet="confronto")
    return paths
