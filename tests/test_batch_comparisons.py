"""The comuni a batch compares with, computed once before the workers start, have exactly
the values each report would have computed for them on its own."""

import pytest

from diagnosis.batch import comparisons
from diagnosis.errors import DatiNonDisponibili
from diagnosis.indicators import compute
from diagnosis.indicators.peers import province_members, select_peers
from diagnosis.tables import measures
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio, comune_territory

# 081025 lacks the embedded ages and ASIA units; 001003 has blank (suppressed) Frame and
# income cells; 099030 lacks the ages; 001272 (Torino) and 081021 have every figure.
CHECKED = ("081025", "001003", "099030", "001272", "081021")


@pytest.fixture(autouse=True)
def _nothing_shared_between_tests():
    compute._SHARED.clear()
    yield
    compute._SHARED.clear()


def _province_of(code: str) -> list[str]:
    table = registry.comuni()
    province = table.loc[table["codice"] == code, "provincia_codice"].iloc[0]
    return sorted(table.loc[table["provincia_codice"] == province, "codice"])


def _alone(code: str, year: int) -> dict:
    """The values of one comune computed from its own counts, with no cache and nothing shared."""
    values, _counts = compute._computed(comune_territory(code), year, 0.0, ())
    return {key: compute._plain(value) for key, value in values.items()}


def test_shared_values_are_those_of_each_comune_computed_alone():
    year = measures.check_year(None)
    batch = [comune_territory(c) for code in ("081025", "001003", "099030") for c in _province_of(code)[:3]]
    comparisons.share_comparisons(batch, year, workers=2)
    [shared] = compute._SHARED.values()
    for code in CHECKED:
        assert code in shared  # served from what the batch shared, not recomputed
        assert compute.indicator_values(comune_territory(code), year) == _alone(code, year)
    assert any(value is None for value in shared.values_of("001003").values())  # blanks stay missing
    assert shared.values_of("081025")["indice_vecchiaia"] is None
    assert shared.values_of("001272")["indice_vecchiaia"] > 0


def test_a_report_ranks_its_comune_the_same_with_and_without_shared_values():
    year = measures.check_year(None)
    territory = comune_territory("081021")
    compute._indicators_cached.cache_clear()
    alone = compute.compute_indicators(territory, year)
    comparisons.share_comparisons([comune_territory(c) for c in _province_of("081021")], year, workers=2)
    compute._indicators_cached.cache_clear()
    compute._plain_values_cached.cache_clear()
    shared = compute.compute_indicators(territory, year)
    assert shared == alone
    assert any("provincia" in entry.get("posizione", {}) for entry in shared["indicatori"].values())


def test_the_peers_of_the_batchs_territories_are_shared_too():
    year = measures.check_year(None)
    province = _province_of("081021")
    comparisons.share_comparisons([comune_territory(c) for c in province], year, workers=2)
    [shared] = compute._SHARED.values()
    peers = select_peers(comune_territory("081021"), _alone("081021", year), year)["comuni"]
    outside = [code for code in peers if code not in province]
    assert outside  # peers are chosen in the region, beyond the province
    assert all(code in shared for code in peers)
    for code in outside[:3]:
        assert shared.values_of(code) == _alone(code, year)


def test_a_territory_whose_values_fail_leaves_the_others_peers_shared(monkeypatch):
    year = measures.check_year(None)
    province = [comune_territory(c) for c in _province_of("081021")]
    broken = province[0]
    computed = comparisons.indicator_values

    def failing(territory, asked_year):
        if territory == broken:
            raise DatiNonDisponibili("dati illeggibili")
        return computed(territory, asked_year)

    monkeypatch.setattr(comparisons, "indicator_values", failing)
    comparisons.share_comparisons(province, year, workers=2)
    [shared] = compute._SHARED.values()
    peers = select_peers(comune_territory("081021"), _alone("081021", year), year)["comuni"]
    assert all(code in shared for code in peers)


def test_sharing_is_chosen_when_provinces_come_up_again_and_again():
    spread = registry.comuni()["codice"].tolist()[::450][:18]
    assert not comparisons.worth_sharing(*comparisons.compared_comuni([comune_territory(c) for c in spread]), 2)
    whole_province = [comune_territory(c) for c in _province_of("001003")]
    distinct, asked = comparisons.compared_comuni(whole_province)
    assert comparisons.worth_sharing(distinct, asked, workers=2)
    assert not comparisons.worth_sharing(distinct, asked, workers=1)
    assert sorted(distinct) == _province_of("001003")
    assert asked == len(distinct) * (len(distinct) - 1)
    assert province_members(whole_province[0]) == [c for c in distinct if c != whole_province[0].comuni[0]]


def test_nothing_is_computed_before_a_batch_that_would_not_repeat_it():
    spread = [comune_territory(c) for c in registry.comuni()["codice"].tolist()[::450][:18]]
    comparisons.share_comparisons(spread, measures.check_year(None), workers=2)
    assert compute._SHARED == {}


def test_province_members_are_the_other_comuni_of_the_one_province():
    table = registry.comuni()
    for code in ("001003", "081025", "015146"):
        province = table.loc[table["codice"] == code, "provincia_codice"].iloc[0]
        expected = table.loc[(table["provincia_codice"] == province) & (table["codice"] != code), "codice"].tolist()
        assert province_members(comune_territory(code)) == expected
    across = Territorio("d", "d", "distretto", ("001003", "015146"))
    assert province_members(across) == []  # across two provinces: no one province to rank in
