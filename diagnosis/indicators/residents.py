"""Foreign residents and households (ISTAT SDMX 29_316 and 22_315 in the store)."""

from __future__ import annotations

from diagnosis.indicators.base import Indicator, ratio, register


def _foreign_share(c):
    if c.stranieri is None:
        return None
    return ratio(c.stranieri.valori.get("stranieri"), int(c.totale.sum()), 100.0)


def _households(c):
    return c.famiglie.valori.get("famiglie") if c.famiglie else None


def _mean_size(c):
    if c.famiglie is None:
        return None
    return ratio(c.famiglie.valori.get("popolazione_in_famiglia"), c.famiglie.valori.get("famiglie"), 1.0)


RESIDENT_INDICATORS = [
    register(Indicator(
        "quota_stranieri", "Residenti stranieri",
        "Residenti con cittadinanza straniera al 1° gennaio su 100 residenti.",
        "%", "neutro", ("stranieri_sdmx", "popolazione"), _foreign_share)),
    register(Indicator(
        "famiglie", "Famiglie", "Famiglie anagrafiche residenti al 1° gennaio (31 dicembre dell'anno prima).",
        "famiglie", "neutro", ("bilancio_sdmx",), _households)),
    register(Indicator(
        "componenti_per_famiglia", "Componenti medi per famiglia",
        "Persone residenti in famiglia diviso numero di famiglie.",
        "componenti", "neutro", ("bilancio_sdmx",), _mean_size)),
]
