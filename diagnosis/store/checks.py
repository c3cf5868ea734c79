"""Content checks run on a file before it enters the raw store.

A check is any callable ``check(path)`` that returns nothing when the file is good and
raises ``DownloadNonValido`` (Italian message: what is wrong, what to do) when it is not.
They are composed with ``all_of``; ``recognise.recognised_as`` ties a download to the dataset
and year it was meant to be.

Why content and not a pinned hash: ISTAT and others replace files in place at the same
URL (POSAS "(stima)" becomes final a year later), so a hash would reject good updates.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from diagnosis.errors import DownloadNonValido
from diagnosis.store.limits import open_archive, read_member
from diagnosis.text import decode_text

Check = Callable[[Path], None]

ZIP_MAGIC = b"PK\x03\x04"
HEAD_BYTES = 64 * 1024
TABLE_SUFFIXES = (".csv", ".txt")

_FIX = "Riprovare più tardi, oppure scaricare il file a mano dal sito dell'editore e importarlo con: diagnosis dati aggiungi FILE"


def looks_like_html(head: bytes) -> bool:
    """True for an HTML page: demo.istat.it and MEF have answered errors with 200 and HTML.

    Only the first kilobyte is looked at; XHTML pages open with ``<?xml`` and then ``<html``.
    """
    start = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in start


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    with open(path, "rb") as stream:
        return stream.read(size)


def not_html(path: Path) -> None:
    if looks_like_html(read_head(path)):
        raise DownloadNonValido(
            "Il file ricevuto è una pagina HTML, non i dati attesi: il server ha risposto con "
            f"una pagina (spesso d'errore) pur segnalando successo. {_FIX}"
        )


def not_empty(path: Path) -> None:
    if path.stat().st_size == 0:
        raise DownloadNonValido(f"Il file ricevuto è vuoto (0 byte). {_FIX}")


def zip_magic(path: Path) -> None:
    if not read_head(path, len(ZIP_MAGIC)).startswith(ZIP_MAGIC):
        raise DownloadNonValido(
            "Il file non è un archivio ZIP (mancano i byte iniziali 'PK'): il download è "
            f"incompleto o il server ha inviato altro. {_FIX}"
        )


def zip_intact(path: Path) -> None:
    """The archive opens and every member's CRC matches: a cut transfer fails here."""
    try:
        with open_archive(path, "L'archivio ZIP ricevuto") as archive:
            broken = archive.testzip()
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise DownloadNonValido(
            f"L'archivio ZIP è danneggiato o incompleto ({error}): il trasferimento si è "
            f"interrotto prima della fine. {_FIX}"
        ) from error
    if broken is not None:
        raise DownloadNonValido(f"Nell'archivio ZIP il file {broken!r} è danneggiato. {_FIX}")


def table_members(archive: zipfile.ZipFile) -> list[str]:
    """CSV members of an archive, whatever their names (they change between releases)."""
    return [
        info.filename for info in archive.infolist()
        if not info.is_dir()
        and info.filename.lower().endswith(TABLE_SUFFIXES)
        and not info.filename.startswith("__MACOSX/")
    ]


def table_member_read(data: bytes, recognised: Callable[[bytes], bool], label: str) -> tuple[bytes | None, str]:
    """The first table of the ZIP ``data`` whose first bytes ``recognised`` accepts, found by
    its content since names change between releases; and the archive's members, listed for a
    message when none is (``None``)."""
    with open_archive(data, f"L'archivio della {label}") as archive:
        for member in table_members(archive):
            with archive.open(member) as stream:
                head = stream.read(HEAD_BYTES)
            if recognised(head):
                return read_member(archive, member, f"La {label}"), ""
        return None, ", ".join(archive.namelist()) or "nessun file"


def zip_has_csv(path: Path) -> None:
    with open_archive(path, "L'archivio ZIP ricevuto") as archive:
        if not table_members(archive):
            content = ", ".join(archive.namelist()) or "nessun file"
            raise DownloadNonValido(
                f"L'archivio ZIP non contiene alcun file CSV (contenuto: {content}): non è il "
                "file atteso. Controllare l'indirizzo o scaricare a mano il file giusto e "
                "importarlo con: diagnosis dati aggiungi FILE"
            )


def table_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """First bytes of the table: of the first CSV member for a ZIP, else of the file."""
    if read_head(path, len(ZIP_MAGIC)).startswith(ZIP_MAGIC):
        with open_archive(path, "L'archivio ZIP ricevuto") as archive:
            members = table_members(archive)
            if not members:
                return b""
            with archive.open(members[0]) as stream:
                return stream.read(size)
    return read_head(path, size)


def ends_mid_line(text: str) -> bool:
    """True when a table stops in the middle of a line: a transfer or a copy cut short.

    Publishers close every table with a line end (the 24 MEF files 2000-2023, the P2 and P3
    2025 files, the esploradati answers); a demo.istat.it table may also close on its
    one-field quoted note without one, which is whole as long as its quotes are paired.
    A cut at a line end leaves whole rows: the count of comuni catches that one.
    """
    if not text or text.endswith(("\n", "\r")):
        return False
    last = text.rsplit("\n", 1)[-1]
    closing_note = last.startswith('"') and last.endswith('"') and last.count('"') % 2 == 0 and ";" not in last
    return not closing_note


def header_contains(*expected: str) -> Check:
    """A check that the first lines of the table contain each of ``expected``."""

    def check(path: Path) -> None:
        head = decode_text(table_head(path)).casefold()
        missing = [text for text in expected if text.casefold() not in head]
        if missing:
            raise DownloadNonValido(
                f"Il file non contiene le intestazioni attese ({', '.join(map(repr, missing))}): "
                "non è il file richiesto o l'editore ne ha cambiato il formato. Controllare il "
                "file; se il formato è cambiato, segnalarlo indicando il nome del file."
            )

    return check


def all_of(*checks: Check) -> Check:
    """Run ``checks`` in order; the first failure stops."""

    def check(path: Path) -> None:
        for one in checks:
            one(path)

    return check


ZIP_WITH_CSV: Check = all_of(not_empty, not_html, zip_magic, zip_intact, zip_has_csv)
