"""``diagnosis confronta BASELINE NUOVO``: the change since the fotografia di partenza."""

from __future__ import annotations

from pathlib import Path

from diagnosis.formatting import counted
from diagnosis.report.compare import comparison_table, composition, load_manifest
from diagnosis.report.compare_output import write_outputs
from diagnosis.report.folder_names import folder_name
from diagnosis.report.manifest import build_manifest
from diagnosis.report.manifest_checks import check_comparable
from diagnosis.tables import measures
from diagnosis.territory import resolve_territory


def _current(argument: str, baseline: dict) -> dict:
    """A second manifest, or the same territory (by id or argument) computed now."""
    path = Path(argument)
    if path.exists():
        return load_manifest(path)

    territory = resolve_territory(argument)
    year = measures.default_year()
    return build_manifest(territory, year, {"territorio": territory.id, "anno": year})


def compare(baseline_path: str, new: str, output: Path) -> int:
    baseline = load_manifest(baseline_path)
    current = _current(new, baseline)
    check_comparable(baseline, current)
    table = comparison_table(baseline, current)
    change = composition(baseline, current)
    folder = Path(output) / folder_name(baseline["territorio"]["nome"], baseline["territorio"]["id"])
    paths = write_outputs(folder, baseline, current, table, change)
    counts = table["tipo"].value_counts()
    summary = ", ".join(counted(int(counts.get(kind, 0)), singular, plural) for kind, singular, plural in (
        ("cambiamento", "variazione reale", "variazioni reali"), ("nuovo dato", "nuovo dato", "nuovi dati"),
        ("revisione", "revisione", "revisioni"), ("invariato", "invariato", "invariati")))
    print(f"Confronto per {baseline['territorio']['nome']}: {summary}.")
    if change.changed:
        print("Attenzione: la composizione del territorio è cambiata (vedi il rapporto).")
    for kind, path in paths.items():
        print(f"  {kind}: {path}")
    return 0
