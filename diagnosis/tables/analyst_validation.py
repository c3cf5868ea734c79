"""Cell-by-cell checks of the analyst's files: the shop register and the vacant-premises survey.

The layouts (columns, synonyms, allowed values, legal bounds) are data in
``analyst_files.yaml``; this module reads each cell the way an Italian spreadsheet writes
it (decimal comma, ``1.250`` thousands, ``31/03/2024``) and reports every bad cell of
every row, not just the first, as a ``Problem`` whose Italian message names the cause and
the fix. Rows with an error are left out of the clean table; rows with only warnings
(coordinates missing, say) are kept.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from diagnosis.sources.commerce_groups import all_groups, groups_for_ateco, normalise_ateco
from diagnosis.tables.analyst_rows import territory_comuni
from diagnosis.errors import FileAnalistaNonValido
from diagnosis.sources.spreadsheets import AVVISO, ERRORE, BadCell, Problem, parse_date, parse_number
from diagnosis.text import normalise_label

SPECS_FILE = Path(__file__).with_name("analyst_files.yaml")
REGISTER = "registro_negozi"
VACANCIES = "rilevazione_sfitti"
KINDS = (REGISTER, VACANCIES)

# ``progress(done, total)``, called every PROGRESS_EVERY rows of a long file (a bar on the terminal).
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 5_000

ATTIVO, SFITTO, CHIUSO = "attivo", "sfitto", "chiuso"
GUIDE = "templates/LEGGIMI.md"


# --- specs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    id: str
    tipo: str
    valore: str  # sempre, tranne_sfitto, mai
    sinonimi: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    id: str
    nome: str
    con_articolo: str
    modello: str
    richieste: tuple[str, ...]
    colonne: dict[str, Column]

    def labels(self) -> dict[str, str]:
        """Normalised header label -> column id, the id itself included."""
        found = {}
        for column in self.colonne.values():
            for label in (column.id, *column.sinonimi):
                found.setdefault(normalise_label(label), column.id)
        return found


@lru_cache(maxsize=1)
def specs() -> dict:
    return yaml.safe_load(SPECS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def layout(kind: str) -> Layout:
    raw = specs()["file"][kind]
    columns = {
        column_id: Column(column_id, spec["tipo"], spec["valore"], tuple(str(s) for s in spec.get("sinonimi", ())))
        for column_id, spec in raw["colonne"].items()
    }
    return Layout(kind, raw["nome"], raw["con_articolo"], raw["modello"], tuple(raw["richieste"]), columns)


@lru_cache(maxsize=None)
def _value_synonyms(kind: str) -> dict[str, str]:
    """Normalised spelling -> canonical value, for ``stato`` and ``tipologia``."""
    found = {}
    for canonical, synonyms in specs()["valori"][kind].items():
        for spelling in (canonical, *synonyms):
            found[normalise_label(spelling)] = canonical
    return found


@lru_cache(maxsize=1)
def _category_synonyms() -> dict[str, str]:
    """Normalised spelling -> group id: the id, the group's name and the yaml's extra names."""
    found = {}
    extra = specs()["valori"]["categoria"]
    for group in all_groups().values():
        for spelling in (group.id, group.nome, *extra.get(group.id, ())):
            found.setdefault(normalise_label(spelling), group.id)
    return found


@lru_cache(maxsize=None)
def header_labels(kind: str) -> dict[str, str]:
    """``Layout.labels`` computed once: every file (and every member of an archive) asks for them."""
    return layout(kind).labels()


def known_labels() -> set[str]:
    """Every normalised header label of either layout, for finding the header row."""
    return {label for kind in KINDS for label in header_labels(kind)}


# --- header -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderMap:
    """Where each column of a layout is in a header, and what in it is not understood."""

    positions: dict[str, int]  # column id -> position of its first cell in the header
    unknown: tuple[str, ...]
    repeated: tuple[tuple[str, str], ...]  # (label, column id) already given by an earlier cell


def map_header(kind: str, header: list[str]) -> HeaderMap:
    labels = header_labels(kind)
    ignored = {normalise_label(label) for label in specs()["colonne_ignorate"]}
    positions, unknown, repeated = {}, [], []
    for position, cell in enumerate(header):
        key = normalise_label(cell)
        column = labels.get(key)
        if column is None:
            if key and key not in ignored:
                unknown.append(str(cell))
        elif column in positions:
            repeated.append((str(cell), column))
        else:
            positions[column] = position
    return HeaderMap(positions, tuple(unknown), tuple(repeated))


def missing_columns(kind: str, header: list[str]) -> list[str]:
    """The required columns of ``kind`` the header lacks; ``a|b`` read "a o b"."""
    present = map_header(kind, header).positions
    return [
        " o ".join(need.split("|")) for need in layout(kind).richieste
        if not any(option in present for option in need.split("|"))
    ]


# --- the result ---------------------------------------------------------------------------


@dataclass
class Validated:
    """The clean rows (typed) and every problem found, errors and warnings."""

    righe: pd.DataFrame
    problemi: list[Problem] = field(default_factory=list)

    @property
    def errori(self) -> list[Problem]:
        return [p for p in self.problemi if p.grave]

    @property
    def avvisi(self) -> list[Problem]:
        return [p for p in self.problemi if not p.grave]

    @property
    def righe_escluse(self) -> list[int]:
        return sorted({p.riga for p in self.errori})


# --- reading one cell ---------------------------------------------------------------------


_UNIT = re.compile(r"\s*(mq|m2|m²|metri quadr[ia]ti?)\s*$", re.IGNORECASE)


def parse_area(text: str) -> float:
    """An area as a number, with or without its unit: ``120,5``, ``1.250``, ``80 mq``."""
    return parse_number(_UNIT.sub("", text.strip()))


def parse_coordinate(text: str) -> float:
    """Decimal degrees with a dot or a comma (``44,5437``); never thousands separators."""
    value = text.strip().replace(" ", "")
    if not re.fullmatch(r"[+-]?\d{1,3}([.,]\d+)?", value):
        raise BadCell("non è una coordinata in gradi decimali")
    return float(value.replace(",", "."))


_ATECO = re.compile(r"\d{2}(\.\d{1,2}){0,2}|\d{2,6}")


def parse_ateco(text: str) -> str:
    """``47.11`` / ``4711`` / ``47.11.00`` -> ``4711`` digits; a spreadsheet's ``47,11`` too."""
    value = text.strip().replace(",", ".").replace(" ", "")
    if not _ATECO.fullmatch(value):
        raise BadCell("non è un codice ATECO")
    code = normalise_ateco(value)
    if code[:2] == "00":
        raise BadCell("non è un codice ATECO (la divisione 00 non esiste)")
    return code


def parse_choice(kind: str, text: str) -> str:
    found = _value_synonyms(kind).get(normalise_label(text))
    if found is None:
        raise BadCell("non è un valore ammesso")
    return found


def parse_category(text: str) -> str:
    found = _category_synonyms().get(normalise_label(text))
    if found is None:
        raise BadCell("non è una categoria")
    return found


def groups_for_category(group_id: str) -> list[str]:
    """The group and every group that contains it (a pharmacy is also retail).

    A group contains another when each of the other's ATECO prefixes starts with one of
    its own: ``alimentare`` (471, 472) lies inside ``dettaglio_totale`` (47).
    """
    groups = all_groups()
    inner = groups[group_id].ateco
    return [
        g.id for g in groups.values()
        if g.id == group_id or all(any(code.startswith(p) for p in g.ateco) for code in inner)
    ]


def parse_comune(text: str) -> str:
    """A comune name as written, or its 6-digit ISTAT code.

    A spreadsheet drops the leading zeros of a code typed as a number (``1272`` for Torino
    ``001272``); codes of 4 and 5 digits get them back, since every code has 6.
    """
    value = text.strip()
    if value.isdigit():
        if not 4 <= len(value) <= 6:
            raise BadCell("non è un codice ISTAT di comune")
        return value.zfill(6)
    if not re.search(r"[^\W\d_]", value):
        raise BadCell("non è né un nome né un codice di comune")
    return value


def _bounds() -> dict[str, tuple[float, float]]:
    return {axis: tuple(bounds) for axis, bounds in specs()["italia"].items()}


# --- one row ------------------------------------------------------------------------------


class Row:
    """The cells of one data row by column id, and the problems found in them."""

    def __init__(self, number: int, cells: dict[str, str], headers: dict[str, str]):
        self.number = number
        self.cells = cells
        self.headers = headers
        self.problems: list[Problem] = []

    def text(self, column: str) -> str:
        return self.cells.get(column, "")

    def error(self, column: str, message: str, value: str | None = None) -> None:
        self._add(column, message, ERRORE, value)

    def warn(self, column: str, message: str, value: str | None = None) -> None:
        self._add(column, message, AVVISO, value)

    def _add(self, column: str, message: str, level: str, value: str | None) -> None:
        value = self.text(column) if value is None else value
        self.problems.append(Problem(self.number, column, value, message, level, self.headers.get(column, "")))

    def read(self, column: str, parse: Callable[[str], object], fix: str):
        """The parsed cell, None when empty; an unreadable cell is an error with ``fix``."""
        text = self.text(column)
        if not text:
            return None
        try:
            return parse(text)
        except BadCell as why:
            self.error(column, f"«{text}» {why}: {fix}")
            return None


# How to write each kind of cell, said after the cause when a cell cannot be read.
_FIX = {
    "superficie_vendita_mq": "scrivere la superficie di vendita in metri quadrati, es. 120 o 120,5",
    "superficie_mq": "scrivere la superficie del locale in metri quadrati, es. 120 o 120,5",
    "data": "scrivere la data come 31/03/2024 oppure 2024-03-31",
    "comune": "scrivere il nome del comune (es. Sassuolo) o il suo codice ISTAT a 6 cifre (es. 036040)",
    "ateco": "scrivere il codice ATECO 2007 a 2–6 cifre, es. 47.11 o 4711",
    "stato": "scrivere attivo, sfitto o chiuso",
    "tipologia": "scrivere vicinato, media struttura o grande struttura",
    "coordinata": "scrivere i gradi decimali, es. 44,5437 (lat) e 10,7836 (lon)",
}

# What to write in a required cell left empty.
_REQUIRED_FIX = {
    "nome": "scrivere l'insegna o la denominazione del negozio (per un locale sfitto si può "
            "lasciare vuoto)",
    "indirizzo": "scrivere la via o la piazza, es. Via Roma (il numero va nella colonna civico)",
    "stato": _FIX["stato"],
}


def _read_text(row: Row, column: str, context: dict) -> str:
    return row.text(column)


def _read_area(row: Row, column: str, context: dict) -> float:
    area = row.read(column, parse_area, _FIX[column])
    if area is not None and area <= 0:
        row.error(column, f"«{row.text(column)}»: la superficie deve essere maggiore di zero; "
                          "lasciare la cella vuota se non è nota")
        return math.nan
    return math.nan if area is None else area


def _read_date(row: Row, column: str, context: dict) -> dt.date | None:
    return row.read(column, parse_date, _FIX["data"])


def _read_comune(row: Row, column: str, context: dict) -> str | None:
    comune = row.read(column, parse_comune, _FIX["comune"])
    several = context["comuni"]
    if not row.text(column) and several:
        listed = ", ".join(several[:4]) + (", …" if len(several) > 4 else "")
        row.error(column, f"comune mancante, ma il file riguarda più comuni ({listed}): "
                          "indicare il comune di questa riga")
    territory = context.get("territorio")
    if comune is not None and territory is not None and not territory.holds(comune):
        row.error(column, f"«{row.text(column)}» non è un comune del territorio per cui il file è importato "
                          f"({territory.label}): la riga non è contata. Correggere il comune se è sbagliato; "
                          "se il negozio è davvero di un altro comune, togliere la riga e importarla con il "
                          "--territorio di quel comune")
    return comune


def _read_ateco(row: Row, column: str, context: dict) -> str | None:
    return row.read(column, parse_ateco, _FIX["ateco"])


def _category_fix() -> str:
    return ("usare uno di: " + ", ".join(all_groups()) +
            f" (o il nome del gruppo, vedi {GUIDE}); in alternativa indicare il codice ATECO")


def _read_category(row: Row, column: str, context: dict) -> str | None:
    text = row.text(column)
    if text and _ATECO.fullmatch(text.replace(" ", "")):
        row.error(column, f"«{text}» è un codice ATECO, non una categoria: spostarlo nella "
                          "colonna ateco")
        return None
    return row.read(column, parse_category, _category_fix())


def _choice_reader(kind: str) -> Callable:
    def read(row: Row, column: str, context: dict) -> str | None:
        return row.read(column, lambda text: parse_choice(kind, text), _FIX[kind])

    return read


def _read_coordinate(row: Row, column: str, context: dict) -> float | None:
    return row.read(column, parse_coordinate, _FIX["coordinata"])


def _read_use(row: Row, column: str, context: dict) -> str | None:
    return row.text(column) or None


# One reader per ``tipo`` of analyst_files.yaml: (row, column, context) -> typed value.
READERS: dict[str, Callable] = {
    "testo": _read_text, "comune": _read_comune, "ateco": _read_ateco, "categoria": _read_category,
    "tipologia": _choice_reader("tipologia"), "stato": _choice_reader("stato"), "numero": _read_area,
    "data": _read_date, "lat": _read_coordinate, "lon": _read_coordinate, "uso": _read_use,
}


def read_cells(row: Row, kind: str, context: dict) -> dict:
    """Every column of the layout read by its type; unreadable cells are errors of the row."""
    return {
        column.id: READERS[column.tipo](row, column.id, context)
        for column in layout(kind).colonne.values()
    }


def check_required(row: Row, kind: str, stato: str | None) -> None:
    """Empty cells the layout wants filled: ``sempre``, or ``tranne_sfitto`` for a shop."""
    for column in layout(kind).colonne.values():
        wanted = column.valore == "sempre" or (column.valore == "tranne_sfitto" and stato in (ATTIVO, CHIUSO))
        if wanted and not row.text(column.id):
            fix = _REQUIRED_FIX.get(column.id, f"compilare la colonna {column.id}")
            row.error(column.id, f"{column.id} mancante: {fix}")


def place(row: Row, lat: float | None, lon: float | None, has_columns: bool) -> tuple[float, float]:
    """(lat, lon), NaN when missing; outside Italy or swapped is an error, missing a warning."""
    texts = row.text("lat"), row.text("lon")
    if not has_columns:
        return math.nan, math.nan
    if not any(texts):
        row.warn("lat", "coordinate mancanti: il locale non comparirà sulla mappa; sono "
                        "facoltative, si possono aggiungere in seguito (lat e lon in gradi decimali)")
        return math.nan, math.nan
    if not all(texts):
        missing = "lon" if texts[0] else "lat"
        row.warn(missing, f"manca {missing} mentre l'altra coordinata c'è: il locale non "
                          "comparirà sulla mappa; indicare entrambe le coordinate")
        return math.nan, math.nan
    if lat is None or lon is None:  # already an error of its cell
        return math.nan, math.nan
    bounds = _bounds()
    if _within(lat, bounds["lat"]) and _within(lon, bounds["lon"]):
        return lat, lon
    if _within(lon, bounds["lat"]) and _within(lat, bounds["lon"]):
        row.error("lat", f"lat «{texts[0]}» e lon «{texts[1]}» sono invertite: la latitudine "
                         "in Italia è tra 35,4 e 47,2, la longitudine tra 6,6 e 18,6; scambiare "
                         "i due valori")
    else:
        row.error("lat", f"il punto lat «{texts[0]}», lon «{texts[1]}» è fuori dall'Italia: la "
                         "latitudine va tra 35,4 e 47,2, la longitudine tra 6,6 e 18,6; "
                         "controllare le coordinate (gradi decimali, es. 44,5437 e 10,7836)")
    return math.nan, math.nan


def _within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def groups_of_use(text: str | None) -> list[str]:
    """Groups of a ``ultimo_uso`` cell: an ATECO code, a group id or name; free text has none."""
    if not text:
        return []
    try:
        return groups_for_ateco(parse_ateco(text))
    except BadCell:
        pass
    try:
        return groups_for_category(parse_category(text))
    except BadCell:
        return []


# --- shop register ------------------------------------------------------------------------


def _shop_groups(row: Row, stato: str | None, ateco: str | None, categoria: str | None) -> list[str]:
    """The groups a shop counts in: the ATECO code decides, the category completes."""
    if not row.text("ateco") and not row.text("categoria") and stato in (ATTIVO, CHIUSO):
        row.error("ateco", "mancano sia ateco sia categoria: indicare il codice ATECO (es. 47.11) "
                           "o la categoria (es. alimentare) per poter contare il negozio nel suo gruppo",
                  value="")
    groups = groups_for_ateco(ateco) if ateco else []
    if ateco and categoria and groups and categoria not in groups:
        row.warn("categoria", f"la categoria «{row.text('categoria')}» non corrisponde al codice "
                              f"ATECO {row.text('ateco')} (gruppi: {', '.join(groups)}): si usa il "
                              "codice ATECO; correggere l'uno o l'altra")
    if not groups and categoria:
        groups = groups_for_category(categoria)
    if ateco and not groups:
        row.warn("ateco", f"il codice ATECO {row.text('ateco')} non rientra in nessun gruppo del "
                          "commercio: il negozio non sarà contato in alcun gruppo; se è un errore "
                          "correggere il codice o indicare la categoria")
    return groups


def _check_area_class(row: Row, tipologia: str | None, area: float) -> None:
    if tipologia is None or math.isnan(area):
        return
    low, high = specs()["superficie_tipologia_mq"][tipologia]
    if area <= low or (high is not None and area > high):
        span = " e ".join(
            part for part in (low and f"oltre {_thousands(low)}", high and f"fino a {_thousands(high)}") if part
        )
        row.warn("superficie_vendita_mq",
                 f"{row.text('superficie_vendita_mq')} mq non è una superficie da {tipologia}: per "
                 f"legge ha {span} mq di vendita, secondo gli abitanti del comune; controllare la "
                 "superficie o la tipologia")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _check_shop_dates(row: Row, stato: str | None, opened, closed) -> None:
    if stato == CHIUSO and not row.text("data_chiusura"):
        row.error("data_chiusura", "lo stato è «chiuso» ma manca la data di chiusura: indicare il "
                                   "giorno in cui il negozio ha chiuso, es. 30/06/2023; se è "
                                   "ancora aperto scrivere attivo")
    if stato == ATTIVO and closed is not None:
        row.warn("data_chiusura", "lo stato è «attivo» ma c'è una data di chiusura: se il negozio "
                                  "ha chiuso scrivere chiuso (o sfitto se il locale è vuoto), "
                                  "altrimenti cancellare la data")
    _refuse_reversed_dates(row, ("data_apertura", opened, "all'apertura"), ("data_chiusura", closed, "la chiusura"))


def check_shop(row: Row, context: dict) -> dict:
    record = read_cells(row, REGISTER, context)
    stato = record["stato"]
    check_required(row, REGISTER, stato)
    record["gruppi"] = _shop_groups(row, stato, record["ateco"], record["categoria"])
    _check_area_class(row, record["tipologia"], record["superficie_vendita_mq"])
    _check_shop_dates(row, stato, record["data_apertura"], record["data_chiusura"])
    record["lat"], record["lon"] = place(row, record["lat"], record["lon"], context["coordinate"])
    return record


def _succeeds(first: dict, then: dict) -> bool:
    """``then`` opened on or after the day ``first`` closed: the same shop, two periods."""
    return (first["data_chiusura"] is not None and then["data_apertura"] is not None
            and then["data_apertura"] >= first["data_chiusura"])


def shop_duplicates(rows: list[tuple[Row, dict]]) -> None:
    """Same nome, indirizzo, civico and comune twice, unless one period follows the other."""
    seen: dict[tuple, list[tuple[Row, dict]]] = {}
    for row, record in rows:
        if not record["nome"]:
            continue
        key = tuple(normalise_label(record[c] or "") for c in ("nome", "indirizzo", "civico", "comune"))
        earlier = seen.setdefault(key, [])
        for first_row, first in earlier:
            if not (_succeeds(first, record) or _succeeds(record, first)):
                row.error("nome", f"stesso negozio della riga {first_row.number} (stessi nome, "
                                  "indirizzo e civico): eliminare la riga doppia; se sono due "
                                  "periodi di attività, indicare la chiusura del primo e "
                                  "l'apertura del secondo")
                break
        earlier.append((row, record))


def validate_register(frame: pd.DataFrame, *, comuni: Iterable[str] | None = None,
                      progress: Progress | None = None) -> Validated:
    """Check every cell of a shop register (as ``read_table`` gives it); see the module doc.

    ``righe`` has the columns of the template, typed: floats for the area and the
    coordinates (NaN when missing), ``datetime.date`` or None for dates, canonical values
    for ``stato`` and ``tipologia``, ATECO digits, and ``gruppi``, the group ids of
    ``commerce_groups.yaml`` the shop counts in (from the ATECO code, else from the category).

    ``comuni``, the ISTAT codes of the territory the file is imported for, makes a row of
    any other comune an error: it is reported and not counted. ``progress(done, total)``
    is told how far the row checks are.
    """
    return _validate(frame, REGISTER, check_shop, shop_duplicates, comuni, progress)


# --- vacant-premises survey ---------------------------------------------------------------


def _refuse_reversed_dates(row: Row, earlier: tuple, later: tuple) -> None:
    """An error on the later column when its date comes before the earlier one's.

    Each side is (column, parsed date or None, how the sentence names it).
    """
    (first_column, first, first_name), (then_column, then, then_name) = earlier, later
    if first is not None and then is not None and then < first:
        row.error(then_column, f"{then_name} ({row.text(then_column)}) è precedente {first_name} "
                               f"({row.text(first_column)}): controllare le due date (giorno/mese/anno)")


def check_vacancy(row: Row, context: dict) -> dict:
    record = read_cells(row, VACANCIES, context)
    check_required(row, VACANCIES, None)
    vacated, relet = record["data_sfitto"], record["data_riaffitto"]
    if not row.text("data_sfitto"):
        row.warn("data_sfitto", "data di inizio dello sfitto mancante: il locale è contato, ma non "
                                "si può calcolare da quanto tempo è vuoto; indicarla se nota, es. "
                                "01/02/2023")
    _refuse_reversed_dates(row, ("data_sfitto", vacated, "all'inizio dello sfitto"),
                           ("data_riaffitto", relet, "il riaffitto"))
    record["gruppi_ultimo_uso"] = groups_of_use(record["ultimo_uso"])
    record["lat"], record["lon"] = place(row, record["lat"], record["lon"], context["coordinate"])
    return record


def vacancy_duplicates(rows: list[tuple[Row, dict]]) -> None:
    """The same premises with the same vacancy start twice."""
    seen: dict[tuple, int] = {}
    for row, record in rows:
        if not record["indirizzo"]:
            continue
        key = (*(normalise_label(record[c] or "") for c in ("indirizzo", "civico", "comune")),
               record["data_sfitto"])
        if key in seen:
            row.error("indirizzo", f"stesso locale e stessa data di sfitto della riga {seen[key]}: "
                                   "eliminare la riga doppia")
        else:
            seen[key] = row.number


def validate_vacancies(frame: pd.DataFrame, *, comuni: Iterable[str] | None = None,
                       progress: Progress | None = None) -> Validated:
    """Check every cell of a vacant-premises survey (as ``read_table`` gives it).

    ``righe`` has the template's columns typed as in ``validate_register``, plus
    ``gruppi_ultimo_uso``: the groups of ``ultimo_uso`` when it is an ATECO code or a
    category (free text has none).
    """
    return _validate(frame, VACANCIES, check_vacancy, vacancy_duplicates, comuni, progress)


# --- the common walk ----------------------------------------------------------------------


def _validate(frame: pd.DataFrame, kind: str, check: Callable, duplicates: Callable,
              comuni: Iterable[str] | None = None, progress: Progress | None = None) -> Validated:
    header = [str(c) for c in frame.columns]
    missing = missing_columns(kind, header)
    if missing:
        raise FileAnalistaNonValido(missing_message(kind, missing, header))
    mapping = map_header(kind, header)
    header_line = int(frame.attrs.get("riga_intestazione", 1))
    headless = [name for name in frame.attrs.get("colonne_senza_intestazione", ()) if name in header]
    problems = header_problems(kind, mapping, header_line, set(headless))
    context = {
        "comuni": _distinct_comuni(frame, mapping),
        "coordinate": "lat" in mapping.positions or "lon" in mapping.positions,
        "territorio": territory_comuni(comuni) if comuni else None,
    }
    headers = {column: header[position] for column, position in mapping.positions.items()}
    checked = []
    for number, values in zip(_line_numbers(frame), frame.itertuples(index=False, name=None)):
        cells = {column: _cell(values[position]) for column, position in mapping.positions.items()}
        row = Row(number, cells, headers)
        checked.append((row, check(row, context)))
        _spilled(row, [(name, _cell(values[header.index(name)])) for name in headless],
                 frame.attrs.get("separatore") == ",")
        if progress is not None and len(checked) % PROGRESS_EVERY == 0:
            progress(len(checked), len(frame))
    if progress is not None:
        progress(len(checked), len(frame))
    duplicates(checked)
    order = list(layout(kind).colonne)
    for row, _ in checked:
        problems.extend(sorted(row.problems, key=lambda p: order.index(p.colonna) if p.colonna in order else len(order)))
    good = [(row.number, record) for row, record in checked if not any(p.grave for p in row.problems)]
    return Validated(_clean_frame(kind, good), problems)


def _spilled(row: Row, cells: list[tuple[str, str]], comma_separated: bool) -> None:
    """Cells beyond the header: in a ``,`` file often a decimal comma shifting the row."""
    filled = [(name, text) for name, text in cells if text]
    if not filled:
        return
    name, text = filled[0]
    if comma_separated:
        why = ("in un file separato da virgole i numeri con la virgola decimale vanno tra "
               "virgolette (o salvare il file con il separatore ;), altrimenti i valori "
               "scivolano nella colonna accanto; se invece la colonna serve, darle un'intestazione")
    else:
        why = "dare un'intestazione alla colonna oppure cancellare il valore"
    row.error(name, f"la riga ha un valore («{text}») in una colonna senza intestazione: {why}", value=text)


def _line_numbers(frame: pd.DataFrame) -> list[int]:
    """The spreadsheet line of each row: ``read_table``'s index, else as if read from line 2."""
    if frame.index.name == "riga":
        return [int(n) for n in frame.index]
    return list(range(2, len(frame) + 2))


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _distinct_comuni(frame: pd.DataFrame, mapping: HeaderMap) -> list[str]:
    position = mapping.positions.get("comune")
    if position is None:
        return []
    names: dict[str, str] = {}
    for value in frame.iloc[:, position]:
        text = _cell(value)
        if text:
            names.setdefault(normalise_label(text), text)
    return list(names.values()) if len(names) > 1 else []


def _clean_frame(kind: str, good: list[tuple[int, dict]]) -> pd.DataFrame:
    columns = list(layout(kind).colonne) + (["gruppi"] if kind == REGISTER else ["gruppi_ultimo_uso"])
    numeric = {c for c, spec in layout(kind).colonne.items() if spec.tipo in ("numero", "lat", "lon")}
    index = pd.Index([number for number, _ in good], name="riga", dtype="int64")
    # Built column by column so that text and dates keep None (not NaN) for an empty cell.
    return pd.DataFrame({
        column: pd.Series([record[column] for _, record in good], index=index,
                          dtype="float64" if column in numeric else object)
        for column in columns
    }, index=index)


def header_problems(kind: str, mapping: HeaderMap, line: int, headless: set[str] = frozenset()) -> list[Problem]:
    """Unknown columns, columns given twice and missing coordinates: warnings on the header line.

    Columns without a header cell (``headless``) are reported on each row that fills them.
    """
    problems = []
    for label in (u for u in mapping.unknown if u not in headless):
        problems.append(Problem(line, label, label, (
            f"colonna «{label}» non riconosciuta: viene ignorata; se è una delle colonne del "
            f"modello {layout(kind).modello} scritta diversamente, rinominarla come nel modello"
        ), AVVISO, label))
    for label, column in mapping.repeated:
        problems.append(Problem(line, column, label, (
            f"la colonna «{label}» ripete {column}, già data da una colonna precedente: si usa "
            "la prima; eliminare o rinominare l'altra"
        ), AVVISO, label))
    if "lat" not in mapping.positions and "lon" not in mapping.positions:
        problems.append(Problem(line, "lat", "", (
            "mancano le colonne lat e lon: i locali non compariranno sulla mappa; sono "
            "facoltative, si possono aggiungere in seguito (gradi decimali)"
        ), AVVISO))
    return problems


def missing_message(kind: str, missing: list[str], header: list[str]) -> str:
    spec = layout(kind)
    found = ", ".join(f"«{h}»" for h in header if str(h).strip()) or "nessuna"
    return (
        f"Il file non ha le colonne di {spec.con_articolo}: mancano {', '.join(missing)} "
        f"(colonne trovate: {found}). Partire dal modello {spec.modello} e copiarne le "
        f"intestazioni; il significato di ogni colonna è spiegato in {GUIDE}."
    )
