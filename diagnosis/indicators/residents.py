"""Foreign residents and households, each on its own latest 1 January not after the year asked."""

from __future__ import annotations

from diagnosis.indicators.base import Indicator, ratio


def _foreigners(c):
    return c.stranieri.valori.get("stranieri") if c.stranieri else None


def _foreign_share(c):
    return ratio(_foreigners(c), c.popolazione_al(c.stranieri.anno)) if c.stranieri else None


def _households(c):
    return c.famiglie.valori.get("famiglie") if c.famiglie else None


def _mean_size(c):
    if c.famiglie is None:
        return None
    return ratio(c.famiglie.valori.get("popolazione_in_famiglia"), _households(c), 1.0)


RESIDENT_INDICATORS = [
    Indicator(
        "quota_stranieri", "Residenti stranieri",
        "Residenti con cittadinanza straniera al 1° gennaio su 100 residenti alla stessa data.",
        "%", "neutro", ("stranieri", "popolazione@stranieri"), _foreign_share, _foreigners),
    Indicator(
        "famiglie", "Famiglie", "Famiglie anagrafiche residenti al 1° gennaio (31 dicembre dell'anno prima).",
        "famiglie", "neutro", ("famiglie",), _households),
    Indicator(
        "componenti_per_famiglia", "Componenti medi per famiglia",
        "Persone residenti in famiglia diviso numero di famiglie.",
        "componenti", "neutro", ("famiglie",), _mean_size, _households),
]
