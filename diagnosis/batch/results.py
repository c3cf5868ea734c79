"""The batch's summary (JSON and CSV) and its index page, read back from the reports on disk."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd

from diagnosis.formatting import format_value, italian_timestamp
from diagnosis.report.manifest import MANIFEST_NAME
from diagnosis.report.markup import render
from diagnosis.report.output_folder import staging_file
from diagnosis.report.spreadsheets import write_csv

KEY_INDICATORS = ("popolazione", "indice_vecchiaia", "variazione_popolazione_pct")
STATUS_LABELS = {"ok": "generata", "saltato": "già aggiornata", "errore": "errore",
                 "precedente": "da un'esecuzione precedente"}


def _manifest(folder: Path) -> dict | None:
    manifest = folder / MANIFEST_NAME
    return json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else None


def _indicators(content: dict | None) -> dict:
    if content is None:
        return {key: None for key in KEY_INDICATORS}
    values = {key: content["indicatori"].get(key, {}).get("valore") for key in KEY_INDICATORS}
    values["manifest_generata_il"] = content.get("generata_il", "")
    return values


def summary_table(outcomes: list[dict], output: Path) -> pd.DataFrame:
    """One row per territory of this batch, then one per report an earlier batch left in ``output``.

    A territory is listed once: should a release's folder (``015175``) and the current one
    (``Pioltello-015175``) both hold its report, the index shows the one made last.
    """
    rows = [_outcome_row(outcome, output) for outcome in outcomes]
    listed = {outcome["cartella"] for outcome in outcomes}
    earlier: dict[str, dict] = {}
    for folder in sorted(output.iterdir()):
        row = None if folder.name in listed else _earlier_report_row(folder)
        if row is not None and _made_at(row) >= _made_at(earlier.get(row["id"], {})):
            earlier[row["id"]] = row
    done = {outcome["id"] for outcome in outcomes}
    rows += [row for territory_id, row in earlier.items() if territory_id not in done]
    return pd.DataFrame(rows)


def _made_at(row: dict) -> str:
    return str(row.get("generata_il") or "")


def _outcome_row(outcome: dict, output: Path) -> dict:
    folder = output / outcome["cartella"]
    present = (folder / "fotografia.html").exists()
    row = {**outcome, **_indicators(_manifest(folder)), "report": f"{outcome['cartella']}/fotografia.html" if present else ""}
    if not row["generata_il"]:
        row["generata_il"] = row.get("manifest_generata_il", "")
    row.pop("manifest_generata_il", None)
    return row


def _earlier_report_row(folder: Path) -> dict | None:
    """A report of an earlier batch (or of ``diagnosis fotografia``) kept in the folder, read from its manifest."""
    if not folder.is_dir() or not (folder / "fotografia.html").is_file():
        return None
    try:
        content = _manifest(folder)
        territory = content["territorio"]
        identity = {"id": territory["id"], "nome": territory["nome"], "livello": territory["livello"]}
        values = _indicators(content)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no manifest this version wrote: the folder is left out of the index, untouched
    return {**identity, "stato": "precedente", "cartella": folder.name, "secondi": None, "tentativi": 0,
            "errore": "", "generata_il": values.pop("manifest_generata_il", ""), **values,
            "report": f"{folder.name}/fotografia.html"}


def write_summary(table: pd.DataFrame, output: Path) -> None:
    records = json.loads(table.to_json(orient="records", force_ascii=False))
    (output / "riepilogo.json").write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    write_csv(table, output / "riepilogo.csv")


HEADINGS = ("Territorio", "Livello", "Popolazione", "Indice di vecchiaia", "Variazione %", "Stato", "Generata il")


def _cell(text: str, sort_value, link: str = "") -> dict:
    """A cell of the index: what it shows, the value it sorts by (numbers as numbers), its link."""
    missing = sort_value is None or (isinstance(sort_value, float) and pd.isna(sort_value))
    return {"text": text, "sort": "" if missing else str(sort_value), "link": link}


def _index_row(row) -> list[dict]:
    status = STATUS_LABELS.get(row.stato, row.stato)
    if row.errore:
        status += f": {row.errore}"
    return [
        _cell(row.nome, row.nome, link=row.report or ""), _cell(row.livello, row.livello),
        _cell(format_value(row.popolazione, "abitanti"), row.popolazione),
        _cell(format_value(row.indice_vecchiaia, "per 100"), row.indice_vecchiaia),
        _cell(format_value(row.variazione_popolazione_pct, "%"), row.variazione_popolazione_pct),
        _cell(status, row.stato),
        _cell(italian_timestamp(row.generata_il or ""), row.generata_il),
    ]


def index_page(table: pd.DataFrame) -> str:
    failed = int((table["stato"] == "errore").sum()) if len(table) else 0
    return render("indice.html.j2", headings=HEADINGS, rows=[_index_row(row) for row in table.itertuples()],
                  count=len(table), failed=failed, updated=italian_timestamp(datetime.now().isoformat()))


def write_index(table: pd.DataFrame, output: Path) -> Path:
    path = output / "index.html"
    partial = staging_file(path)
    partial.write_text(index_page(table), encoding="utf-8")
    partial.replace(path)
    return path
