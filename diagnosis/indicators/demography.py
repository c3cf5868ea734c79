"""Demographic indicators: population totals on 1 January, and the age structure (ISTAT definitions).

Totals, sexes and density read the population of 1 January of the year; shares, mean age
and indices read the latest age structure not after it, numerator and denominator from
the same table. A district, a province or Italy is computed from its summed counts
exactly like a single comune.
"""

from __future__ import annotations

import numpy as np

from diagnosis.indicators.base import Indicator, ratio

TOTALS = ("popolazione",)
AGES = ("eta",)


def _total(c) -> float | None:
    return c.residenti()


def _sex(column: str):
    def formula(c):
        return c.popolazione.get(column) if c.popolazione else None

    return formula


def _density(c):
    return ratio(_total(c), c.superficie_kmq, 1.0) if c.superficie_kmq else None


def _mean_age(c) -> float | None:
    # ISTAT convention: each single-year class at its mid-point (age + 0.5); the open
    # class 100+ is placed at 100.5, which moves the mean by well under 0.01 years.
    if c.eta is None:
        return None
    people = c.eta.totale
    total = people.sum()
    return float((people * (np.arange(len(people)) + 0.5)).sum() / total) if total else None


def _residents_by_age(c) -> float | None:
    """The residents a mean age is taken over: its base for the small-numbers and chance rules."""
    return float(c.eta.totale.sum()) if c.eta is not None else None


def _aged(first: int, last: int | None = None):
    def count(c):
        return c.between(first, last) if c.eta else None

    return count


def _share(first: int, last: int | None = None):
    def formula(c):
        return ratio(c.between(first, last), c.between(0)) if c.eta else None

    return formula


def _index(numerator, denominator):
    def formula(c):
        return ratio(sum(n(c) for n in numerator), sum(d(c) for d in denominator)) if c.eta else None

    def base(c):
        return min(sum(n(c) for n in numerator), sum(d(c) for d in denominator)) if c.eta else None

    return formula, base


def _change(c) -> float | None:
    now, before = c.popolazione_confronto, c.popolazione_precedente
    if now is None or before is None:
        return None
    return ratio(now.get("T") - before.get("T"), before.get("T"))


def _change_size(c) -> float | None:
    now, before = c.popolazione_confronto, c.popolazione_precedente
    return abs(now.get("T") - before.get("T")) if now is not None and before is not None else None


def _long_change(c) -> float | None:
    change = c.lungo_periodo
    return ratio(change.valore_a - change.valore_da, change.valore_da) if change else None


# The final totals of 1 January 2022 and 2023 (SDMX 22_289) have no split by sex: the value
# is then missing, not computed on a zero.
BY_SEX_MISSING = ("La fonte della popolazione al 1° gennaio di quest'anno ne pubblica solo il totale, "
                  "senza maschi e femmine.")


def _indicator(identifier, label, definition, unit, direction, data, formula, base=None, when_missing=""):
    return Indicator(identifier, label, definition, unit, direction, data, formula, base, when_missing)


_OLD_YOUNG = _index((_aged(65),), (_aged(0, 14),))
_DEPENDENCY = _index((_aged(0, 14), _aged(65)), (_aged(15, 64),))
_OLD_DEPENDENCY = _index((_aged(65),), (_aged(15, 64),))
_TURNOVER = _index((_aged(60, 64),), (_aged(15, 19),))
_STRUCTURE = _index((_aged(40, 64),), (_aged(15, 39),))

DEMOGRAPHIC_INDICATORS = [
    _indicator("popolazione", "Popolazione residente", "Residenti al 1° gennaio dell'anno.",
               "abitanti", "neutro", TOTALS, _total),
    _indicator("popolazione_maschi", "Popolazione maschile", "Residenti maschi al 1° gennaio.",
               "abitanti", "neutro", TOTALS, _sex("M"), when_missing=BY_SEX_MISSING),
    _indicator("popolazione_femmine", "Popolazione femminile", "Residenti femmine al 1° gennaio.",
               "abitanti", "neutro", TOTALS, _sex("F"), when_missing=BY_SEX_MISSING),
    _indicator("superficie_kmq", "Superficie", "Superficie territoriale ufficiale ISTAT.",
               "km²", "neutro", ("superficie",), lambda c: c.superficie_kmq),
    _indicator("densita", "Densità abitativa", "Residenti al 1° gennaio per km² di superficie.",
               "abitanti/km²", "neutro", ("popolazione", "superficie"), _density),
    _indicator("eta_media", "Età media", "Età media dei residenti (classi annuali al punto medio).",
               "anni", "negativo", AGES, _mean_age, _residents_by_age),
    _indicator("quota_0_14", "Quota 0-14 anni", "Residenti di 0-14 anni su 100 residenti.",
               "%", "positivo", AGES, _share(0, 14), _aged(0, 14)),
    _indicator("quota_15_64", "Quota 15-64 anni", "Residenti di 15-64 anni su 100 residenti.",
               "%", "positivo", AGES, _share(15, 64), _aged(15, 64)),
    _indicator("quota_65_piu", "Quota 65 anni e più", "Residenti di 65 anni e più su 100 residenti.",
               "%", "negativo", AGES, _share(65), _aged(65)),
    _indicator("quota_80_piu", "Quota 80 anni e più", "Residenti di 80 anni e più su 100 residenti.",
               "%", "negativo", AGES, _share(80), _aged(80)),
    _indicator("indice_vecchiaia", "Indice di vecchiaia", "Residenti di 65 anni e più ogni 100 di 0-14 anni.",
               "per 100", "negativo", AGES, *_OLD_YOUNG),
    _indicator("indice_dipendenza_strutturale", "Indice di dipendenza strutturale",
               "Residenti di 0-14 e 65 anni e più ogni 100 di 15-64 anni.", "per 100", "negativo", AGES, *_DEPENDENCY),
    _indicator("indice_dipendenza_anziani", "Indice di dipendenza degli anziani",
               "Residenti di 65 anni e più ogni 100 di 15-64 anni.", "per 100", "negativo", AGES, *_OLD_DEPENDENCY),
    _indicator("indice_ricambio_popolazione_attiva", "Indice di ricambio della popolazione attiva",
               "Residenti di 60-64 anni ogni 100 di 15-19 anni (chi sta per uscire dall'età attiva su chi sta per "
               "entrarvi).", "per 100", "negativo", AGES, *_TURNOVER),
    _indicator("indice_struttura_popolazione_attiva", "Indice di struttura della popolazione attiva",
               "Residenti di 40-64 anni ogni 100 di 15-39 anni.", "per 100", "negativo", AGES, *_STRUCTURE),
    _indicator("variazione_popolazione_pct", "Variazione della popolazione",
               "Variazione percentuale dei residenti tra il 1° gennaio dell'anno precedente e quello dell'anno.",
               "%", "positivo", ("popolazione", "popolazione_precedente"), _change, _change_size),
    _indicator("variazione_popolazione_lungo_periodo_pct", "Variazione della popolazione nel lungo periodo",
               "Variazione percentuale dei residenti dal primo anno della serie storica (dal 2002) all'anno; quando "
               "attraversa il 2019 comprende la revisione del censimento permanente.",
               "%", "positivo", ("lungo_periodo",), _long_change),
]
