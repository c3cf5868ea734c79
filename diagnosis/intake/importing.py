"""Import a hand-downloaded file into the raw store, recognised from its content.

Kept apart from ``raw`` (which only lands files) because recognising a file calls on every
dataset's reader, and those readers read the store.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from diagnosis.errors import FileNonRiconosciuto
from diagnosis.intake.acceptance import accept
from diagnosis.store.limits import check_file
from diagnosis.store.raw import save_bytes
from diagnosis.intake.recognise import recognise


def add_file(path: str | Path, *, vintage: str | None = None, territory=None) -> dict:
    """Import a hand-downloaded file, recognising its dataset, year and status from content.

    The ZIP as published or the CSV inside it are both accepted, whatever their names; the
    file is stored under the publisher's usual name when the recogniser knows it. It enters
    the store only when the reader that will use it reads it whole and it covers what its
    kind must cover (``acceptance``); the bytes stored are the bytes that were read. Files
    that belong to one territory (the analyst's register, a survey, an OSM export) need
    ``territory`` and are stored under its id, replacing that territory's previous file.
    What is refused leaves the store untouched.
    """
    path = Path(path)
    check_file(path, f"Il file {path.name!r}")
    data = path.read_bytes()  # read once: what is checked is what is stored
    found = recognise(data, name=path.name)
    accepted = accept(found, data, path.name)
    filename, extra = accepted.filename, accepted.extra
    if found.per_territorio:
        filename, extra = _territory_placement(found, filename, territory, path.name)
    return save_bytes(
        found.dataset, filename, data, source=path.name,
        vintage=vintage or f"importato a mano il {date.today().isoformat()}",
        status=found.status, years=found.years, extra=extra,
    )


def _territory_placement(found, filename: str, territory, shown_name: str) -> tuple[str, dict]:
    if territory is None:
        raise FileNonRiconosciuto(
            f"Il file {shown_name!r} è un {found.description}: indicare il territorio a cui appartiene, "
            f"es. diagnosis dati aggiungi {shown_name} --territorio \"Sassuolo (MO)\""
        )
    if found.dataset in ("osm", "osm_rete") and len(territory.comuni) != 1:
        raise FileNonRiconosciuto(
            f"Un'esportazione OpenStreetMap si importa per un comune alla volta, e {territory.nome} ne ha "
            f"{len(territory.comuni)}: ripetere il comando con --territorio uguale al comune del file."
        )
    slug = re.sub(r"[^a-z0-9]+", "-", territory.id.lower()).strip("-")
    return f"{slug}_{filename}", {"territorio": territory.id, "comuni": list(territory.comuni)}
