"""Income indicators from the MEF IRPEF tables: the latest tax year not after the year asked.

Per-inhabitant figures divide by the residents of 1 January of the same tax year. Shares
of income classes are intervals when the MEF left classes blank (see ``tables.income``).
"""

from __future__ import annotations

from diagnosis.indicators.base import Indicator, ratio
from diagnosis.tables.income import INCOME_BANDS

MEF = ("reddito",)


def _taxpayers(c):
    return int(c.reddito.contribuenti) if c.reddito else None


def _per_taxpayer(c):
    return ratio(c.reddito.reddito_imponibile, c.reddito.contribuenti, 1.0) if c.reddito else None


def _per_resident(c):
    return ratio(c.reddito.reddito_imponibile, c.popolazione_al(c.reddito.anno), 1.0) if c.reddito else None


LOW_BANDS = list(INCOME_BANDS)[:3]  # up to 15,000 euro
HIGH_BANDS = list(INCOME_BANDS)[5:]  # over 55,000 euro


def _band_share(bands):
    def formula(c):
        share = c.reddito.share_of(bands) if c.reddito else None
        if share is None:
            return None
        return share.basso if share.esatta else share

    def base(c):
        if c.reddito is None:
            return None
        return sum(v for band, v in c.reddito.classi.items() if band in bands and v is not None)

    return formula, base


def _real_change(c):
    return c.reddito_reale.variazione_pct if c.reddito_reale else None


def _indicator(identifier, label, definition, unit, direction, data, formula, base=None):
    return Indicator(identifier, label, definition, unit, direction, data, formula, base)


INCOME_INDICATORS = [
    _indicator("contribuenti", "Contribuenti IRPEF", "Contribuenti con dichiarazione IRPEF nell'anno d'imposta.",
               "persone", "neutro", MEF, _taxpayers),
    _indicator("reddito_imponibile_per_contribuente", "Reddito imponibile per contribuente",
               "Reddito imponibile IRPEF totale diviso per il numero dei contribuenti (euro, anno d'imposta).",
               "euro", "positivo", MEF, _per_taxpayer, _taxpayers),
    _indicator("reddito_imponibile_per_abitante", "Reddito imponibile per abitante",
               "Reddito imponibile IRPEF totale diviso per i residenti al 1° gennaio dello stesso anno d'imposta (euro).",
               "euro", "positivo", ("reddito", "popolazione@reddito"), _per_resident, _taxpayers),
    _indicator("variazione_reale_reddito_per_contribuente_pct", "Reddito per contribuente, variazione reale",
               "Variazione percentuale del reddito imponibile per contribuente a prezzi costanti (deflazionato con "
               "l'indice dei prezzi al consumo), dal primo anno d'imposta confrontabile fino a dieci anni prima.",
               "%", "positivo", ("reddito", "reddito_reale"), _real_change, _taxpayers),
    _indicator("quota_redditi_fino_15000", "Dichiarazioni fino a 15.000 euro",
               "Quota delle dichiarazioni IRPEF con reddito complessivo fino a 15.000 euro (classi MEF, prima delle "
               "deduzioni). Dove il MEF non pubblica una classe per riservatezza, è un intervallo.",
               "%", "negativo", MEF, *_band_share(LOW_BANDS)),
    _indicator("quota_redditi_oltre_55000", "Dichiarazioni oltre 55.000 euro",
               "Quota delle dichiarazioni IRPEF con reddito complessivo oltre 55.000 euro (classi MEF, prima delle "
               "deduzioni). Dove il MEF non pubblica una classe per riservatezza, è un intervallo.",
               "%", "positivo", MEF, *_band_share(HIGH_BANDS)),
]
