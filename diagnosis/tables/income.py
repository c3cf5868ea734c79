"""Taxpayers, taxable income and income classes of a territory, from the MEF IRPEF tables.

Sums over a territory's comuni, like population: a district's income per taxpayer is its
total income over its total taxpayers, never the mean of its comuni's figures. Each tax
year comes from the most final edition held (snapshot or store), carried to today's comuni.

The MEF leaves a cell blank where a count is small (statistical confidentiality), always
in at least two classes of the same comune so that neither can be recomputed. A blank is
never read as zero: a share that depends on a blank class is an interval, the narrowest
the file allows — from 2023 on the file also gives the number of declarations over all
classes (``reddito_complessivo_frequenza``), which fixes the blanks' sum; before 2023 the
blanks can hold at most the taxpayers not counted in the other classes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from diagnosis.tables import measures
from diagnosis.tables.prices import price_index

MEASURE = "redditi"
TAXPAYERS = "contribuenti"
TAXABLE_INCOME = "reddito_imponibile_ammontare"
BAND_TOTAL = "reddito_complessivo_frequenza"
# Bands of reddito complessivo (before deductions, so comparable across 2003-2006 too), in
# the order MEF publishes them, with the label shown to people.
INCOME_BANDS = {
    "reddito_complessivo_minore_o_uguale_a_zero_euro_frequenza": "fino a 0 €",
    "reddito_complessivo_da_0_a_10000_euro_frequenza": "0-10.000 €",
    "reddito_complessivo_da_10000_a_15000_euro_frequenza": "10.000-15.000 €",
    "reddito_complessivo_da_15000_a_26000_euro_frequenza": "15.000-26.000 €",
    "reddito_complessivo_da_26000_a_55000_euro_frequenza": "26.000-55.000 €",
    "reddito_complessivo_da_55000_a_75000_euro_frequenza": "55.000-75.000 €",
    "reddito_complessivo_da_75000_a_120000_euro_frequenza": "75.000-120.000 €",
    "reddito_complessivo_oltre_120000_euro_frequenza": "oltre 120.000 €",
}
SOURCE = "MEF - Dipartimento delle Finanze, redditi IRPEF per comune"


@dataclass(frozen=True)
class IncomeTotals:
    anno: int
    contribuenti: float
    reddito_imponibile: float
    comuni_coperti: int
    fonte: str
    vintage: str
    stato: str
    confrontabile: bool
    # Per comune of the territory: declarations per class (blank = NaN), the class total the
    # file gives (NaN before 2023) and the taxpayers — what the shares are bounded with.
    classi_comuni: np.ndarray = field(default_factory=lambda: np.empty((0, len(INCOME_BANDS))), repr=False)
    totale_classi_comuni: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    contribuenti_comuni: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    mancanti: tuple[str, ...] = ()
    edizioni: tuple = ()  # the published tables summed (tables.editions.Edition)

    @property
    def classi(self) -> dict[str, float | None]:
        """Declarations per class summed over the comuni; None where any comune left it blank."""
        sums = self.classi_comuni.sum(axis=0) if len(self.classi_comuni) else np.full(len(INCOME_BANDS), np.nan)
        return {band: (None if np.isnan(v) else float(v)) for band, v in zip(INCOME_BANDS, sums)}

    def share_of(self, bands: list[str]) -> measures.Intervallo | None:
        """Per cent of the declarations in ``bands``: exact, or bounded when classes are blank."""
        if not len(self.classi_comuni):
            return None
        inside = np.array([band in bands for band in INCOME_BANDS])
        return _bounds(self._class_residuals, inside)

    # Two shares are read from every territory's classes (the lowest and the highest bands):
    # what they have in common is worked out once.
    @functools.cached_property
    def _class_residuals(self) -> "_Residuals":
        return _residuals(self.classi_comuni, self.totale_classi_comuni, self.contribuenti_comuni)


@dataclass(frozen=True)
class _Residuals:
    """Per comune: the published classes, which are blank, their known sum, whether the class
    total is published, and what the blanks hold (see :func:`_bounds`)."""

    classes: np.ndarray
    blank: np.ndarray
    known: np.ndarray
    exact: np.ndarray
    residual: np.ndarray


def _residuals(classes: np.ndarray, totals: np.ndarray, taxpayers: np.ndarray) -> _Residuals:
    blank = np.isnan(classes)
    known = np.where(blank, 0.0, classes).sum(axis=1)  # what np.nansum does, without its checks
    exact = ~np.isnan(totals)
    # a blank count of taxpayers bounds nothing: zero (counts are finite, so np.nan_to_num's
    # handling of infinities has nothing to do)
    residual = np.where(exact, totals - known, np.maximum(np.where(np.isnan(taxpayers), 0.0, taxpayers) - known, 0.0))
    residual = np.where(blank.any(axis=1), np.maximum(residual, 0.0), 0.0)
    return _Residuals(classes, blank, known, exact, residual)


def _bounds(cells: _Residuals, inside: np.ndarray) -> measures.Intervallo | None:
    """The lowest and highest share of the classes ``inside`` that the published cells allow.

    Per comune the blanks hold a residual: exactly ``total − known`` when the class total is
    published, at most ``taxpayers − known`` before. The share is highest with every
    residual in blank classes of the group (when it has any) and lowest with it outside.
    """
    known, exact, residual = cells.known, cells.exact, cells.residual
    known_inside = np.where(inside & ~cells.blank, cells.classes, 0.0).sum(axis=1)
    blank_inside, blank_outside = (cells.blank & inside).any(axis=1), (cells.blank & ~inside).any(axis=1)
    # Highest: residual into the group where it may go; an exact residual with nowhere else to go stays outside.
    high_in = np.where(blank_inside, residual, 0.0)
    high_out = np.where(exact & ~blank_inside, residual, 0.0)
    # Lowest: residual outside the group where it may go; an exact residual with no blank outside goes inside.
    low_out = np.where(blank_outside, residual, 0.0)
    low_in = np.where(exact & ~blank_outside, residual, 0.0)
    high_den = (known + high_in + high_out).sum()
    low_den = (known + low_in + low_out).sum()
    if high_den <= 0 or low_den <= 0:
        return None
    high = (known_inside + high_in).sum() / high_den * 100
    low = (known_inside + low_in).sum() / low_den * 100
    return measures.Intervallo(basso=float(min(low, high)), alto=float(max(low, high)))


def available_years() -> list[int]:
    return measures.years(MEASURE)


def latest_year(not_after: int) -> int | None:
    return measures.latest_year(MEASURE, not_after)


def totals(comuni, year: int) -> IncomeTotals | None:
    """Summed taxpayers and taxable income of ``comuni`` in tax ``year``; None when no edition has it.

    ``mancanti`` names the comuni the year lacks, and those whose total is blank (a blank
    summed as zero would lower the total unseen): the caller decides whether the sum may stand.
    """
    found = measures.gather(MEASURE, year, comuni)
    if found is None:
        return None
    summed, column = found.summed, found.column
    taxpayers, taxable = column(TAXPAYERS), column(TAXABLE_INCOME)
    blank = np.isnan(taxpayers) | np.isnan(taxable)
    blank_codes = tuple(code for code, is_blank in zip(found.resolved.covered(dict.fromkeys(comuni)), blank)
                        if is_blank)
    return IncomeTotals(
        anno=year, contribuenti=float(taxpayers[~blank].sum()),
        reddito_imponibile=float(taxable[~blank].sum()), comuni_coperti=summed.comuni - len(blank_codes),
        fonte=SOURCE, vintage=summed.vintage, stato=summed.stato,
        confrontabile=not (2003 <= year <= 2006),  # MEF redefined taxable income in those years
        classi_comuni=found.columns(INCOME_BANDS),
        totale_classi_comuni=column(BAND_TOTAL), contribuenti_comuni=taxpayers,
        mancanti=summed.mancanti + blank_codes, edizioni=summed.edizioni,
    )


@dataclass(frozen=True)
class RealChange:
    """Change of taxable income per taxpayer between two tax years, at constant prices."""

    da: int
    a: int
    variazione_pct: float
    fonte: str


REAL_CHANGE_SPAN = 10  # look back at most ten tax years


def _definition(year: int) -> bool:
    return 2003 <= year <= 2006  # MEF's taxable income of those years follows another definition


def real_change(comuni, year: int, now: IncomeTotals | None = None) -> RealChange | None:
    """Real change of income per taxpayer from the earliest comparable year (≤ 10 back);
    ``now``: the comuni's :func:`totals` of ``year``, when the caller has read them.

    Needs both tax years for every comune (merged comuni are rebuilt from their
    predecessors, so a merger between the two years is no change) and a price index
    covering both (``tables.prices``: the snapshot's or the imported one).
    """
    prices = price_index()
    index = prices.valori
    if year not in index:
        return None
    earlier = [y for y in available_years()
               if year - REAL_CHANGE_SPAN <= y < year and y in index and _definition(y) == _definition(year)]
    now = now if now is not None else totals(comuni, year)
    if now is None or now.mancanti or not now.contribuenti:
        return None
    for start in earlier:
        then = totals(comuni, start)
        if then is None or then.mancanti or not then.contribuenti:
            continue
        per_now = now.reddito_imponibile / now.contribuenti / index[year]
        per_then = then.reddito_imponibile / then.contribuenti / index[start]
        return RealChange(
            da=start, a=year, variazione_pct=(per_now / per_then - 1) * 100,
            fonte=f"MEF redditi IRPEF {start} e {year}, deflazionati con l'indice ISTAT dei prezzi al consumo "
                  f"({prices.origine})",
        )
    return None


def per_taxpayer_series(comuni) -> dict[int, float]:
    """Taxable income per taxpayer for every tax year held for all ``comuni``."""
    series = {}
    for year in available_years():
        found = totals(comuni, year)
        if found is not None and not found.mancanti and found.contribuenti:
            series[year] = found.reddito_imponibile / found.contribuenti
    return series
