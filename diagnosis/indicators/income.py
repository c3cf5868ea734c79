"""Income indicators from the MEF IRPEF files (tax year = the year asked with ``--anno``)."""

from __future__ import annotations

from diagnosis.indicators.base import Indicator, ratio, register
from diagnosis.tables.income import INCOME_BANDS

MEF = ("mef_irpef",)
MEF_POP = ("mef_irpef", "popolazione")


def _taxpayers(c):
    return int(c.reddito.contribuenti) if c.reddito else None


def _per_taxpayer(c):
    return ratio(c.reddito.reddito_imponibile, c.reddito.contribuenti, 1.0) if c.reddito else None


def _per_resident(c):
    return ratio(c.reddito.reddito_imponibile, int(c.totale.sum()), 1.0) if c.reddito else None


LOW_BANDS = list(INCOME_BANDS)[:3]  # up to 15,000 euro
HIGH_BANDS = list(INCOME_BANDS)[5:]  # over 55,000 euro


def _band_share(bands):
    def formula(c):
        return c.reddito.share_of(bands) if c.reddito else None

    return formula


def _real_change(c):
    return c.reddito_reale.variazione_pct if c.reddito_reale else None


INCOME_INDICATORS = [
    register(Indicator(
        "contribuenti", "Contribuenti IRPEF", "Contribuenti con dichiarazione IRPEF nell'anno d'imposta.",
        "persone", "neutro", MEF, _taxpayers)),
    register(Indicator(
        "reddito_imponibile_per_contribuente", "Reddito imponibile per contribuente",
        "Reddito imponibile IRPEF totale diviso per il numero dei contribuenti (euro, anno d'imposta).",
        "euro", "positivo", MEF, _per_taxpayer)),
    register(Indicator(
        "reddito_imponibile_per_abitante", "Reddito imponibile per abitante",
        "Reddito imponibile IRPEF totale diviso per i residenti al 1° gennaio dello stesso anno (euro).",
        "euro", "positivo", MEF_POP, _per_resident)),
    register(Indicator(
        "variazione_reale_reddito_per_contribuente_pct", "Reddito per contribuente, variazione reale",
        "Variazione percentuale del reddito imponibile per contribuente a prezzi costanti (deflazionato con "
        "l'indice dei prezzi al consumo), dal primo anno d'imposta confrontabile nell'archivio fino a dieci anni prima.",
        "%", "positivo", ("mef_irpef", "indice_prezzi"), _real_change)),
    register(Indicator(
        "quota_redditi_fino_15000", "Dichiarazioni fino a 15.000 euro",
        "Quota delle dichiarazioni IRPEF con reddito complessivo fino a 15.000 euro (classi MEF, prima delle deduzioni).",
        "%", "negativo", MEF, _band_share(LOW_BANDS))),
    register(Indicator(
        "quota_redditi_oltre_55000", "Dichiarazioni oltre 55.000 euro",
        "Quota delle dichiarazioni IRPEF con reddito complessivo oltre 55.000 euro (classi MEF, prima delle deduzioni).",
        "%", "positivo", MEF, _band_share(HIGH_BANDS))),
]
