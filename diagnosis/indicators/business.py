"""The economy of the territory from ISTAT's Frame territoriale: units, jobs and value added.

Every local unit of industry and services with its employees and accounts, by comune
(latest year not after the one asked). Densities divide by the residents of 1 January of
the Frame's year. A figure the Frame hides for confidentiality is missing, never zero.
"""

from __future__ import annotations

from diagnosis.indicators.base import Indicator, ratio

FRAME = ("frame", "popolazione@frame")
HIDDEN = ("Il Frame territoriale ISTAT non pubblica questa cifra per almeno un comune del territorio "
          "(poche unità locali: riservatezza statistica).")


def _value(sector: str, variable: str):
    def read(c):
        return c.frame.get(sector, variable) if c.frame else None

    return read


def _per_thousand(sector: str, variable: str):
    def formula(c):
        return ratio(_value(sector, variable)(c), c.popolazione_al(c.frame.anno), 1000.0) if c.frame else None

    return formula


def _share(numerator, denominator):
    def formula(c):
        return ratio(numerator(c), denominator(c))

    return formula


def _value_added_per_employee(c):
    # the Frame gives value added in thousands of euro
    value_added = _value("totale", "valore_aggiunto")(c)
    return ratio(value_added * 1000 if value_added is not None else None, _value("totale", "addetti")(c), 1.0)


def _indicator(identifier, label, definition, unit, direction, data, formula, base):
    return Indicator(identifier, label, definition, unit, direction, data, formula, base, HIDDEN)


UNITS, EMPLOYEES = _value("totale", "unita_locali"), _value("totale", "addetti")

BUSINESS_INDICATORS = [
    _indicator("unita_locali_frame_per_1000_abitanti", "Unità locali dell'industria e dei servizi per 1.000 abitanti",
               "Unità locali del Frame territoriale ISTAT (industria e servizi) per 1.000 residenti alla stessa data.",
               "per 1.000", "positivo", FRAME, _per_thousand("totale", "unita_locali"), UNITS),
    _indicator("addetti_per_1000_abitanti", "Addetti per 1.000 abitanti",
               "Addetti delle unità locali dell'industria e dei servizi (Frame territoriale ISTAT) per 1.000 residenti: "
               "quanto lavoro offre il territorio rispetto a chi ci abita.",
               "per 1.000", "positivo", FRAME, _per_thousand("totale", "addetti"), EMPLOYEES),
    _indicator("valore_aggiunto_per_addetto", "Valore aggiunto per addetto",
               "Valore aggiunto delle unità locali diviso per i loro addetti (Frame territoriale ISTAT), in euro.",
               "euro", "positivo", ("frame",), _value_added_per_employee, EMPLOYEES),
    _indicator("quota_addetti_servizi", "Addetti nei servizi",
               "Addetti delle unità locali dei servizi (commercio compreso) su 100 addetti dell'industria e dei servizi.",
               "%", "neutro", ("frame",), _share(_value("servizi", "addetti"), EMPLOYEES), EMPLOYEES),
    _indicator("quota_dipendenti", "Dipendenti sul totale degli addetti",
               "Lavoratori dipendenti su 100 addetti (gli altri sono titolari, soci e collaboratori familiari).",
               "%", "neutro", ("frame",), _share(_value("totale", "dipendenti"), EMPLOYEES), EMPLOYEES),
]
