"""Recognise a published file from its content: which dataset, which year(s), which status.

Analysts download files by hand and rename them ("download (3).zip"), so the name is never
trusted: ``recognise`` opens the file (the ZIP as published or the table inside it) and
asks each recogniser in turn.

The recognisers and their order are data, in ``recognisers.yaml``: each entry names a
function of ``recognisers.py`` and says in Italian what is accepted (the refusal message
lists those sentences). A recogniser returns None when the table is not its dataset, a
``Recognised`` when it is, and raises ``FileNonRiconosciuto`` only when the table is
clearly its dataset but broken (a required column missing). Adding a dataset is adding one
function and one entry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from diagnosis.errors import DiagnosisError, DownloadNonValido, FileNonRiconosciuto
from diagnosis.intake import recognisers
from diagnosis.intake.samples import OLE_MAGIC, Recognised, Sample, samples
from diagnosis.sources.census_sections import GPKG_MAGIC
from diagnosis.store.checks import HEAD_BYTES, ZIP_MAGIC, Check, looks_like_html
from diagnosis.store.limits import check_file, check_size

REGISTRY_FILE = Path(__file__).with_name("recognisers.yaml")


@dataclass(frozen=True)
class Registered:
    dataset: str
    description: str
    function: Callable[[Sample], Recognised | None]


@functools.cache
def registry() -> tuple[Registered, ...]:
    """The recognisers in the order ``recognisers.yaml`` lists them."""
    entries = yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8"))
    return tuple(
        Registered(entry["dataset"], entry["description"], getattr(recognisers, entry["recogniser"]))
        for entry in entries
    )


def accepted() -> list[str]:
    """Italian descriptions of every recognised dataset, for messages and help text."""
    return [f"{r.dataset}: {r.description}" for r in registry()]


def recognise(source: bytes | str | Path, name: str | None = None) -> Recognised:
    """The identity of a file (bytes or path), or ``FileNonRiconosciuto`` saying what is accepted."""
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
        for registered in registry():
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
    if not head.startswith((ZIP_MAGIC, GPKG_MAGIC)) and b"\x00" in head:
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
