"""Rebuild the embedded snapshot from the published files.

    python -m diagnosis.snapshot.build [--dati-reali CARTELLA] [--uscita CARTELLA]

The published files are read from ``--dati-reali`` (default: ``$DIAGNOSIS_REAL_DATA``, else
``../shared/data/real`` beside the project) with the package's own readers; the tables and
``provenienza.json`` are written to ``--uscita`` (default: ``diagnosis/snapshot/data``).
Nothing is replaced unless every table was built.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import pandas as pd

from diagnosis.errors import DiagnosisError
from diagnosis.snapshot import DATA_DIR, builders, codes, facts, writing
from diagnosis.snapshot.builders import Built
from diagnosis.snapshot.inputs import Inputs, default_real_data_dir
from diagnosis.sources import embedded

FORMAT = 1


def build_tables(inputs: Inputs) -> dict[str, Built]:
    """Every table of the snapshot, by name (sorted), built and checked."""
    comuni_2022 = embedded.municipalities()
    history = builders.code_history(inputs, comuni_2022)
    population = builders.population(inputs)
    tables = {
        "codici": history,
        "popolazione": population,
        "comuni": builders.comuni_table(inputs, comuni_2022, history.frame, population.frame),
        "bilancio": builders.balance(inputs),
        "bilancio_stranieri": builders.foreign_balance(inputs),
        "stranieri": builders.foreigners(inputs),
        "redditi": builders.incomes(inputs),
        "imprese": builders.businesses(inputs),
        "prezzi": builders.prices(inputs),
    }
    current = set(tables["comuni"].frame["codice"])
    for built in tables.values():
        if {"codice", "anno"} <= set(built.frame.columns):
            built.notes.extend(_unresolved_notes(built.frame, history.frame, current))
    return dict(sorted(tables.items()))


def _unresolved_notes(frame: pd.DataFrame, history: pd.DataFrame, current: set[str]) -> list[str]:
    """A note per code that the code history does not lead to a comune of today."""
    return [
        f"Il codice {code} ({_years_text(years)}) non porta a nessun comune di oggi: resta come pubblicato."
        for code, years in codes.unresolved(frame, history, current).items()
    ]


def _years_text(years: list[int]) -> str:
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


def build(real_data_dir: Path, output_dir: Path = DATA_DIR) -> dict:
    """Build every table, write them with ``provenienza.json``, and swap the folder in.

    Returns the provenance written. On any failure the previous snapshot is left as it was.
    """
    output_dir = Path(output_dir)
    writing.check_target(output_dir)
    inputs = Inputs(real_data_dir)
    tables = build_tables(inputs)
    staging = writing.staging_folder(output_dir)
    try:
        entries = {
            name: _table_entry(name, built, writing.write_parquet(built.frame, staging / f"{name}.parquet"))
            for name, built in tables.items()
        }
        used = {source for built in tables.values() for source in built.sources}
        provenance = {"formato": FORMAT, "fonti": inputs.provenance(used), "tabelle": entries}
        writing.write_json(provenance, staging / writing.PROVENANCE_FILE)
        writing.swap_in(staging, output_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return provenance


def _table_entry(name: str, built: Built, written: dict) -> dict:
    frame = built.frame
    return {
        "file": written["file"],
        "sha256": written["sha256"],
        "righe": written["righe"],
        "fonti": list(dict.fromkeys(built.sources)),  # the main source first, as the builder lists them
        "anni": _years(name, frame),
        "stati": sorted(frame["stato"].unique()) if "stato" in frame else ["definitivo"],
        "byte": written["byte"],
        "note": built.notes,
    }


def _years(name: str, frame: pd.DataFrame) -> list[int]:
    """The years a table covers: its ``anno`` values, the years of the code changes, or the
    year of today's list of comuni."""
    if "anno" in frame:
        return sorted(int(year) for year in frame["anno"].unique())
    if "data" in frame:
        return sorted(int(year) for year in frame["data"].dt.year.unique())
    return [int(facts.parameters()["anno_comuni"])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m diagnosis.snapshot.build",
        description="Ricostruisce i dati incorporati (diagnosis/snapshot/data) dai file pubblicati.",
    )
    parser.add_argument("--dati-reali", type=Path, default=None, metavar="CARTELLA",
                        help="cartella dei file pubblicati (predefinita: $DIAGNOSIS_REAL_DATA, poi ../shared/data/real)")
    parser.add_argument("--uscita", type=Path, default=DATA_DIR, metavar="CARTELLA",
                        help=f"cartella dove scrivere i dati incorporati (predefinita: {DATA_DIR})")
    args = parser.parse_args(argv)
    real_data_dir = args.dati_reali or default_real_data_dir()
    try:
        provenance = build(real_data_dir, args.uscita)
    except DiagnosisError as error:
        print(f"Dati incorporati non ricostruiti: {error}", file=sys.stderr)
        return 1
    _print_summary(provenance, args.uscita)
    return 0


def _print_summary(provenance: dict, output_dir: Path) -> None:
    total = 0
    print(f"Dati incorporati scritti in {output_dir}:")
    for name, entry in provenance["tabelle"].items():
        total += entry["byte"]
        print(f"  {name:<20} {entry['righe']:>10,} righe {entry['byte'] / 1e6:>8.2f} MB".replace(",", "."))
    json_size = (Path(output_dir) / writing.PROVENANCE_FILE).stat().st_size
    print(f"  {writing.PROVENANCE_FILE:<20} {'':>16} {json_size / 1e6:>8.2f} MB")
    print(f"  totale {(total + json_size) / 1e6:.2f} MB da {len(provenance['fonti'])} file pubblicati.")


if __name__ == "__main__":
    sys.exit(main())
