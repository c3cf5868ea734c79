"""Per-territory downloads from ISTAT SDMX: the comuni a fotografia needs, ≤35 per request.

ISTAT bans an address for 1-2 days above about five requests a minute, so a territory is
never fetched one comune at a time: its comuni, those of its provinces (the benchmark) and
its peer comuni go out in keys of at most 35 codes, one request at a time through the
shared rate-limited session. Each chunk's answer is cached as it arrives, so an
interrupted download resumes where it stopped; the file enters the store only when every
chunk has arrived, so a failure leaves the store as it was.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import pandas as pd

from diagnosis import store
from diagnosis.errors import ChiamataSimulata, DatiNonDisponibili
from diagnosis.indicators.compute import indicator_values
from diagnosis.indicators.peers import select_peers
from diagnosis.notices import announce
from diagnosis.sources import istat_sdmx, osm_network, overpass
from diagnosis.sources.istat_sdmx import parse_sdmx_csv
from diagnosis.tables import measures
from diagnosis.statuses import least_final
from diagnosis.territory.history import predecessors
from diagnosis.territory.model import Territorio, parents


def comuni_to_fetch(territory: Territorio, *, with_province: bool = True, with_peers: bool = True,
                     with_old_codes: bool = False) -> list[str]:
    """The territory's comuni, then those of its provinces and its peers (for comparisons).

    ``with_old_codes`` adds the codes each comune had before a merger or a re-coding: ISTAT
    publishes past years with the codes of their time, and the answers are carried to
    today's comuni when read.
    """
    codes = list(territory.comuni)
    if with_province:
        for parent in parents(territory):
            if parent.livello == "provincia":
                codes.extend(parent.comuni)
    if with_peers and territory.livello in ("comune", "distretto"):
        year = measures.default_year()
        peers = select_peers(territory, indicator_values(territory, year), year)
        codes.extend(peers["comuni"] if peers else [])
    if with_old_codes:
        codes += [old for code in list(codes) for old in predecessors(code)]
    return list(dict.fromkeys(codes))


@dataclass(frozen=True)
class TerritorialFlow:
    """An SDMX dataflow downloaded for the comuni of a territory."""

    dataset: str
    flow_id: str
    description: str
    first_year: int
    last_year: Callable[[], int]
    view: str | None = None
    dimensions: dict = field(default_factory=dict)
    # The store dataset the answers join (two views of one flow feed the same table); the
    # source id by default.
    store_dataset: str | None = None
    # Whether past years come with the codes of their time (then the codes comuni had before
    # a merger or a re-coding are asked too); ASIA is published in today's geography.
    past_codes: bool = True

    @property
    def stored_as(self) -> str:
        return self.store_dataset or self.dataset


def territorial_sources() -> dict[str, TerritorialFlow]:
    this_year = date.today().year
    sources = [
        # ASIA is published about two and a half years after the reference year.
        TerritorialFlow("asia_ul", "183_1163", "ISTAT ASIA, unità locali e addetti per comune e ATECO a 3 cifre",
                        2018, lambda: this_year - 3, view="ateco_3_cifre", past_codes=False),
        TerritorialFlow("asia_ul_ateco2", "183_1163",
                        "ISTAT ASIA, unità locali e addetti per comune e ATECO a 2 cifre (più leggero, meno gruppi)",
                        2018, lambda: this_year - 3, store_dataset="asia_ul", past_codes=False),
        TerritorialFlow("stranieri_sdmx", "29_316", "ISTAT, stranieri residenti al 1° gennaio (SDMX 29_316)",
                        2019, lambda: this_year),
        TerritorialFlow("bilancio_sdmx", "22_315", "ISTAT, bilancio demografico e famiglie (SDMX 22_315)",
                        2019, lambda: this_year - 1),
        TerritorialFlow("popolazione_sdmx", "22_289", "ISTAT, popolazione al 1° gennaio (SDMX 22_289)",
                        2019, lambda: this_year),
        # Capacity of year Y is published in the course of Y+1.
        TerritorialFlow("capacita_ricettiva", "122_54",
                        "ISTAT, capacità degli esercizi ricettivi per comune: esercizi e posti letto (SDMX 122_54)",
                        2019, lambda: this_year - 1),
        # The intercensal reconstruction ends where the permanent census begins (1 January 2019).
        TerritorialFlow("popolazione_ricostruita", "164_164",
                        "ISTAT, popolazione ricostruita al 1° gennaio 2002-2018 (SDMX 164_164)",
                        2002, lambda: 2018, view="tutti_i_comuni", dimensions={"DATA_TYPE": "JAN"}),
    ]
    return {item.dataset: item for item in sources}


def file_name(territory: Territorio, first: int, last: int, variant: str = "") -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", territory.id.lower()).strip("-")
    return f"{slug}{'_' + variant if variant else ''}_{first}-{last}.csv"


def download_for_territory(
    item: TerritorialFlow, territory: Territorio, years: list[int], codes: list[str]
) -> dict:
    """Fetch ``codes`` for ``years`` in chunks, then store one file for the territory."""
    first, last = min(years), max(years)
    specs = istat_sdmx.build_requests(
        item.flow_id, codes, start_period=first, end_period=last, dimensions=item.dimensions, view=item.view,
    )
    announce(
        f"{item.dataset}: {len(codes)} comuni in {len(specs)} richieste ISTAT (almeno 13 secondi l'una, "
        f"circa {_minutes(len(specs))} minuti)."
    )
    frames, simulated = [], 0
    try:
        istat_sdmx.verify_structure(item.flow_id)
    except ChiamataSimulata:
        simulated += 1
    for number, spec in enumerate(specs, start=1):
        try:
            frames.append(istat_sdmx.fetch(spec))
        except ChiamataSimulata:
            simulated += 1
            continue
        announce(f"{item.dataset}: richiesta {number} di {len(specs)} ricevuta ({len(spec.codes)} comuni).")
    if simulated:
        raise ChiamataSimulata(
            f"Modalità prova: {simulated} richieste mostrate e non eseguite; nulla è stato salvato.", url=specs[0].url,
        )
    return _store(item, territory, frames, codes, specs[0].url, len(specs))


def _minutes(requests_count: int) -> int:
    return max(1, round(requests_count * 13 / 60))


def _store(item: TerritorialFlow, territory: Territorio, frames: list[pd.DataFrame], codes: list[str],
           first_url: str, requests_count: int) -> dict:
    combined = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if combined.empty:
        raise DatiNonDisponibili(
            f"ISTAT non ha dati {item.dataset} per {territory.nome} negli anni richiesti (risposta "
            "NoRecordsFound): provare anni precedenti; l'archivio è invariato."
        )
    years = sorted(int(y) for y in combined["anno"].unique())

    status = least_final(set(combined["stato"]))  # the file takes its least final row's status
    body = serialise(combined)
    source = first_url if requests_count == 1 else f"{first_url} (e altre {requests_count - 1} richieste)"
    entry = store.save_bytes(
        item.stored_as, file_name(territory, years[0], years[-1], "" if item.stored_as == item.dataset else item.dataset),
        body, source=source,
        vintage=f"scaricato il {date.today().isoformat()}", status=status, years=years,
        check=parses_as_sdmx, extra={"territorio": territory.id, "comuni": sorted(codes)},
    )
    announce(f"{item.dataset}: salvati {len(combined):,} valori per {len(codes)} comuni.".replace(",", "."))
    return entry


def serialise(frame: pd.DataFrame) -> bytes:
    """The SDMX-CSV the answers came in (strings kept as sent), one header for all chunks."""
    columns = [c for c in frame.columns if c not in ("anno", "stato")]
    out = frame[columns].copy()
    out["OBS_VALUE"] = out["OBS_VALUE"].map(lambda v: "" if pd.isna(v) else f"{v:.15g}")
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def parses_as_sdmx(path) -> None:
    parse_sdmx_csv(path.read_bytes())


# --- OpenStreetMap -----------------------------------------------------------------------

OSM_DESCRIPTION = "OpenStreetMap via Overpass, negozi, pubblici esercizi, servizi e locali sfitti per comune"


def download_osm_comune(code: str) -> dict:
    """One comune's Overpass answer into the store (``osm/<code>.json``)."""
    # OSM lags ISTAT by months: the boundary may still carry a code the comune had before.
    body = overpass.fetch_comune(code, tuple(predecessors(code)))
    return _store_osm("osm", code, body, check=lambda path: overpass.parse_overpass(path.read_bytes()))


def download_osm_network_comune(code: str) -> dict:
    """One comune's streets, cycle ways and stations from Overpass into the store (``osm_rete/<code>.json``)."""
    body = osm_network.fetch_comune(code, tuple(predecessors(code)))  # old codes: as for the shops
    return _store_osm("osm_rete", code, body, check=lambda path: osm_network.parse_overpass_json(path.read_bytes()))


def _store_osm(dataset: str, code: str, body: bytes, check) -> dict:
    taken = overpass.data_date(body) or date.today().isoformat()
    return store.save_bytes(
        dataset, f"{code}.json", body, source=f"{overpass.OVERPASS_URL} (ref:ISTAT={code})",
        vintage=f"dati OSM del {taken}", status="definitivo", years=[int(taken[:4])],
        check=check, extra={"territorio": code, "comuni": [code]},
    )
