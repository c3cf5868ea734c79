"""Recognise a published file from its content: which dataset, which year(s), which status.

Analysts download files by hand and rename them ("download (3).zip"), so the name is never
trusted: ``recognise`` opens the file (the ZIP as published or the table inside it) and
asks each registered recogniser in turn.

A recogniser is one function ``(Sample) -> Recognised | None`` registered with
``@recogniser(dataset_id, description)``: it returns None when the file is not its
dataset, a ``Recognised`` when it is, and raises ``FileNonRiconosciuto`` only when the file
is clearly its dataset but broken (a required column missing). Adding a dataset is
adding one such function; the description feeds the list of accepted files that the
refusal message shows.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from diagnosis.errors import DiagnosisError, DownloadNonValido, FileNonRiconosciuto
from diagnosis.store.checks import (
    HEAD_BYTES,
    ZIP_MAGIC,
    Check,
    looks_like_html,
    table_members,
)
from diagnosis.store.limits import check_file, check_size, open_archive
from diagnosis.text import decode_text, normalise_header

XLSX_MARKER = "[Content_Types].xml"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 binary .xls
SAMPLE_ROWS = 50


@dataclass(frozen=True)
class Sample:
    """What a recogniser looks at: the file as given and the head of the table in it.

    ``data`` is the whole file as given (a ZIP or a table) and ``name`` its file name, for
    recognisers that need the entire content; ``member`` is the table inside a ZIP and
    ``head`` its first bytes (the file's own first bytes when it is not a ZIP).
    """

    data: bytes
    name: str | None
    container: str  # "zip", "csv" or "xlsx"
    member: str | None
    head: bytes

    @cached_property
    def lines(self) -> list[list[str]]:
        """The first rows of a ``;`` table, each a list of cells; a cut last line is dropped."""
        complete = len(self.head) < HEAD_BYTES or self.container == "xlsx"
        physical = _physical_lines(self.head)
        if not complete:
            physical = physical[:-1]
        return [row for row in _split_rows(physical[: SAMPLE_ROWS + 2], ";") if row]

    @cached_property
    def header_cells(self) -> list[str]:
        """The first row's cells, whatever the separator (``;``, ``,`` or tab) or an XLSX sheet."""
        if self.container == "xlsx":
            return _xlsx_header(self.data)
        first = next((line for line in _physical_lines(self.head) if line.strip()), "")
        delimiter = max(";,\t", key=first.count)
        return [cell.strip() for cell in next(iter(_split_rows([first], delimiter)), [])]


def _physical_lines(head: bytes) -> list[str]:
    """Lines ended by CRLF, LF or a lone CR (the old "CSV (Macintosh)" export)."""
    return decode_text(head).replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _split_rows(lines: list[str], delimiter: str) -> list[list[str]]:
    """Cells of each line; a line the csv module cannot split (a NUL byte) makes no table."""
    try:
        return list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:
        return []


@dataclass(frozen=True)
class Recognised:
    """A file's identity: the dataset id, the years it covers and the status of its figures."""

    dataset: str
    years: tuple[int, ...]
    status: str  # definitivo, provvisorio, stima
    container: str
    member: str | None = None
    description: str = ""
    suggested_name: str | None = None
    # Files that belong to one territory (the analyst's register, a survey, an OSM export)
    # need ``--territorio`` when imported; ``comuni`` lists those a file covers, when known.
    per_territorio: bool = False
    comuni: tuple[str, ...] = ()

    @property
    def year(self) -> int:
        return self.years[-1]


@dataclass(frozen=True)
class Registered:
    dataset: str
    description: str
    function: Callable[[Sample], Recognised | None]


REGISTRY: list[Registered] = []


def recogniser(dataset: str, description: str):
    """Register a recogniser for ``dataset``; ``description`` says in Italian what is accepted."""

    def register(function: Callable[[Sample], Recognised | None]):
        REGISTRY.append(Registered(dataset, description, function))
        return function

    return register


def accepted() -> list[str]:
    """Italian descriptions of every recognised dataset, for messages and help text."""
    return [f"{r.dataset}: {r.description}" for r in REGISTRY]


def recognise(source: bytes | str | Path, name: str | None = None) -> Recognised:
    """The identity of a file (bytes or path), or ``FileNonRiconosciuto`` saying what is accepted."""
    import diagnosis.sources.recognisers  # noqa: F401  (registers the other readers' recognisers)

    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        check_file(path, _label(name))
        data = path.read_bytes()
    else:
        data = bytes(source)
        check_size(len(data), _label(name))
    label = _label(name)
    _refuse_what_is_not_a_table(data[:HEAD_BYTES], label)
    for sample in samples(data, name, label):
        for registered in REGISTRY:
            found = registered.function(sample)
            if found is not None:
                _check_line_ends(found, sample, label)
                return found
    raise FileNonRiconosciuto(
        f"{label} non è tra i file riconosciuti. Sono accettati, come pubblicati (lo ZIP o il "
        "file che contiene, con qualsiasi nome):\n- " + "\n- ".join(accepted())
    )


def _label(name: str | None) -> str:
    return f"Il file {name!r}" if name else "Il file"


def _refuse_what_is_not_a_table(head: bytes, label: str) -> None:
    """A web page, an old .xls or binary bytes: said plainly, before any recogniser looks."""
    if looks_like_html(head):
        raise FileNonRiconosciuto(
            f"{label} è una pagina HTML, non un file di dati: probabilmente è stata salvata la "
            "pagina del sito invece del file. Scaricare il file ZIP o CSV dal sito dell'editore."
        )
    if head.startswith(OLE_MAGIC):
        raise FileNonRiconosciuto(
            f"{label} è nel vecchio formato Excel .xls: aprirlo e salvarlo come .xlsx (Cartella di "
            "lavoro di Excel) o come CSV UTF-8, poi importare quello."
        )
    if not head.startswith(ZIP_MAGIC) and b"\x00" in head:
        raise FileNonRiconosciuto(
            f"{label} non è un file di testo CSV, né un archivio ZIP o un foglio Excel .xlsx: contiene "
            "byte binari (un PDF, un file danneggiato, un testo salvato in UTF-16?). Usare il file "
            "così come scaricato dal sito dell'editore, oppure salvarlo come CSV UTF-8 o XLSX."
        )


def _check_line_ends(found: Recognised, sample: Sample, label: str) -> None:
    """Refuse a publisher's table whose lines end with a lone CR.

    Publishers write CRLF or LF; a lone CR means the file was opened and saved again as
    "CSV (Macintosh)", and the publishers' readers split lines on LF. The files analysts
    compile (register, vacancy survey, questionnaire) are read with the csv module, which
    takes any line end, so they are accepted as they are.
    """
    if found.per_territorio or sample.container == "xlsx":
        return
    if b"\r" in sample.head and b"\n" not in sample.head:
        raise FileNonRiconosciuto(
            f"{label} è riconoscibile come {found.dataset} ({found.description}), ma le sue righe finiscono con il solo "
            "ritorno a capo del vecchio formato «CSV (Macintosh)»: è stato aperto e salvato di nuovo "
            "con un foglio di calcolo. Importare il file così come scaricato dal sito dell'editore."
        )


def samples(data: bytes, name: str | None, label: str = "Il file") -> list[Sample]:
    """One sample per table in the file: the file itself, or each CSV member of a ZIP.

    A ZIP is checked against the limits of ``limits.py`` before any member is unpacked.
    """
    if not data.startswith(ZIP_MAGIC):
        return [Sample(data=data, name=name, container="csv", member=None, head=data[:HEAD_BYTES])]
    try:
        with open_archive(data, label) as archive:
            names = archive.namelist()
            if XLSX_MARKER in names:
                return [Sample(data=data, name=name, container="xlsx", member=None, head=b"")]
            members = table_members(archive)
            heads = [_member_head(archive, member) for member in members]
    except (zipfile.BadZipFile, EOFError) as error:
        raise FileNonRiconosciuto(
            f"{label} è un archivio ZIP danneggiato o incompleto ({error}): scaricarlo di nuovo."
        ) from error
    if not members:
        raise FileNonRiconosciuto(
            f"{label} è un archivio ZIP senza file CSV (contenuto: {', '.join(names) or 'nessun file'}): "
            "non è uno dei file pubblicati che il programma conosce."
        )
    return [
        Sample(data=data, name=name, container="zip", member=member, head=head)
        for member, head in zip(members, heads)
    ]


def _xlsx_header(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a ZIP with an XLSX marker but not a readable workbook: not recognised
        return []
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(max_row=5, values_only=True):
            cells = [str(v).strip() for v in row if v is not None and str(v).strip()]
            if cells:
                return [str(v).strip() if v is not None else "" for v in row]
        return []
    finally:
        book.close()


def _member_head(archive: zipfile.ZipFile, member: str) -> bytes:
    with archive.open(member) as stream:
        return stream.read(HEAD_BYTES)


# --- demo.istat.it: POSAS, STRASA, P2, P3 -------------------------------------------------
#
# Observed on the 2025 and 2026 releases (SOURCES.md §2.2): UTF-8 with BOM, CRLF, ";",
# line 1 a quoted one-field title carrying the year ("... al 1° gennaio 2025", "... al 31
# dicembre 2025") and "(stima)" for early estimates, line 2 the quoted header, a trailing
# one-field note line. Foreign-citizen files say so in the title ("Popolazione straniera
# ...", P3 "Cittadini stranieri: ..."). P2/P3 mark provisional rows with "p" in a last
# column "Informazioni".


@dataclass(frozen=True)
class DemoLayout:
    prefix: str  # publisher's file-name prefix
    table: str  # "age" (by age and sex) or "balance" (demographic balance)
    foreign: bool
    required: tuple[str, ...]  # "A|B": either label will do


DEMO_LAYOUTS = {
    "posas": DemoLayout("POSAS", "age", False, ("Codice comune", "Età", "Totale maschi", "Totale femmine", "Totale")),
    "strasa": DemoLayout("STRASA", "age", True, ("Codice comune", "Età", "Maschi|Totale maschi", "Femmine|Totale femmine")),
    "p2": DemoLayout("P2", "balance", False, ("Codice comune", "Nati vivi - Totale", "Popolazione al 31 dicembre - Totale")),
    "p3": DemoLayout("P3", "balance", True, ("Codice comune", "Nati vivi - Totale", "Popolazione al 31 dicembre - Totale")),
}
BALANCE_MARKER = "popolazione al 31 dicembre"
PROVISIONAL_COLUMN = "informazioni"
PROVISIONAL_MARK = "p"


def _title_year(title: str) -> int | None:
    years = re.findall(r"\b(19\d{2}|20\d{2})\b", title)
    return int(years[-1]) if years else None


def _demo_shape(sample: Sample) -> tuple[str, list[str], str, bool] | None:
    """(title, header, table kind, foreign) when the sample has the demo.istat.it shape."""
    rows = sample.lines
    if len(rows) < 2 or len(rows[0]) != 1 or _title_year(rows[0][0]) is None:
        return None
    title, header = rows[0][0].strip(), [normalise_header(h) for h in rows[1]]
    if not header or header[0] != "codice comune":
        return None
    if "età" in header:
        kind = "age"
    elif any(h.startswith(BALANCE_MARKER) for h in header):
        kind = "balance"
    else:
        return None
    return title, header, kind, "stranier" in title.casefold()


def _demo_status(title: str, header: list[str], rows: list[list[str]]) -> str:
    """"(stima)" in the title -> stima; any "p" in the Informazioni column -> provvisorio."""
    if "(stima)" in title.casefold():
        return "stima"
    if PROVISIONAL_COLUMN in header:
        column = header.index(PROVISIONAL_COLUMN)
        marks = {row[column].strip().casefold() for row in rows[2:] if len(row) == len(header)}
        if PROVISIONAL_MARK in marks:
            return "provvisorio"
    return "definitivo"


def recognise_demo(sample: Sample, dataset: str) -> Recognised | None:
    """``dataset`` (posas, strasa, p2, p3) when the sample is that demo.istat.it file."""
    layout = DEMO_LAYOUTS[dataset]
    shape = _demo_shape(sample)
    if shape is None:
        return None
    title, header, kind, foreign = shape
    if (kind, foreign) != (layout.table, layout.foreign):
        return None
    missing = [c for c in layout.required if not any(normalise_header(a) in header for a in c.split("|"))]
    if missing:
        raise FileNonRiconosciuto(
            f"Il file sembra {layout.prefix} di demo.istat.it ({title!r}) ma mancano le colonne "
            f"{', '.join(map(repr, missing))}: è stato modificato o ISTAT ne ha cambiato il "
            "formato. Usare il file così come scaricato da demo.istat.it."
        )
    year = _title_year(title)
    suffix = "zip" if sample.container == "zip" else "csv"
    return Recognised(
        dataset=dataset,
        years=(year,),
        status=_demo_status(title, header, sample.lines),
        container=sample.container,
        member=sample.member,
        description=title,
        suggested_name=f"{layout.prefix}_{year}_it_Comuni.{suffix}",
    )


@recogniser("posas", "POSAS, popolazione residente per età e sesso al 1° gennaio, per comune (demo.istat.it, versione italiana)")
def posas(sample: Sample) -> Recognised | None:
    return recognise_demo(sample, "posas")


@recogniser("strasa", "STRASA, popolazione straniera residente per età e sesso al 1° gennaio, per comune (demo.istat.it)")
def strasa(sample: Sample) -> Recognised | None:
    return recognise_demo(sample, "strasa")


@recogniser("p2", "P2, bilancio demografico e popolazione residente al 31 dicembre, per comune (demo.istat.it)")
def p2(sample: Sample) -> Recognised | None:
    return recognise_demo(sample, "p2")


@recogniser("p3", "P3, bilancio demografico dei cittadini stranieri al 31 dicembre, per comune (demo.istat.it)")
def p3(sample: Sample) -> Recognised | None:
    return recognise_demo(sample, "p3")


def recognised_as(dataset: str, year: int | None = None) -> Check:
    """A check that the file is ``dataset`` (and ``year``) by its content, not by its name."""

    def check(path: Path) -> None:
        try:
            found = recognise(path)
        except DiagnosisError as error:
            raise DownloadNonValido(str(error)) from error
        refuse_another_file(found, dataset, year)

    return check


def refuse_another_file(found, dataset: str, year: int | None = None) -> None:
    """Raise unless the recognised file is ``dataset`` (of ``year``), as it was asked for."""
    if found.dataset != dataset or (year is not None and year not in found.years):
        anni = ", ".join(map(str, found.years))
        raise DownloadNonValido(
            f"Il file contiene {found.dataset} {anni}, non {dataset}"
            f"{'' if year is None else f' {year}'} come richiesto: l'editore ha servito un "
            "altro file a questo indirizzo. Controllare l'anno richiesto."
        )
