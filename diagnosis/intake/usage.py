"""What each stored file feeds: the figures that take a value from it, and why the others do not.

``dati stato`` calls a file "in uso" only when some figure is read from it, by the same rule
the figures themselves follow:

- a measure read through editions (population, ages, balances, foreigners, households,
  income): for each year the file gives, ``measures.resolve`` takes each comune of today from
  the most final edition covering it; the file is in use for the comuni whose figure comes
  from it ("popolazione 2024: tutti i comuni", "bilancio 2025: 6 comuni"), and not in use,
  "superato da" the editions that gave those comuni their figure instead;
- a per-territory SDMX dataset (ASIA local units, accommodation capacity): the rows each file
  gives after newer files of the same comuni took theirs;
- OpenStreetMap (shops, street network): the latest file of each comune; the analyst's files
  and surveys: the latest file of each territory; code lists, price index, classifications,
  the commuting matrix: the one file read.

What no table reads is said so. A stored file that does not read is named with the command
that removes it; the files whose use it hides are said to be undetermined.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from diagnosis import store
from diagnosis.errors import FileArchiviatoIlleggibile
from diagnosis.sources import industry_sections
from diagnosis.sources.stored_flows import stored_flow_sources
from diagnosis.store.raw import preferred
from diagnosis.tables import census_sections, prices
from diagnosis.tables import editions as catalogue, measures
from diagnosis.tables.analyst import entry_for
from diagnosis.tables.editions import ORIGIN_LABELS
from diagnosis.tables.cycle_network import DATASET as NETWORK_DATASET
from diagnosis.tables.osm_points import DATASET, latest_entries
from diagnosis.territory import registry
from diagnosis.territory.history import today_codes

ALL_COMUNI = "tutti i comuni"


@dataclass
class FileUse:
    """The uses and the reasons for no use of one stored file, keyed by the year they belong to."""

    uses: dict[int, list[str]] = field(default_factory=dict)
    unused: dict[int, list[str]] = field(default_factory=dict)

    def add(self, year: int, text: str, used: bool) -> None:
        (self.uses if used else self.unused).setdefault(year, []).append(text)

    def in_use(self, year: int) -> bool:
        return bool(self.uses.get(year))

    def what_it_feeds(self, year: int) -> str:
        return "; ".join(self.uses.get(year, []))

    def why_not(self, year: int) -> str:
        return "; ".join(self.unused.get(year, []))


Key = tuple[str, str]  # dataset, file name


def usage(entries: list[dict]) -> dict[Key, FileUse]:
    """What each stored file feeds; every entry has a ``FileUse``, possibly empty."""
    found: dict[Key, FileUse] = {(e["dataset"], e["filename"]): FileUse() for e in entries}
    by_path = {e["path"]: e for e in entries}
    for rule in (_edition_uses, _per_territory_flow_uses, _osm_uses, _territory_file_uses, _single_file_uses,
                 _section_uses):
        rule(entries, by_path, found)
    for entry in entries:
        use = found[(entry["dataset"], entry["filename"])]
        if not use.uses and not use.unused:
            use.add(entry["years"][0], "nessuna tabella del programma legge questo dataset", used=False)
    return found


def _record(found: dict[Key, FileUse], entry: dict, year: int, text: str, used: bool) -> None:
    found[(entry["dataset"], entry["filename"])].add(_row_year(entry, year), text, used)


def _row_year(entry: dict, year: int) -> int:
    """The row of ``dati stato`` a use belongs to: the file's latest year not after it.

    A P2 of 2025 also gives the population of 1 January 2026: that use shows on its 2025 row.
    """
    earlier = [y for y in entry["years"] if y <= year]
    return max(earlier) if earlier else entry["years"][0]


def _comuni_text(count: int) -> str:
    if count >= len(registry.comuni()):
        return ALL_COMUNI
    return "1 comune" if count == 1 else f"{count:,} comuni".replace(",", ".")


# --- measures read through editions -------------------------------------------------------------------


def _edition_uses(entries: list[dict], by_path: dict[str, dict], found: dict[Key, FileUse]) -> None:
    if not any(e["dataset"] in catalogue.STORE_DATASETS for e in entries):
        return
    try:
        stored = [e for e in catalogue.editions() if e.origine == "archivio"]
        for measure, year in sorted({(e.misura, e.anno) for e in stored}):
            _measure_uses(measure, year, by_path, found)
    except FileArchiviatoIlleggibile as error:
        _unreadable(error, [e for e in entries if e["dataset"] in catalogue.STORE_DATASETS], found)


def _measure_uses(measure: str, year: int, by_path: dict[str, dict], found: dict[Key, FileUse]) -> None:
    resolved = measures.resolve(measure, year)
    counts = np.bincount(resolved.origin, minlength=len(resolved.edizioni))
    for index, edition in enumerate(resolved.edizioni):
        if edition.origine != "archivio":
            continue
        paths = [path for path in edition.file.split(", ") if path in by_path]
        if not paths:
            continue
        if len(paths) == 1:
            _one_file_use(resolved, counts, index, by_path[paths[0]], found)
        else:  # the files of a per-territory SDMX dataset, read as one edition
            _sdmx_file_uses(resolved, counts, index, [by_path[path] for path in paths], found)


def _one_file_use(resolved, counts: np.ndarray, index: int, entry: dict, found: dict[Key, FileUse]) -> None:
    measure, year = resolved.misura, resolved.anno
    if counts[index]:
        _record(found, entry, year, f"{measure} {year}: {_comuni_text(int(counts[index]))}", used=True)
    else:
        _record(found, entry, year, f"{measure} {year}: {_why_not(resolved, index)}", used=False)


def _sdmx_file_uses(resolved, counts: np.ndarray, index: int, entries: list[dict], found: dict[Key, FileUse]) -> None:
    """Each file of an edition read from several SDMX files: the comuni its own rows gave.

    Of rows repeated across files the newest file's are read (``stored_flow``); a file without
    rows of the year has nothing to say about it.
    """
    measure, year = resolved.misura, resolved.anno
    sources = _flow_sources(entries[0]["dataset"], store.state())
    taken = set(resolved.table.codes[resolved.origin == index])
    heirs = today_codes()
    given = {entry["path"]: {heirs.get(code) for code in sources.get(entry["path"], {}).get(year, ())} & taken
             for entry in entries}
    for entry in (e for e in entries if year in e["years"]):
        mine = given[entry["path"]]
        if mine:
            _record(found, entry, year, f"{measure} {year}: {_comuni_text(len(mine))}", used=True)
        elif counts[index]:
            newer = [other["path"] for other in entries if other is not entry and given[other["path"]]
                     and other["fetched_at"] >= entry["fetched_at"] and year in other["years"]]
            _record(found, entry, year, f"{measure} {year}: superato da {', '.join(newer) or 'file scaricati dopo'}, "
                    "scaricato dopo per gli stessi comuni", used=False)
        else:
            _record(found, entry, year, f"{measure} {year}: {_why_not(resolved, index)}", used=False)


@functools.lru_cache(maxsize=8)
def _flow_sources(dataset: str, _manifest: tuple) -> dict[str, dict[int, set[str]]]:
    return stored_flow_sources(dataset)


def _why_not(resolved, index: int) -> str:
    """Which editions give the comuni of edition ``index`` their figure instead of it."""
    heirs = today_codes()
    published = resolved.edizioni[index].read().index.astype(str)
    rows = resolved.rows(sorted({heirs.get(code) for code in published} - {None}))
    suppliers = sorted(set(resolved.origin[rows].tolist()) - {index})
    if not suppliers:
        return "nessun comune di oggi prende il dato da questo file (codici che non corrispondono a comuni di oggi)"
    return "superato da " + " e da ".join(dict.fromkeys(_edition_label(resolved.edizioni[i]) for i in suppliers))


def _edition_label(edition) -> str:
    if edition.origine != "archivio":
        return f"{ORIGIN_LABELS[edition.origine]} ({edition.stato})"
    files = edition.file.split(", ")
    where = files[0] if len(files) == 1 else f"{files[0].split('/', 1)[0]} ({len(files)} file)"
    return f"{ORIGIN_LABELS['archivio']} {where} ({edition.stato})"


def _unreadable(error: FileArchiviatoIlleggibile, affected: list[dict], found: dict[Key, FileUse]) -> None:
    for entry in affected:
        if entry["path"] == error.path:
            text = f"non si legge: rimuoverlo con diagnosis dati rimuovi {entry['path']}"
        else:
            text = f"uso non determinabile finché nell'archivio c'è {error.path}, che non si legge"
        for year in entry["years"]:
            _record(found, entry, year, text, used=False)


# --- per-territory SDMX datasets read as one table ------------------------------------------------------


PER_TERRITORY_FLOWS = {"asia_ul": "unità locali", "capacita_ricettiva": "capacità ricettiva"}


def _per_territory_flow_uses(entries: list[dict], by_path: dict[str, dict], found: dict[Key, FileUse]) -> None:
    for dataset, label in PER_TERRITORY_FLOWS.items():
        files = [e for e in entries if e["dataset"] == dataset]
        if not files:
            continue
        try:
            given = _flow_sources(dataset, store.state())
        except FileArchiviatoIlleggibile as error:
            _unreadable(error, files, found)
            continue
        for entry in files:
            for year in entry["years"]:
                comuni = {code for code in given.get(entry["path"], {}).get(year, set()) if code.isdigit()}
                if comuni:
                    _record(found, entry, year, f"{label} {year}: {_comuni_text(len(comuni))}", used=True)
                else:
                    text = f"{label} {year}: superato dai file scaricati dopo per gli stessi comuni"
                    _record(found, entry, year, text, used=False)


# --- one file per comune or per territory, the latest wins ----------------------------------------------


OSM_FILES = {DATASET: "OpenStreetMap", NETWORK_DATASET: "rete stradale e ciclabile OpenStreetMap"}


def _osm_uses(entries: list[dict], by_path: dict[str, dict], found: dict[Key, FileUse]) -> None:
    for dataset, label in OSM_FILES.items():
        if not any(e["dataset"] == dataset for e in entries):
            continue
        latest = latest_entries(dataset)
        for entry in (e for e in entries if e["dataset"] == dataset):
            mine = [code for code, chosen in latest.items() if chosen["path"] == entry["path"]]
            if mine:
                _record(found, entry, entry["years"][0], f"{label}: {_comuni_text(len(mine))}", used=True)
            else:
                newer = sorted({latest[c]["path"] for c in entry.get("comuni", []) if c in latest})
                _record(found, entry, entry["years"][0], f"superato da {', '.join(newer) or 'file più recenti'}",
                        used=False)


TERRITORY_FILES = {"registro_negozi": "registro dei negozi", "rilevazione_sfitti": "rilevazione degli sfitti",
                   "questionario": "questionario", "presenze": "presenze e flussi"}


def _territory_file_uses(entries: list[dict], by_path: dict[str, dict], found: dict[Key, FileUse]) -> None:
    for entry in (e for e in entries if e["dataset"] in TERRITORY_FILES and e.get("territorio")):
        latest = entry_for(entry["dataset"], entry["territorio"])
        label = TERRITORY_FILES[entry["dataset"]]
        if latest is not None and latest["path"] == entry["path"]:
            _record(found, entry, entry["years"][0], f"{label} di {entry['territorio']}", used=True)
        else:
            _record(found, entry, entry["years"][0], f"superato da {latest['path']}, importato dopo", used=False)


# --- one file read for the whole dataset ----------------------------------------------------------------


def _embedded_supersedes(dataset: str) -> str | None:
    """Why the snapshot's series is used instead of every imported file, if it is."""
    if dataset == prices.DATASET and prices.price_index().origine == "incorporato":
        return "superato dall'indice incorporato, che arriva a un anno più recente"
    return None


SINGLE_FILES: dict[str, str] = {
    "comuni_soppressi": "storia dei codici dei comuni",
    "variazioni_comuni": "storia dei codici dei comuni",
    "ricodifica_sardegna": "storia dei codici dei comuni",
    "indice_prezzi": "indice dei prezzi (redditi a prezzi costanti)",
    "classificazioni_comuni": "zona altimetrica e grado di urbanizzazione (comuni simili)",
    "pendolarismo": "pendolarismo per studio e lavoro (censimento 2011)",
    "pendolarismo_lavoro": "pendolarismo per lavoro (censimento permanente 2021)",
}


def _single_file_uses(entries: list[dict], by_path: dict[str, dict], found: dict[Key, FileUse]) -> None:
    for dataset, label in SINGLE_FILES.items():
        files = [e for e in entries if e["dataset"] == dataset]
        chosen = preferred(files)
        embedded_wins = _embedded_supersedes(dataset)
        for entry in files:
            used = entry["path"] == chosen["path"] and not embedded_wins
            superseded = embedded_wins or (
                f"superato da {chosen['path']} ({chosen['status']}, scaricato il {chosen['fetched_at'][:10]})")
            text = label if used else superseded
            for year in entry["years"]:
                _record(found, entry, year, text, used=used)



# --- census sections: every region's file is read ------------------------------------------------

def _section_uses(entries: list[dict], by_path: dict[str, dict], found: dict[Key, FileUse]) -> None:
    for year in census_sections.YEARS:
        labels = {census_sections.variables_dataset(year): f"variabili delle sezioni di censimento {year}",
                  census_sections.boundaries_dataset(year): f"confini delle sezioni di censimento {year}"}
        if year == industry_sections.YEAR:
            labels[census_sections.INDUSTRY_DATASET] = f"unità locali e addetti delle sezioni di censimento {year}"
        for entry in (e for e in entries if e["dataset"] in labels):
            _record(found, entry, year, f"{labels[entry['dataset']]} (cifre dentro il perimetro dei distretti)",
                    used=True)
