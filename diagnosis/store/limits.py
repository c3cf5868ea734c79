"""How big a file may be, checked before its content is read.

A file given to ``diagnosis dati aggiungi`` comes from anywhere: a 300 KB ZIP can unpack
to gigabytes (a "zip bomb"), an archive of a thousand tiny members makes every reader
walk it again and again, a register exported by mistake with millions of rows takes
minutes and gigabytes. Each limit below is checked from what can be known without
unpacking (the file size on disk, the ZIP central directory), and the unpacking itself
is bounded, since the sizes an archive declares can lie.

The limits leave a wide margin over the largest real file of each kind, so that no
genuine publication is ever refused; each comment says what it was measured on.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

from diagnosis.errors import LimiteSuperato

MB = 1024 * 1024
LIMITS_FILE = "diagnosis/store/limits.py"

# The largest published file is P2 for every comune in older layouts, about 200 MB as a
# CSV (POSAS is about 47 MB unzipped, MEF IRPEF about 2.3 MB a year): 512 MB is 2.5 times it.
MAX_FILE_BYTES = 512 * MB
# The same bound on what a ZIP unpacks to (the sum of its members), for the same files.
MAX_UNPACKED_BYTES = 512 * MB
# demo.istat.it and MEF archives hold one CSV; an XLSX is a ZIP of parts, and the
# 43-sheet ISTAT "Frame territoriale" workbook, the largest seen, has 62: 500 is 8 times it.
MAX_ZIP_MEMBERS = 500
# Real tables compress at most about 14 to 1 (ISTAT SDMX-CSV, XLSX sheets; demo.istat.it
# and MEF CSV about 3 to 1); deflate bombs reach 1,000 to 1. A member is judged only above
# RATIO_FLOOR_BYTES unpacked: a small XML part of a workbook may compress better, harmlessly.
MAX_COMPRESSION_RATIO = 100
RATIO_FLOOR_BYTES = 1 * MB
# Stored and deflate are what publishers and spreadsheet programs write. Python unpacks
# bzip2 and LZMA members a whole block at a time, whatever the size asked for, so their
# memory cannot be bounded: they are refused.
ZIP_METHODS = {zipfile.ZIP_STORED: "nessuna compressione", zipfile.ZIP_DEFLATED: "deflate"}
# A shop register or vacancy survey describes the premises of a district: a few thousand
# rows (the Sassuolo district about 1,500; a whole province such as Roma about 50,000).
# 200,000 rows is four times a province; at about 150 bytes a row that is 30 MB as a CSV,
# and the file limit is twice that to allow long free-text notes.
MAX_ANALYST_ROWS = 200_000
MAX_ANALYST_FILE_BYTES = 64 * MB
# The same files as XLSX: a sheet's XML takes about five times the CSV, so 200,000 rows
# unpack to some 150 MB; openpyxl holds a whole workbook in memory, hence a bound of its own.
MAX_ANALYST_UNPACKED_BYTES = 256 * MB
ANALYST_FILES = ("un registro dei negozi, una rilevazione degli sfitti o un questionario di un distretto "
                 "pesano pochi MB: controllare che il file sia quello giusto, oppure dividerlo per comune "
                 "e importare le parti con il --territorio di ciascuna")
# A survey export: one row per respondent; the largest district surveys have a few thousand.
MAX_SURVEY_ROWS = 200_000
CHUNK = 1 * MB


def size_text(size: int) -> str:
    """A byte count as an Italian reads it: ``512 MB``, ``1,5 GB``, ``300 KB``."""
    if size >= 1024 * MB:
        return f"{size / (1024 * MB):.1f} GB".replace(".", ",")
    if size >= MB:
        return f"{size / MB:.0f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _count(number: float) -> str:
    """A whole number with Italian thousands separators: ``1.000``."""
    return f"{number:,.0f}".replace(",", ".")


def _how_to_raise(limit_name: str) -> str:
    return f"se il file è davvero quello giusto, il limite ({limit_name}) si può alzare in {LIMITS_FILE}"


PUBLISHED_FILES = ("nessun file pubblicato è così grande (il più grande, il P2 di tutti i comuni, arriva a "
                   "circa 200 MB): controllare di aver scelto il file giusto")


def limit_value(limit_name: str) -> int:
    """The current value of the limit named ``limit_name``.

    Limits are passed around by the name of their constant, which every message shows, and
    read when checked, so that a changed constant takes effect everywhere at once.
    """
    return globals()[limit_name]


def check_size(size: int, label: str, limit_name: str = "MAX_FILE_BYTES", reason: str = PUBLISHED_FILES) -> None:
    """Refuse a file of ``size`` bytes above the limit, before reading it; ``reason`` says what to do."""
    limit = limit_value(limit_name)
    if size > limit:
        raise LimiteSuperato(
            f"{label} pesa {size_text(size)}, oltre il limite di {size_text(limit)} ({limit_name}): "
            f"{reason}; {_how_to_raise(limit_name)}.",
            limit_name,
        )


def check_file(path: str | Path, label: str, limit_name: str = "MAX_FILE_BYTES", reason: str = PUBLISHED_FILES) -> None:
    check_size(Path(path).stat().st_size, label, limit_name, reason)


def check_archive(archive: zipfile.ZipFile, label: str, limit_name: str = "MAX_UNPACKED_BYTES") -> None:
    """Refuse an archive whose central directory promises too much, before unpacking anything.

    ``limit_name`` is the limit on the sum of the members' unpacked sizes.
    """
    members = archive.infolist()
    if len(members) > limit_value("MAX_ZIP_MEMBERS"):
        raise LimiteSuperato(
            f"{label} è un archivio ZIP con {_count(len(members))} file, oltre il limite di "
            f"{limit_value('MAX_ZIP_MEMBERS')} (MAX_ZIP_MEMBERS): i file pubblicati ne contengono uno, un foglio "
            "Excel qualche decina. Estrarre dall'archivio il CSV o l'XLSX che serve e importare quello.",
            "MAX_ZIP_MEMBERS",
        )
    for member in members:
        _check_method(member, label)
        _check_ratio(member, label)
    unpacked, unpacked_limit = sum(member.file_size for member in members), limit_value(limit_name)
    if unpacked > unpacked_limit:
        raise LimiteSuperato(
            f"{label} è un archivio ZIP che si espande a {size_text(unpacked)}, oltre il limite di "
            f"{size_text(unpacked_limit)} ({limit_name}): nessun file di questo tipo è così grande. "
            "Controllare di aver scelto il file giusto, oppure estrarre il CSV che serve e "
            f"importare quello; {_how_to_raise(limit_name)}.",
            limit_name,
        )


def _check_method(member: zipfile.ZipInfo, label: str) -> None:
    if member.compress_type not in ZIP_METHODS:
        raise LimiteSuperato(
            f"{label}: il file {member.filename!r} dell'archivio è compresso con un metodo "
            f"(codice {member.compress_type}) che gli editori e i fogli di calcolo non usano e che non "
            "si può decomprimere con memoria limitata. Importare il file non compresso, oppure "
            "ricreare lo ZIP con la compressione standard (deflate).",
            "ZIP_METHODS",
        )


def _check_ratio(member: zipfile.ZipInfo, label: str) -> None:
    if member.file_size <= limit_value("RATIO_FLOOR_BYTES"):
        return
    ratio = member.file_size / max(member.compress_size, 1)
    if ratio > limit_value("MAX_COMPRESSION_RATIO"):
        raise LimiteSuperato(
            f"{label}: il file {member.filename!r} dell'archivio si espande {_count(ratio)} volte "
            f"(da {size_text(member.compress_size)} a {size_text(member.file_size)}), oltre il limite di "
            f"{limit_value('MAX_COMPRESSION_RATIO')} volte (MAX_COMPRESSION_RATIO): i dati pubblicati si comprimono al "
            "più una quindicina di volte, è un archivio costruito per esaurire la memoria (una «bomba "
            "ZIP») o un file danneggiato. Scaricare di nuovo il file dal sito dell'editore.",
            "MAX_COMPRESSION_RATIO",
        )


def counted_rows(rows: Iterable, label: str, limit_name: str):
    """``rows`` as they come, refused as soon as there are more of them than the limit."""
    limit = limit_value(limit_name)
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise LimiteSuperato(
                f"{label} ha più di {_count(limit)} righe ({limit_name}): {ANALYST_FILES}; "
                f"{_how_to_raise(limit_name)}.",
                limit_name,
            )
        yield row


def open_archive(source, label: str, limit_name: str = "MAX_UNPACKED_BYTES") -> zipfile.ZipFile:
    """A ZIP (path, bytes or file object) opened and checked; the caller closes it.

    ``zipfile.BadZipFile`` is left to the caller, whose message knows what the file should be.
    """
    archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
    try:
        check_archive(archive, label, limit_name)
    except BaseException:
        archive.close()
        raise
    return archive


def check_zip(source, label: str, limit_name: str = "MAX_UNPACKED_BYTES") -> None:
    """The check of ``open_archive`` alone, for readers that unpack with a library of their own."""
    open_archive(source, label, limit_name).close()


def read_member(archive: zipfile.ZipFile, name: str, label: str) -> bytes:
    """A member's bytes, unpacked a chunk at a time and never beyond what it declared.

    ``check_archive`` judged the declared sizes; a member that unpacks to more than it
    declared lied about itself and is refused here, before it can fill the memory.
    """
    info = archive.getinfo(name)
    limit = min(info.file_size, limit_value("MAX_UNPACKED_BYTES"))
    parts, total = [], 0
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            if total > limit:
                raise LimiteSuperato(
                    f"{label}: il file {name!r} dell'archivio si espande oltre la dimensione che "
                    f"dichiara ({size_text(info.file_size)}): l'archivio è danneggiato o costruito per "
                    "esaurire la memoria. Scaricare di nuovo il file dal sito dell'editore.",
                    "MAX_UNPACKED_BYTES",
                )
            parts.append(chunk)
    return b"".join(parts)
