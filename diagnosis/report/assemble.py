"""The notebooks of ``diagnosis/notebooks/`` put together from the sections kept once in its ``sezioni``.

A section (a small notebook: a markdown cell saying what is shown, the cells that build the
table and draw the chart) is written once; ``sezioni/composizione.yaml`` lists the sections
of each notebook, so that a themed notebook and the composite ``fotografia`` show the same
analysis. After changing a section::

    python -m diagnosis.report.assemble            # rewrites the notebooks
    python -m diagnosis.report.assemble --verifica # exit status 1 if one differs

The assembled notebooks are plain and complete: an analyst opens and runs them as they are.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat
import yaml

from diagnosis.config import NOTEBOOKS_DIR

SECTIONS_DIR = NOTEBOOKS_DIR / "sezioni"
RECIPE = SECTIONS_DIR / "composizione.yaml"


def recipe(path: Path = RECIPE) -> dict[str, list[str]]:
    """Each notebook's name and its sections, in order."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def assembled(sections: list[str], sections_dir: Path = SECTIONS_DIR) -> nbformat.NotebookNode:
    """One notebook holding the cells of ``sections`` in order, without outputs."""
    parts = [nbformat.read(sections_dir / f"{name}.ipynb", as_version=4) for name in sections]
    notebook = nbformat.v4.new_notebook(metadata=copy.deepcopy(parts[0].metadata))
    for part in parts:
        for cell in part.cells:
            cell = copy.deepcopy(cell)
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            notebook.cells.append(cell)
    return notebook


def text_of(notebook: nbformat.NotebookNode) -> str:
    return nbformat.writes(notebook) + "\n"


def stale(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """The notebooks whose committed text differs from what their sections assemble."""
    return [name for name, sections in recipe().items()
            if not (notebooks_dir / f"{name}.ipynb").is_file()
            or (notebooks_dir / f"{name}.ipynb").read_text(encoding="utf-8") != text_of(assembled(sections))]


def write_all(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    written = []
    for name, sections in recipe().items():
        target = notebooks_dir / f"{name}.ipynb"
        target.write_text(text_of(assembled(sections)), encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m diagnosis.report.assemble",
                                     description="Ricompone i notebook dalle sezioni di notebooks/sezioni.")
    parser.add_argument("--verifica", action="store_true",
                        help="non scrive nulla; esce con 1 se un notebook non corrisponde alle sue sezioni")
    arguments = parser.parse_args(argv)
    if arguments.verifica:
        different = stale()
        for name in different:
            print(f"{name}.ipynb non corrisponde alle sezioni: eseguire python -m diagnosis.report.assemble")
        return 1 if different else 0
    for path in write_all():
        print(f"Scritto {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
