"""The fingerprint of a report's inputs: when it has not changed, the report is up to date.

It covers the data (embedded package version, snapshot provenance, source catalogue, raw
store manifest), the notebooks and templates, the parameters (territory, its comuni and
definition, year), the brand (logo, texts, colours), the edition (client or analyst) and the package version — anything that
could change what the report says or how it looks.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from diagnosis import __version__
from diagnosis.config import DEFAULT_EDITION, NOTEBOOKS_DIR, TEMPLATES_DIR
from diagnosis.report.brand import Brand
from diagnosis.report.output_folder import staging_file
from diagnosis.tables.versions import data_digest, files_digest
from diagnosis.territory.model import Territorio

FINGERPRINT_NAME = ".impronta"


@functools.cache
def code_and_templates_digest() -> str:
    """The shipped notebooks and templates: read once per process, they do not change during a batch."""
    files = list(NOTEBOOKS_DIR.glob("*.ipynb")) + list(TEMPLATES_DIR.rglob("*"))
    return files_digest(files)


def fingerprint(territory: Territorio, year: int, notebook: Path | None = None, brand: Brand | None = None,
                edition: str = DEFAULT_EDITION) -> str:
    """``notebook``: an analyst's edited copy the report is built from, whose content counts too;
    ``brand``: the consultant's brand put on the report; ``edition``: who it is written for."""
    parameters = {"id": territory.id, "nome": territory.nome, "comuni": list(territory.comuni),
                  "tipo": territory.tipo, "nota": territory.nota, "anno": year}
    if territory.perimetro is not None:  # a redrawn perimeter changes the report; none keeps earlier fingerprints
        parameters["perimetro"] = territory.perimetro.as_json()
    if edition != DEFAULT_EDITION:  # the client's edition keeps the fingerprints of earlier batches
        parameters["edizione"] = edition
    parts = [__version__, code_and_templates_digest(), data_digest(), json.dumps(parameters, sort_keys=True)]
    if notebook is not None:
        parts.append(hashlib.sha256(notebook.read_bytes()).hexdigest())
    if brand is not None:
        parts.append(f"marchio {brand.digest()}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def is_up_to_date(folder: Path, expected: str) -> bool:
    stamp = folder / FINGERPRINT_NAME
    return (folder / "fotografia.html").exists() and stamp.exists() and stamp.read_text().strip() == expected


def stamp(folder: Path, value: str) -> None:
    partial = staging_file(folder / FINGERPRINT_NAME)
    partial.write_text(value)
    partial.replace(folder / FINGERPRINT_NAME)
