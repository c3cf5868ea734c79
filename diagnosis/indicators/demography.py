"""Demographic indicators from population by age and sex (ISTAT definitions).

Every formula reads a :class:`TerritoryCounts`, so a district, a province or Italy is
computed from its summed counts exactly like a single comune.
"""

from __future__ import annotations

import numpy as np

from diagnosis.indicators.base import Indicator, ratio, register

POP = ("popolazione",)
POP_AREA = ("popolazione", "superficie")


def _total(c) -> int:
    return int(c.totale.sum())


def _mean_age(c) -> float | None:
    # ISTAT convention: each single-year class at its mid-point (age + 0.5); the open
    # class 100+ is placed at 100.5, which moves the mean by well under 0.01 years.
    people = c.totale
    total = people.sum()
    return float((people * (np.arange(len(people)) + 0.5)).sum() / total) if total else None


def _long_change(c) -> float | None:
    change = c.lungo_periodo
    return ratio(change.valore_a - change.valore_da, change.valore_da) if change else None


def _change(c) -> float | None:
    if c.popolazione_precedente is None:
        return None
    return ratio(c.popolazione_confrontabile - c.popolazione_precedente, c.popolazione_precedente)


DEMOGRAPHIC_INDICATORS = [
    register(Indicator(
        "popolazione", "Popolazione residente", "Residenti al 1° gennaio dell'anno.",
        "abitanti", "neutro", POP, _total)),
    register(Indicator(
        "popolazione_maschi", "Popolazione maschile", "Residenti maschi al 1° gennaio.",
        "abitanti", "neutro", POP, lambda c: int(c.maschi.sum()))),
    register(Indicator(
        "popolazione_femmine", "Popolazione femminile", "Residenti femmine al 1° gennaio.",
        "abitanti", "neutro", POP, lambda c: int(c.femmine.sum()))),
    register(Indicator(
        "superficie_kmq", "Superficie", "Superficie territoriale, calcolata dai confini in proiezione equivalente (ETRS89-LAEA).",
        "km²", "neutro", ("confini",), lambda c: c.superficie_kmq)),
    register(Indicator(
        "densita", "Densità abitativa", "Residenti per km² di superficie.",
        "abitanti/km²", "neutro", POP_AREA,
        lambda c: ratio(_total(c), c.superficie_kmq, 1.0) if c.superficie_kmq else None)),
    register(Indicator(
        "eta_media", "Età media", "Età media dei residenti (classi annuali al punto medio).",
        "anni", "negativo", POP, _mean_age)),
    register(Indicator(
        "quota_0_14", "Quota 0-14 anni", "Residenti di 0-14 anni su 100 residenti.",
        "%", "positivo", POP, lambda c: ratio(c.between(0, 14), _total(c)))),
    register(Indicator(
        "quota_15_64", "Quota 15-64 anni", "Residenti di 15-64 anni su 100 residenti.",
        "%", "positivo", POP, lambda c: ratio(c.between(15, 64), _total(c)))),
    register(Indicator(
        "quota_65_piu", "Quota 65 anni e più", "Residenti di 65 anni e più su 100 residenti.",
        "%", "negativo", POP, lambda c: ratio(c.between(65), _total(c)))),
    register(Indicator(
        "quota_80_piu", "Quota 80 anni e più", "Residenti di 80 anni e più su 100 residenti.",
        "%", "negativo", POP, lambda c: ratio(c.between(80), _total(c)))),
    register(Indicator(
        "indice_vecchiaia", "Indice di vecchiaia", "Residenti di 65 anni e più ogni 100 di 0-14 anni.",
        "per 100", "negativo", POP, lambda c: ratio(c.between(65), c.between(0, 14)))),
    register(Indicator(
        "indice_dipendenza_strutturale", "Indice di dipendenza strutturale",
        "Residenti di 0-14 e 65 anni e più ogni 100 di 15-64 anni.",
        "per 100", "negativo", POP, lambda c: ratio(c.between(0, 14) + c.between(65), c.between(15, 64)))),
    register(Indicator(
        "indice_dipendenza_anziani", "Indice di dipendenza degli anziani",
        "Residenti di 65 anni e più ogni 100 di 15-64 anni.",
        "per 100", "negativo", POP, lambda c: ratio(c.between(65), c.between(15, 64)))),
    register(Indicator(
        "indice_ricambio_popolazione_attiva", "Indice di ricambio della popolazione attiva",
        "Residenti di 60-64 anni ogni 100 di 15-19 anni (chi sta per uscire dall'età attiva su chi sta per entrarvi).",
        "per 100", "negativo", POP, lambda c: ratio(c.between(60, 64), c.between(15, 19)))),
    register(Indicator(
        "indice_struttura_popolazione_attiva", "Indice di struttura della popolazione attiva",
        "Residenti di 40-64 anni ogni 100 di 15-39 anni.",
        "per 100", "negativo", POP, lambda c: ratio(c.between(40, 64), c.between(15, 39)))),
    register(Indicator(
        "variazione_popolazione_pct", "Variazione della popolazione",
        "Variazione percentuale dei residenti rispetto all'anno precedente disponibile.",
        "%", "positivo", POP, _change)),
    register(Indicator(
        "variazione_popolazione_lungo_periodo_pct", "Variazione della popolazione nel lungo periodo",
        "Variazione percentuale dei residenti dal primo anno della serie storica nell'archivio (dal 2002) "
        "all'anno; quando attraversa il 2019 comprende la revisione del censimento permanente.",
        "%", "positivo", ("popolazione_storica",), _long_change)),
]
