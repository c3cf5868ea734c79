"""What the embedded snapshot holds, table by table: the lines of ``diagnosis dati stato``."""

from __future__ import annotations

from diagnosis import snapshot

# Up to this many files are listed per table; beyond, the first two and the last, so that
# the listing stays short.
FILES_LISTED = 4


def snapshot_lines() -> list[str]:
    """Per table: years, statuses and row count, then its source files with their vintage."""
    provenance = snapshot.provenance()
    sources = {entry["id"]: entry for entry in provenance["fonti"]}
    lines = []
    for name, table in provenance["tabelle"].items():
        rows = f"{table['righe']:,}".replace(",", ".")
        lines.append(f"  {name:<19} {_span(table['anni']):<10} {', '.join(table['stati']):<24} {rows} righe")
        lines.extend(_source_lines([sources[source_id] for source_id in table["fonti"]]))
    return lines


def _source_lines(entries: list[dict]) -> list[str]:
    if len(entries) <= FILES_LISTED:
        return [_file_line(entry) for entry in entries]
    hidden = len(entries) - 3
    return [_file_line(entries[0]), _file_line(entries[1]), f"      … altri {hidden} file …", _file_line(entries[-1])]


def _file_line(entry: dict) -> str:
    return f"      {entry['file']} — {entry['vintage']}"


def _span(years: list[int]) -> str:
    """First and last year (the code history has gaps of decades: a list would not fit)."""
    if len(years) > 2:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))
