"""The comparison as reviewers read it (HTML) and as districts report it (CSV, XLSX)."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pandas as pd

from diagnosis.formatting import format_value
from diagnosis.report.compare import Composition
from diagnosis.report.export import TEMPLATES_DIR
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


def _esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _cell(value, unit: str) -> str:
    return _esc(format_value(value, unit)) if value is not None else "n.d."


def _change(row) -> str:
    if row.variazione_assoluta is None or pd.isna(row.variazione_assoluta):
        return ""
    text = format_value(row.variazione_assoluta, row.unita)
    if row.variazione_percentuale is not None and not pd.isna(row.variazione_percentuale):
        text += f" ({format_value(row.variazione_percentuale, '%')})"
    return _esc(("+" if row.variazione_assoluta > 0 else "") + text)


def _rows(table: pd.DataFrame, kinds: tuple[str, ...]) -> str:
    body = []
    for row in table[table["tipo"].isin(kinds)].itertuples():
        body.append(
            f'<tr><th scope="row">{_esc(row.etichetta)}</th>'
            f'<td class="num">{_cell(row.valore_base, row.unita)} <span class="nota">({_esc(row.stato_base)})</span></td>'
            f'<td class="num">{_cell(row.valore_nuovo, row.unita)} <span class="nota">({_esc(row.stato_nuovo)})</span></td>'
            f'<td class="num">{_change(row)}</td><td>{_esc(KIND_NOTES.get(row.tipo, row.tipo))}</td>'
            f"<td>{_esc(row.esito_proiezione)}</td></tr>"
        )
    return "".join(body)


def _table(table: pd.DataFrame, kinds: tuple[str, ...], caption: str, baseline_year, new_year) -> str:
    rows = _rows(table, kinds)
    if not rows:
        return f'<p class="nota">{_esc(caption)}: nessuna voce.</p>'
    return (
        f'<table class="tabella"><caption>{_esc(caption)}</caption><thead><tr><th scope="col">Indicatore</th>'
        f'<th scope="col">Partenza ({_esc(baseline_year)})</th><th scope="col">Ora ({_esc(new_year)})</th>'
        '<th scope="col">Variazione</th><th scope="col">Natura</th><th scope="col">Rispetto alla proiezione</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _composition_note(change: Composition) -> str:
    if not change.changed:
        return ""
    parts = []
    if change.removed:
        parts.append("comuni non più presenti: " + ", ".join(change.removed))
    if change.added:
        parts.append("comuni nuovi: " + ", ".join(change.added))
    return (
        '<p class="avviso"><strong>Attenzione:</strong> il territorio non ha più la stessa composizione '
        f"({_esc('; '.join(parts))}), ad esempio per una fusione di comuni: i valori si riferiscono a "
        "territori diversi e le variazioni vanno lette con cautela.</p>"
    )


def comparison_page(baseline: dict, current: dict, table: pd.DataFrame, change: Composition) -> str:
    name = baseline["territorio"]["nome"]
    real = _table(table, ("cambiamento",), "Variazioni reali (anni successivi)", baseline["anno"], current["anno"])
    revisions = _table(table, ("revisione",), "Revisioni dei dati (stesso anno, nuova versione)",
                       baseline["anno"], current["anno"])
    new_data = _table(table, ("nuovo dato",), "Dati che alla partenza mancavano", baseline["anno"], current["anno"])
    unchanged = _table(table, ("invariato",), "Voci invariate", baseline["anno"], current["anno"])
    missing = _table(table, ("non più disponibile", "non disponibile"), "Voci senza confronto possibile",
                     baseline["anno"], current["anno"])
    css = STYLESHEET.read_text(encoding="utf-8")
    return f"""<!DOCTYPE html>
<html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cosa è cambiato — {_esc(name)}</title><style>{css}</style></head>
<body class="jp-Notebook"><main>
<header class="copertina"><p class="sopratitolo">Cosa è cambiato dalla fotografia di partenza</p>
<h1 class="titolo-territorio">{_esc(name)}</h1>
<dl class="metadati"><dt>Fotografia di partenza</dt><dd>generata il {_esc(baseline.get('generata_il', 'n.d.'))}, dati {_esc(baseline['anno'])}</dd>
<dt>Confronto</dt><dd>generato il {_esc(current.get('generata_il', date.today().isoformat()))}, dati {_esc(current['anno'])}</dd></dl>
</header>
{_composition_note(change)}
<h2 class="sezione" id="variazioni">Variazioni reali</h2>{real}
<h2 class="sezione" id="revisioni">Revisioni dei dati</h2>
<p>Una revisione cambia il valore dello stesso anno (per esempio la stima ISTAT sostituita dal dato definitivo): non è un effetto del programma del distretto.</p>{revisions}
<h2 class="sezione" id="nuovi-dati">Nuovi dati disponibili</h2>
<p>Voci che la fotografia di partenza non poteva mostrare (per esempio una fonte importata dopo): il valore di ora è il primo, non una variazione.</p>{new_data}
<h2 class="sezione" id="invariati">Invariati</h2>{unchanged}
<h2 class="sezione" id="senza-confronto">Senza confronto</h2>{missing}
</main></body></html>
"""


def write_outputs(folder: Path, baseline: dict, current: dict, table: pd.DataFrame, change: Composition) -> dict:
    """``confronto.html``, ``confronto.csv`` (Italian Excel: ``;`` and decimal comma) and ``confronto.xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"html": folder / "confronto.html", "csv": folder / "confronto.csv", "xlsx": folder / "confronto.xlsx"}
    paths["html"].write_text(comparison_page(baseline, current, table, change), encoding="utf-8")
    write_csv(table, paths["csv"])
    write_xlsx(table, paths["xlsx"], sheet="confronto")
    return paths
