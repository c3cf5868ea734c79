"""The reader of each stored dataset: one function from a stored file's bytes to its table.

A file enters the store only when this reader parses it whole (``acceptance``), and every
later read goes through the same function (``read_stored``): what was accepted is what is
read, with the same decoding, the same handling of a ZIP and the same columns. A file that
an older version stored without this check, and that does not read, stops the reading
with a message naming the file and the command that removes it, never a traceback.

The analyst's files and surveys are not listed: their own validators (``commerce``,
``survey``) read them row by row, at import and at every use.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from diagnosis.errors import DiagnosisError, FileArchiviatoIlleggibile, FormatoNonRiconosciuto
from diagnosis.sources import census_sections, demo_istat, industry_sections, istat_codes
from diagnosis.sources.demo_istat import csv_payload
from diagnosis.sources.istat_classificazioni import parse_classes
from diagnosis.sources.istat_pendolarismo import parse_matrix
from diagnosis.sources.istat_pendolarismo_lavoro import parse_work_matrix
from diagnosis.sources.istat_sdmx import parse_sdmx_csv
from diagnosis.sources.mef_irpef import parse_mef
from diagnosis.sources.osm_network import parse_network_file
from diagnosis.sources.overpass import parse_osm_file
from diagnosis.sources.price_index import parse_index
from diagnosis.store.raw import raw_dir

Reader = Callable[[bytes, str], object]

# Per-territory ISTAT SDMX answers, stored as received (CSV) or as the analyst zipped them.
SDMX_DATASETS = ("popolazione_sdmx", "stranieri_sdmx", "bilancio_sdmx", "asia_ul", "popolazione_ricostruita",
                 "capacita_ricettiva")
# What the parsers raise on bytes they cannot make sense of, beyond their own errors.
PARSE_FAILURES = (ValueError, KeyError, IndexError, StopIteration, zipfile.BadZipFile, EOFError)


def _table_bytes(data: bytes) -> bytes:
    """The CSV inside a ZIP, or the CSV itself."""
    return csv_payload(data)


def _demo(parser_name: str) -> Reader:
    def read(data: bytes, _name: str):
        return getattr(demo_istat, parser_name)(data)

    return read


def _mef(data: bytes, name: str):
    return parse_mef(data, name=name)


def _sdmx(data: bytes, _name: str):
    return parse_sdmx_csv(_table_bytes(data))


def _code_list(parser_name: str) -> Reader:
    def read(data: bytes, _name: str):
        return getattr(istat_codes, parser_name)(_table_bytes(data))

    return read


def _price_index(data: bytes, _name: str):
    return parse_index(data)


def _classifications(data: bytes, _name: str):
    return parse_classes(data)


def _osm(data: bytes, _name: str):
    return parse_osm_file(data)


def _census_variables(data: bytes, _name: str):
    return census_sections.parse_variables(data)


def _census_boundaries(data: bytes, _name: str):
    return census_sections.parse_boundaries(data)


def _industry_sections(data: bytes, _name: str):
    return industry_sections.parse_industry_sections(data)


def _osm_network(data: bytes, _name: str):
    return parse_network_file(data)


def _commuting(data: bytes, _name: str):
    return parse_matrix(data)


def _work_commuting(data: bytes, _name: str):
    return parse_work_matrix(data)


READERS: dict[str, Reader] = {
    "posas": _demo("parse_posas"),
    "strasa": _demo("parse_strasa"),
    "p2": _demo("parse_p2"),
    "p3": _demo("parse_p3"),
    "mef_irpef": _mef,
    **{dataset: _sdmx for dataset in SDMX_DATASETS},
    "comuni_soppressi": _code_list("parse_soppressi"),
    "variazioni_comuni": _code_list("parse_variazioni"),
    "ricodifica_sardegna": _code_list("parse_sardegna"),
    "elenco_comuni": _code_list("parse_elenco_comuni"),
    "indice_prezzi": _price_index,
    "classificazioni_comuni": _classifications,
    "osm": _osm,
    **{f"sezioni_{year}": _census_variables for year in census_sections.SECTION_COLUMNS},
    **{f"confini_sezioni_{year}": _census_boundaries for year in census_sections.SECTION_COLUMNS},
    "imprese_sezioni_2011": _industry_sections,
    "osm_rete": _osm_network,
    "pendolarismo": _commuting,
    "pendolarismo_lavoro": _work_commuting,
}


def reader_of(dataset: str) -> Reader | None:
    return READERS.get(dataset)


def parse(dataset: str, data: bytes, name: str):
    """What ``dataset``'s reader makes of ``data``; a failure is an Italian ``DiagnosisError``."""
    reader = READERS[dataset]
    try:
        return reader(data, name)
    except DiagnosisError:
        raise
    except UnicodeDecodeError as error:
        raise FormatoNonRiconosciuto(
            f"Il file {name!r} ({dataset}) contiene un byte che non è nella codifica del suo editore (posizione "
            f"{error.start}): è stato salvato di nuovo con un'altra codifica o unito ad altri file. Usare il "
            "file così come scaricato dal sito dell'editore."
        ) from error
    except PARSE_FAILURES as error:
        raise FormatoNonRiconosciuto(
            f"Il file {name!r} non si legge per intero come {dataset} ({type(error).__name__}: {error}): è "
            "incompleto, modificato a mano o di un formato che il programma non conosce. Usare il file così "
            "come scaricato dal sito dell'editore."
        ) from error


def read_stored(dataset: str, path: str):
    """Read the stored file ``path`` (relative to the raw folder) with its dataset's reader."""
    try:
        data = (raw_dir() / path).read_bytes()
        return parse(dataset, data, Path(path).name)
    except (DiagnosisError, OSError) as error:
        raise FileArchiviatoIlleggibile(unreadable_message(path, error), path) from error


def unreadable_message(path: str, error: BaseException) -> str:
    cause = "il file non c'è più" if isinstance(error, FileNotFoundError) else str(error).rstrip(".")
    return (
        f"Il file dell'archivio {path} non si legge ({cause}). Probabilmente è stato importato da una versione "
        "precedente del programma, che non lo controllava per intero. Rimuoverlo con: diagnosis dati rimuovi "
        f"{path} — poi, se serve, importare di nuovo il file originale con: diagnosis dati aggiungi FILE"
    )
