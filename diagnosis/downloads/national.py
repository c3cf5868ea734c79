"""What ``diagnosis dati scarica`` can download, and how each file lands in the raw store.

Every file is fetched whole through the shared session, recognised from its content
(dataset, year, status: an ISTAT "(stima)" title makes it an estimate whatever the URL
said) and only then stored, so a wrong or broken answer never enters the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable

from diagnosis import http, store
from diagnosis.errors import AnniNonValidi, DiagnosisError, FonteSconosciuta
from diagnosis.intake.acceptance import accept
from diagnosis.intake.recognise import recognise, refuse_another_file
from diagnosis.intake.recognisers import COMMUTING_CENSUS_YEAR, WORK_COMMUTING_CENSUS_YEAR
from diagnosis.notices import announce
from diagnosis.sources import demo_istat, istat_codes, mef_irpef
from diagnosis.sources.catalog import source_facts


YEARLY = ("posas", "strasa", "p2", "p3", "mef_irpef")  # one file per year; code lists are one current file


@dataclass(frozen=True)
class Downloadable:
    dataset: str
    description: str
    first_year: int
    last_year: Callable[[], int]
    urls: Callable[[int], list[str]]
    filename: Callable[[int], str]
    headers: Callable[[], dict] | None = None


def _demo(dataset: str, prefix: str, description: str, first_year: int, lag: int) -> Downloadable:
    return Downloadable(
        dataset=dataset, description=description, first_year=first_year,
        last_year=lambda: date.today().year - lag,
        urls=lambda year: [demo_istat.build_url(dataset, year)],
        filename=lambda year: f"{prefix}_{year}_it_Comuni.zip",
    )


def _mef() -> Downloadable:
    years = mef_irpef.income_year_range()
    return Downloadable(
        dataset="mef_irpef", description="MEF, redditi IRPEF per comune (anno d'imposta)",
        first_year=years.start, last_year=lambda: years.stop - 1,
        urls=mef_irpef.build_urls,
        filename=lambda year: f"Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_{year}.zip",
        headers=mef_irpef.request_headers,
    )


def _code_list(dataset: str, url_name: str, filename: str, description: str) -> Downloadable:
    """ISTAT code lists: one current file, replaced in place; its "year" is the year downloaded."""
    this_year = date.today().year
    return Downloadable(
        dataset=dataset, description=description, first_year=this_year, last_year=lambda: this_year,
        urls=lambda _year: [getattr(istat_codes, url_name)], filename=lambda _year: filename,
    )


def _census_matrix(dataset: str, source_id: str, description: str, year: int, filename: str) -> Downloadable:
    """A census commuting matrix: one national file of one census year (``filename`` with ``{year}``)."""
    facts = source_facts(source_id)
    return Downloadable(
        dataset=dataset, description=description, first_year=year, last_year=lambda: year,
        urls=lambda _year: [facts["url"]], filename=lambda chosen: filename.format(year=chosen),
    )


def downloadable() -> dict[str, Downloadable]:
    """Every source ``diagnosis dati scarica --fonte`` accepts, by id."""
    sources = [
        _demo("posas", "POSAS", "ISTAT, popolazione per età e sesso al 1° gennaio", 2019, 0),
        _demo("strasa", "STRASA", "ISTAT, stranieri per età e sesso al 1° gennaio", 2019, 0),
        _demo("p2", "P2", "ISTAT, bilancio demografico", 2019, 1),
        _demo("p3", "P3", "ISTAT, bilancio demografico degli stranieri", 2019, 1),
        _mef(),
        _code_list("comuni_soppressi", "SOPPRESSI_URL", "Elenco-comuni-soppressi.zip",
                   "ISTAT, elenco dei comuni soppressi (per riconoscere i codici non più in uso)"),
        _code_list("elenco_comuni", "ELENCO_COMUNI_URL", "Elenco-comuni-italiani.csv",
                   "ISTAT, elenco dei comuni italiani"),
        _code_list("variazioni_comuni", "VARIAZIONI_URL", "Variazioni-amministrative-e-territoriali.zip",
                   "ISTAT, variazioni amministrative e territoriali dal 1991 (estinzioni e cambi di provincia)"),
        _code_list("ricodifica_sardegna", "SARDEGNA_URL", "Codici-Sardegna.zip",
                   "ISTAT, ricodifica dei comuni della Sardegna del 1° gennaio 2026"),
        # Study and work from the 2011 census; the 2021 permanent census's matrix counts work only.
        _census_matrix("pendolarismo", "istat-pendolarismo", "ISTAT, matrice del pendolarismo del censimento 2011 "
                       "(spostamenti per studio e lavoro tra comuni)", COMMUTING_CENSUS_YEAR,
                       "matrici_pendolarismo_{year}.zip"),
        _census_matrix("pendolarismo_lavoro", "istat-pendolarismo-lavoro", "ISTAT, matrice del pendolarismo per "
                       "lavoro del censimento permanente 2021 (solo lavoro)", WORK_COMMUTING_CENSUS_YEAR,
                       "matrix_pendoLAVORO_{year}.zip"),
    ]
    return {source.dataset: source for source in sources}


def source(dataset: str) -> Downloadable:
    known = downloadable()
    if dataset not in known:
        listed = "; ".join(f"{key} ({item.description})" for key, item in known.items())
        raise FonteSconosciuta(f"Fonte {dataset!r} sconosciuta. Fonti scaricabili: {listed}.")
    return known[dataset]


def parse_years(text: str | None, item: Downloadable) -> list[int]:
    """``"2019-2023"`` or ``"2023"`` → years; ``None`` → the latest published one."""
    if not text:
        return [item.last_year()]
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if not match:
        raise AnniNonValidi(f"Anni {text!r} non validi: scrivere un anno (2023) o un intervallo (2019-2023).")
    first, last = int(match[1]), int(match[2] or match[1])
    if first > last:
        raise AnniNonValidi(f"Intervallo {text!r} rovesciato: scrivere prima l'anno più vecchio (es. 2019-2023).")
    if first < item.first_year or last > item.last_year():
        raise AnniNonValidi(
            f"{item.dataset}: anni disponibili {item.first_year}-{item.last_year()}, richiesti {first}-{last}."
        )
    return list(range(first, last + 1))


def download_year(item: Downloadable, year: int) -> dict:
    """Fetch one year, recognise it, store it; returns the manifest entry."""
    headers = item.headers() if item.headers else None
    last_error = None
    for url in item.urls(year):
        try:
            data = http.fetch_bytes(url, headers=headers, use_cache=False)
        except DiagnosisError as error:
            last_error = error
            continue
        found = recognise(data, name=item.filename(year))
        refuse_another_file(found, item.dataset, year if item.dataset in YEARLY else None)
        accept(found, data, item.filename(year))  # the reader reads it whole before it is stored
        entry = store.save_bytes(
            item.dataset, item.filename(year), data, source=url,
            vintage=f"scaricato il {date.today().isoformat()}", status=found.status, years=found.years,
        )
        announce(f"{item.dataset} {year}: salvato ({found.status}).")
        return entry
    raise last_error
