"""Report folders named for people and for uniqueness at once: ``Pioltello-015175``.

The territory's name with its accents folded, then its id: ASCII letters, digits and
hyphens, valid on every file system, unique because the id is. Earlier releases named a
report's folder by the id alone (``015175``); such a folder is still found (a batch's
``--baseline``, resumption, the index) and, when its territory's report is made again, is
first given the current name, so that one territory never has two folders.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from diagnosis.report.manifest import MANIFEST_NAME
from diagnosis.report.output_folder import is_report_folder
from diagnosis.territory.model import Territorio

NAME_IN_FOLDER_MAX = 60  # characters of the name in a folder's name: a district's can be a sentence


def folder_name(name: str, territory_id: str) -> str:
    """``Pioltello-015175``, ``Sant-Angelo-Lodigiano-098047``: the territory's name with its accents
    folded, then its id; ASCII letters, digits and hyphens only, valid on every file system.
    The id alone when the name adds nothing to it (a district ``sassuolo`` named «Sassuolo»)."""
    code = legacy_folder_name(territory_id)
    readable = _ascii_slug(name)
    if len(readable) > NAME_IN_FOLDER_MAX:
        readable = readable[:NAME_IN_FOLDER_MAX].rsplit("-", 1)[0]
    if not readable or readable.casefold() == code.casefold():
        return code
    return f"{readable}-{code}"


def territory_folder_name(territory: Territorio) -> str:
    return folder_name(territory.nome, territory.id)


def legacy_folder_name(territory_id: str) -> str:
    """The id alone, as earlier releases named a report's folder: ``provincia:MO`` → ``provincia-MO``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", territory_id).strip("-")


def _ascii_slug(text: str) -> str:
    """``Città di Sant'Angelo`` → ``Citta-di-Sant-Angelo``: accents folded, case kept, the rest hyphens."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")


def find_report_folder(output_dir: Path, name: str, territory_id: str) -> Path | None:
    """The folder in ``output_dir`` holding the report of ``territory_id``, whatever release named it.

    By the current name, then by the id alone, then (a territory renamed since) any folder
    ending in the id whose manifest is that territory's.
    """
    return ReportFolders(output_dir).find(name, territory_id)


class ReportFolders:
    """The folders of an output folder, listed once and indexed by every ending after a hyphen.

    A batch resumed halfway through Italy looks up 7,900 territories among 4,000 folders:
    listing the folder for each of them would read 30 million entries.
    """

    def __init__(self, output_dir: Path):
        self.output_dir = Path(output_dir)
        names = sorted(entry.name for entry in self.output_dir.iterdir()) if self.output_dir.is_dir() else []
        self._by_ending: dict[str, list[str]] = {}
        for folder in names:
            for at, char in enumerate(folder):
                if char == "-":
                    self._by_ending.setdefault(folder[at + 1:], []).append(folder)

    def find(self, name: str, territory_id: str) -> Path | None:
        """See ``find_report_folder``."""
        for candidate in (folder_name(name, territory_id), legacy_folder_name(territory_id)):
            if (self.output_dir / candidate / MANIFEST_NAME).is_file():
                return self.output_dir / candidate
        for candidate in self._by_ending.get(legacy_folder_name(territory_id), []):
            if _manifest_territory(self.output_dir / candidate) == territory_id:
                return self.output_dir / candidate
        return None


def _manifest_territory(folder: Path) -> str | None:
    try:
        return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))["territorio"]["id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def adopt_earlier_folder(output_dir: Path, territory: Territorio, folders: ReportFolders | None = None) -> None:
    """Give the current name to the territory's report kept under an earlier name, if any.

    Only a folder holding nothing but a report's files, whose manifest names this territory,
    is renamed; a rename is atomic, so an up-to-date report is then skipped, not rebuilt.
    ``folders`` is the output folder's listing when many territories are adopted at once.
    """
    target = Path(output_dir) / territory_folder_name(territory)
    if target.exists() or target.is_symlink():
        return
    earlier = (folders or ReportFolders(output_dir)).find(territory.nome, territory.id)
    if earlier is not None and is_report_folder(earlier) and _manifest_territory(earlier) == territory.id:
        earlier.rename(target)
