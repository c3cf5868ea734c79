"""``diagnosis confronta``: what has changed since the fotografia di partenza.

Two manifests (or a manifest and a territory computed now) are compared indicator by
indicator. A different value for the *same* date is a data revision (a new vintage or
status), kept apart from real change (a later date); a figure present only in the new one
is new data, not a change. Real change is checked against the
interval projected at baseline for that year, when there was one. A territory whose
comuni differ between the two (a merger, a district enlarged) is flagged: its values
describe different places.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from diagnosis.errors import ManifestoNonValido
from diagnosis.indicators import INDICATORS
from diagnosis.report.manifest import MANIFEST_NAME
from diagnosis.report.manifest_checks import check_manifest

# Indicators whose baseline projection can be checked against later values.
PROJECTED = {"popolazione": "popolazione", "indice_vecchiaia": "indice_vecchiaia"}
BANDS = ("basso_80", "alto_80", "basso_95", "alto_95")
COLUMNS = [
    "indicatore", "etichetta", "unita", "anno_base", "valore_base", "stato_base", "anno_nuovo",
    "valore_nuovo", "stato_nuovo", "tipo", "variazione_assoluta", "variazione_percentuale",
    "intervallo_80", "esito_proiezione",
]


@dataclass(frozen=True)
class Composition:
    removed: tuple[str, ...]
    added: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.added)


def load_manifest(path: str | Path) -> dict:
    """A manifest from its file or from the fotografia folder holding it, checked (``manifest_checks``)."""
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_NAME
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ManifestoNonValido(
            f"{path} non esiste: indicare il manifest.json di una fotografia (o la sua cartella)."
        ) from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ManifestoNonValido(f"{path} non è un manifest JSON leggibile ({error}).") from error
    except OSError as error:
        raise ManifestoNonValido(f"{path} non si può leggere ({error.strerror}): controllare il percorso.") from error
    return check_manifest(content, str(path))


def composition(baseline: dict, current: dict) -> Composition:
    before, after = set(baseline["territorio"]["comuni"]), set(current["territorio"]["comuni"])
    return Composition(removed=tuple(sorted(before - after)), added=tuple(sorted(after - before)))


def _same_reference(baseline_year: int, current_year: int, entry_before: dict, entry_after: dict) -> bool:
    """Whether both values describe the same date: a figure published once a year (incomes, a
    census) may be the same in two fotografie of different years."""
    before, after = entry_before.get("riferimento"), entry_after.get("riferimento")
    if before and after:
        return before == after
    return baseline_year == current_year


def _kind(same_reference: bool, before, after, entry_before: dict, entry_after: dict) -> str:
    if before is None and after is None:
        return "non disponibile"
    if before is None:
        return "nuovo dato"
    if after is None:
        return "non più disponibile"
    if same_reference:
        changed_value = before != after
        changed_source = (entry_before.get("fonte"), entry_before.get("stato")) != (
            entry_after.get("fonte"), entry_after.get("stato"))
        return "revisione" if (changed_value or changed_source) else "invariato"
    return "cambiamento"


def _projection_check(baseline: dict, indicator: str, year: int, value) -> tuple[str, str]:
    """(80% interval as text, outcome) for a later value against the baseline projection."""
    measure = PROJECTED.get(indicator)
    rows = (baseline.get("proiezioni") or {}).get("proiezioni", {}).get(measure or "", [])
    row = next((r for r in rows if r["anno"] == year), None)
    if row is None or value is None or any(row.get(band) is None for band in BANDS):
        return "", "nessuna proiezione per quell'anno" if measure else ""
    interval = f"{row['basso_80']}–{row['alto_80']}"
    if row["basso_80"] <= value <= row["alto_80"]:
        return interval, "nell'intervallo previsto"
    outside_95 = not (row["basso_95"] <= value <= row["alto_95"])
    side = "sopra" if value > row["alto_80"] else "sotto"
    return interval, f"{side} l'intervallo previsto" + (" (anche al 95%)" if outside_95 else "")


def comparison_table(baseline: dict, current: dict) -> pd.DataFrame:
    rows = []
    for key, entry_before in baseline["indicatori"].items():
        entry_after = current["indicatori"].get(key, {})
        before, after = entry_before.get("valore"), entry_after.get("valore")
        delta = after - before if before is not None and after is not None else None
        relative = delta / before * 100 if delta is not None and before not in (0, None) else None
        same_reference = _same_reference(baseline["anno"], current["anno"], entry_before, entry_after)
        kind = _kind(same_reference, before, after, entry_before, entry_after)
        interval, outcome = ("", "")
        if kind == "cambiamento":
            interval, outcome = _projection_check(baseline, key, current["anno"], after)
        indicator = INDICATORS.get(key)
        rows.append({
            "indicatore": key, "etichetta": indicator.etichetta if indicator else key,
            "unita": entry_before.get("unita", ""), "anno_base": baseline["anno"], "valore_base": before,
            "stato_base": entry_before.get("stato"), "anno_nuovo": current["anno"], "valore_nuovo": after,
            "stato_nuovo": entry_after.get("stato"), "tipo": kind, "variazione_assoluta": delta,
            "variazione_percentuale": relative, "intervallo_80": interval, "esito_proiezione": outcome,
        })
    return pd.DataFrame(rows, columns=COLUMNS)
