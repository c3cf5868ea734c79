"""Which stored files ``diagnosis dati rimuovi`` names: the undoing of an import.

A file is named as ``dati stato`` and ``dati aggiungi`` print it: its path in the store
(``p2/P2_2025_it_Comuni.csv``), its name alone (``P2_2025_it_Comuni.csv``) or its full path
on disk; or chosen by dataset and year, and territory for the files of one territory. A
name that matches nothing is an error listing what is stored; the removal itself is
``raw.remove``.
"""

from __future__ import annotations

from pathlib import Path

from diagnosis.errors import FileArchiviatoSconosciuto
from diagnosis.store import raw
from diagnosis.store.limits import size_text


def select(names: list[str], dataset: str | None = None, year: int | None = None,
           territory_id: str | None = None) -> list[dict]:
    """The manifest entries named, in manifest order, each once."""
    stored = raw.entries()
    chosen: list[dict] = []
    for name in names:
        chosen += _named(name, stored)
    if dataset is not None:
        chosen += _by_dataset(stored, dataset, year, territory_id)
    keys = {(e["dataset"], e["filename"]) for e in chosen}
    return [e for e in stored if (e["dataset"], e["filename"]) in keys]


def _named(name: str, stored: list[dict]) -> list[dict]:
    text = name.strip()
    by_path = [e for e in stored if text in (e["path"], str(raw.raw_dir() / e["path"])) or _same_file(text, e)]
    if by_path:
        return by_path
    by_name = [e for e in stored if e["filename"] == text]
    if len(by_name) > 1:
        raise FileArchiviatoSconosciuto(
            f"Il nome {text!r} corrisponde a più file dell'archivio: {', '.join(e['path'] for e in by_name)}. "
            "Indicare il percorso completo come lo mostra diagnosis dati stato, ad es. "
            f"diagnosis dati rimuovi {by_name[0]['path']}"
        )
    if not by_name:
        raise FileArchiviatoSconosciuto(f"Nessun file dell'archivio si chiama {text!r}. {_listing(stored)}")
    return by_name


def _same_file(text: str, entry: dict) -> bool:
    """A path given as written on disk (relative to where the command runs, or through a link)."""
    try:
        return Path(text).resolve() == (raw.raw_dir() / entry["path"]).resolve()
    except (OSError, RuntimeError):
        return False


def _by_dataset(stored: list[dict], dataset: str, year: int | None, territory_id: str | None) -> list[dict]:
    found = [e for e in stored if e["dataset"] == dataset
             and (year is None or int(year) in e["years"])
             and (territory_id is None or e.get("territorio") == territory_id)]
    if not found:
        asked = " ".join(part for part in (dataset, str(year) if year else "",
                                           f"per {territory_id}" if territory_id else "") if part)
        raise FileArchiviatoSconosciuto(f"Nell'archivio non c'è alcun file {asked}. {_listing(stored)}")
    return found


def _listing(stored: list[dict]) -> str:
    if not stored:
        return "L'archivio è vuoto: non c'è niente da rimuovere."
    return "File archiviati (indicarne il percorso, oppure --dataset e --anno):\n" + "\n".join(
        f"  {describe(entry)}" for entry in stored)


def describe(entry: dict) -> str:
    """One line per file: path, dataset and years, status, territory, size."""
    years = entry["years"]
    span = f"{years[0]}-{years[-1]}" if len(years) > 3 else ", ".join(map(str, years))
    where = f", {entry['territorio']}" if entry.get("territorio") else ""
    return f"{entry['path']}  ({entry['dataset']} {span}, {entry['status']}{where}, {size_text(entry['size'])})"
