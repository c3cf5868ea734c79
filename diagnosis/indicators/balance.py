"""Rates per 1,000 inhabitants from the demographic balance of the year (ISTAT P2 and P3).

Rates use the mean population of the year, (1 January + 31 December) / 2, as ISTAT does,
both from the balance itself. The total migratory rate is the change not explained by
births and deaths, so it also counts registry corrections ("altri motivi") and boundary
changes; the internal and foreign rates count transfers of residence only.
"""

from __future__ import annotations

from diagnosis.indicators.base import Indicator, ratio

P2 = ("bilancio",)
P3 = ("bilancio_stranieri",)


def _events(balance_of, *variables, sign=(1, 1, 1, 1)):
    def count(c):
        b = balance_of(c)
        if b is None or any(b.get(v) is None for v in variables):
            return None
        return sum(s * b.get(v) for s, v in zip(sign, variables))

    return count


def _rate(balance_of, events):
    def formula(c):
        b = balance_of(c)
        return ratio(events(c), b.popolazione_media, 1000.0) if b is not None else None

    return formula


def _residents(c):
    return c.bilancio


def _foreigners(c):
    return c.bilancio_stranieri


def _migratory(c):
    b = c.bilancio
    if b is None or None in (b.popolazione_fine, b.popolazione_inizio, b.nati, b.morti):
        return None
    return b.popolazione_fine - b.popolazione_inizio - (b.nati - b.morti)


_BIRTHS = _events(_residents, "nati_vivi")
_DEATHS = _events(_residents, "morti")
_NATURAL = _events(_residents, "nati_vivi", "morti", sign=(1, -1))
_INTERNAL = _events(_residents, "immigrati_da_altro_comune", "emigrati_per_altro_comune", sign=(1, -1))
_FOREIGN = _events(_residents, "immigrati_dall_estero", "emigrati_per_l_estero", sign=(1, -1))
_CITIZENSHIPS = _events(_foreigners, "acquisizioni_cittadinanza")


def _both_flows(*variables):
    def base(c):
        b = c.bilancio
        values = [b.get(v) for v in variables] if b else [None]
        return None if None in values else sum(values)

    return base


def _indicator(identifier, label, definition, direction, data, formula, base):
    return Indicator(identifier, label, definition, "per 1.000", direction, data, formula, base)


BALANCE_INDICATORS = [
    _indicator("tasso_natalita", "Tasso di natalità", "Nati vivi nell'anno per 1.000 abitanti (popolazione media).",
               "positivo", P2, _rate(_residents, _BIRTHS), _BIRTHS),
    _indicator("tasso_mortalita", "Tasso di mortalità", "Morti nell'anno per 1.000 abitanti (popolazione media).",
               "negativo", P2, _rate(_residents, _DEATHS), _DEATHS),
    _indicator("tasso_crescita_naturale", "Tasso di crescita naturale",
               "Nati meno morti nell'anno per 1.000 abitanti (popolazione media).",
               "positivo", P2, _rate(_residents, _NATURAL), _both_flows("nati_vivi", "morti")),
    _indicator("tasso_migratorio_interno", "Tasso migratorio interno",
               "Iscritti da altri comuni meno cancellati per altri comuni nell'anno, per 1.000 abitanti "
               "(popolazione media).", "positivo", P2, _rate(_residents, _INTERNAL),
               _both_flows("immigrati_da_altro_comune", "emigrati_per_altro_comune")),
    _indicator("tasso_migratorio_estero", "Tasso migratorio con l'estero",
               "Iscritti dall'estero meno cancellati per l'estero nell'anno, per 1.000 abitanti (popolazione media).",
               "positivo", P2, _rate(_residents, _FOREIGN),
               _both_flows("immigrati_dall_estero", "emigrati_per_l_estero")),
    _indicator("tasso_migratorio_totale", "Tasso migratorio totale",
               "Variazione della popolazione non dovuta a nascite e morti (trasferimenti di residenza da e per altri "
               "comuni e l'estero, rettifiche anagrafiche) per 1.000 abitanti (popolazione media).",
               "positivo", P2, _rate(_residents, _migratory),
               _both_flows("immigrati_da_altro_comune", "emigrati_per_altro_comune", "immigrati_dall_estero",
                           "emigrati_per_l_estero")),
    _indicator("tasso_acquisizioni_cittadinanza", "Acquisizioni di cittadinanza",
               "Stranieri residenti diventati cittadini italiani nell'anno, per 1.000 stranieri residenti "
               "(popolazione straniera media).", "neutro", P3, _rate(_foreigners, _CITIZENSHIPS), _CITIZENSHIPS),
]
