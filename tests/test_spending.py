"""Spending power of the residents: the MEF taxable income in total and per inhabitant, the
same figures as the income indicators, and no invented estimate for visitors."""

from dataclasses import replace

import pytest

import diagnosis as dg


def test_total_and_per_inhabitant_income_are_the_fotografia_figures():
    table = dg.capacita_di_spesa("Pioltello")
    own = table[table["territorio"] == "015175"].set_index("variabile")
    year = int(own.loc["reddito_imponibile", "anno"])
    income = dg.redditi("Pioltello", anni=year).set_index("variabile")
    assert own.loc["reddito_imponibile", "valore"] == income.loc["reddito_imponibile", "valore"]
    assert own.loc["contribuenti", "valore"] == income.loc["contribuenti", "valore"]
    per_inhabitant = own.loc["reddito_imponibile", "valore"] / own.loc["residenti", "valore"]
    assert own.loc["reddito_imponibile_per_abitante", "valore"] == pytest.approx(per_inhabitant, rel=1e-6)


def test_benchmarks_follow_on_the_same_tax_year():
    table = dg.capacita_di_spesa("Pioltello")
    assert set(table["livello"]) == {"comune", "provincia", "regione"}
    assert table["anno"].nunique() == 1
    milano = table[(table["territorio"] == "provincia:MI") & (table["variabile"] == "reddito_imponibile")]
    own = table[(table["territorio"] == "015175") & (table["variabile"] == "reddito_imponibile")]
    assert float(milano["valore"].iloc[0]) > float(own["valore"].iloc[0])


def test_no_estimate_is_made_for_commuters_and_tourists():
    table = dg.capacita_di_spesa("Pioltello", confronti=False)
    assert "Nessuna stima" in table.attrs["pendolari_e_turisti"]
    assert not table["variabile"].str.contains("pendolari|turisti").any()


def test_without_income_the_message_names_the_command(monkeypatch):
    from diagnosis.api import spending
    from diagnosis.errors import DatiNonDisponibili

    real = spending.counts_for
    monkeypatch.setattr(spending, "counts_for", lambda territory, year: replace(real(territory, year), reddito=None))
    with pytest.raises(DatiNonDisponibili, match="diagnosis dati scarica --fonte mef_irpef"):
        dg.capacita_di_spesa("Pioltello")
