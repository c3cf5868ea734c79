"""The economy of the territory: ISTAT Frame territoriale and ASIA totals of the snapshot."""

import pytest

from diagnosis.indicators import compute_indicators
from diagnosis.tables import registers
from diagnosis.territory import resolve_territory


@pytest.fixture
def pioltello():
    return compute_indicators(resolve_territory("Pioltello"))


def test_frame_figures_of_a_comune_divide_by_the_residents_of_the_same_date(pioltello):
    values = pioltello["indicatori"]
    # Frame 2023, Pioltello: 2,070 local units, 10,293 employees, 833,359 thousand € of value added;
    # residents on 1/1/2023: 36,271 (final)
    assert values["unita_locali_frame_per_1000_abitanti"]["valore"] == pytest.approx(round(2070 / 36271 * 1000, 2))
    assert values["addetti_per_1000_abitanti"]["valore"] == pytest.approx(round(10293 / 36271 * 1000, 2))
    assert values["valore_aggiunto_per_addetto"]["valore"] == pytest.approx(round(833359e3 / 10293, 2))
    assert values["quota_addetti_servizi"]["valore"] == pytest.approx(round(7752 / 10293 * 100, 2))
    assert values["addetti_per_1000_abitanti"]["riferimento"] == "anno 2023"
    assert pioltello["dati"]["frame"]["anno"] == 2023


def test_a_hidden_cell_is_missing_for_the_territory_and_named_for_a_benchmark():
    frame = registers.totals("frame", ["001007"], 2023)  # Ala di Stura: its total employees are hidden
    hidden = [key for key, value in frame.valori.items() if value is None]
    assert "totale|addetti" in hidden and frame.get("totale", "unita_locali") is not None
    italy = registers.totals("frame", resolve_territory("italia").comuni, 2023, tolerance=0.01)
    assert italy.get("totale", "addetti") is not None
    assert "001007" in italy.oscurati["totale|addetti"]


def test_the_snapshot_asia_totals_are_not_chained_with_the_frame(pioltello):
    values = pioltello["indicatori"]
    assert values["addetti_per_unita_locale"]["riferimento"] == "anno 2018"  # ASIA
    assert "ASIA" in values["addetti_per_unita_locale"]["fonte"]
    assert "Frame" in values["addetti_per_1000_abitanti"]["fonte"]
