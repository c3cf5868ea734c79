"""Income indicators from the MEF IRPEF files (tax year = the year asked with ``--anno``)."""

from __future__ import annotations

from diagnosis.indicators.base import Indicator, ratio, register

MEF = ("mef_irpef",)
MEF_POP = ("mef_irpef", "popolazione")


def _taxpayers(c):
    return int(c.reddito.contribuenti) if c.reddito else None


def _per_taxpayer(c):
    return ratio(c.reddito.reddito_imponibile, c.reddito.contribuenti, 1.0) if c.reddito else None


def _per_resident(c):
    return ratio(c.reddito.reddito_imponibile, int(c.totale.sum()), 1.0) if c.reddito else None


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
]
