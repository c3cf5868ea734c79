"""Downloading ISTAT's census sections of a region: variables (2011, 2021, and the 2011
industry census's local units) and boundaries.

Where each file is published is written in ``sources/catalog.yaml`` (``sezioni-censimento``).
The boundaries come one ZIP per region; the variables in one national ZIP, from which the
region's own file (``R03_indicatori_2011_sezioni.csv``, ``R03_indicatori_2021_sezioni.xlsx``,
the first member matching the catalogue's pattern) is taken and stored alone, as it is
published inside it. Every file goes through the shared session, is recognised and read
whole before it is stored: a failed or wrong download leaves the store as it was.
"""

from __future__ import annotations

import fnmatch
import zipfile
from datetime import date

from diagnosis import http, store
from diagnosis.errors import DownloadNonValido, FonteSconosciuta
from diagnosis.intake.acceptance import accept
from diagnosis.intake.recognise import recognise, refuse_another_file
from diagnosis.notices import announce
from diagnosis.sources.catalog import source_facts
from diagnosis.store.limits import open_archive

SOURCE = "sezioni-censimento"
REGIONS = range(1, 21)


def published_files() -> dict:
    """Dataset id -> {url, membro?}, as the catalogue lists them."""
    return source_facts(SOURCE)["file"]


def region_code(region) -> str:
    """``3``, ``"3"`` or ``"03"`` -> ``"03"``; anything else is refused naming the valid codes."""
    text = str(region).strip()
    if not text.isdigit() or int(text) not in REGIONS:
        raise FonteSconosciuta(f"Regione {region!r} non valida: indicare il codice ISTAT della regione, da 01 "
                               "(Piemonte) a 20 (Sardegna), es. --regione 03 per la Lombardia.")
    return text.zfill(2)


def region_url(dataset: str, region) -> str:
    files = published_files()
    if dataset not in files:
        raise FonteSconosciuta(f"Fonte {dataset!r} sconosciuta fra le sezioni di censimento: "
                               f"{', '.join(files)}.")
    return files[dataset]["url"].format(regione=region_code(region))


def region_file(dataset: str, region, data: bytes) -> tuple[str, bytes]:
    """The region's own file: the download itself, or its member of a national ZIP (a name or
    a shell pattern such as ``R03_*.csv``, compared with the member's name without folders)."""
    member = published_files()[dataset].get("membro")
    if member is None:
        return f"R{region_code(region)}_{dataset[-2:]}.zip", data
    wanted = member.format(regione=region_code(region))
    with open_archive(data, "L'archivio scaricato") as archive:
        found = sorted(name for name in archive.namelist()
                       if fnmatch.fnmatchcase(name.rsplit("/", 1)[-1].lower(), wanted.lower()))
        if not found:
            raise DownloadNonValido(
                f"L'archivio scaricato non contiene {wanted}: l'ISTAT ne ha cambiato il contenuto. Scaricarlo "
                "a mano da www.istat.it e importare il file della regione con: diagnosis dati aggiungi FILE"
            )
        return found[0].rsplit("/", 1)[-1], archive.read(found[0])


def download_region(dataset: str, region) -> dict:
    """Fetch, recognise, read whole and store one region's file; returns the manifest entry."""
    url = region_url(dataset, region)
    try:
        data = http.fetch_bytes(url, use_cache=False)
        name, data = region_file(dataset, region, data)
    except zipfile.BadZipFile as error:
        raise DownloadNonValido(f"L'archivio scaricato da {url} è danneggiato ({error}): riprovare più tardi.") from error
    found = recognise(data, name=name)
    refuse_another_file(found, dataset)
    accepted = accept(found, data, name)  # the reader reads it whole before it is stored
    entry = store.save_bytes(dataset, accepted.filename, data, source=url,
                             vintage=f"scaricato il {date.today().isoformat()}", status=found.status,
                             years=found.years)
    announce(f"{dataset} regione {region_code(region)}: salvato.")
    return entry
