"""The values of every comune, computed once by a batch and saved: exactly the values each comune
has when computed alone, read back by any later process, and never read once the data or the
code they came from have changed."""

import numpy as np
import pytest

from diagnosis import config, store
from diagnosis.batch import comparisons
from diagnosis.indicators import comuni_table, compute
from diagnosis.tables import measures
from diagnosis.territory import registry
from diagnosis.territory.model import comune_territory

# 081025 lacks the embedded ages and ASIA units; 001003 has blank (suppressed) Frame and
# income cells; 099030 lacks the ages; 001272 (Torino) and 081021 have every figure.
CHECKED = ("081025", "001003", "099030", "001272", "081021")


def _saved_files() -> list:
    return sorted((config.cache_dir() / "tabelle").glob(f"{comuni_table.KIND}-*.npz"))


@pytest.fixture(autouse=True)
def _no_table_left_for_other_tests():
    """The tests share a data folder: a table saved here must not answer for the other tests."""
    def forget():
        for path in _saved_files():
            path.unlink()
        comuni_table._saved.cache_clear()
        compute._SHARED.clear()
        compute._plain_values_cached.cache_clear()

    forget()
    yield
    forget()


def _alone(code: str, year: int) -> dict:
    """The values of one comune computed from its own counts, with no cache and nothing saved."""
    values, _counts = compute._computed(comune_territory(code), year, 0.0, ())
    return {key: compute._plain(value) for key, value in values.items()}


def _as_a_new_process_reads_it():
    comuni_table._saved.cache_clear()
    compute._SHARED.clear()
    compute._plain_values_cached.cache_clear()


def test_a_saved_table_gives_each_comune_the_values_it_has_alone(monkeypatch):
    year = measures.check_year(None)
    comuni_table.save(comuni_table.ComuniTable.from_values(compute.comuni_values(CHECKED, year)), year)
    _as_a_new_process_reads_it()
    expected = {code: _alone(code, year) for code in CHECKED}

    def not_computed(*args):
        raise AssertionError("un comune della tabella salvata non va ricalcolato")

    monkeypatch.setattr(compute, "_computed", not_computed)
    for code in CHECKED:
        found = compute.indicator_values(comune_territory(code), year)
        assert found == expected[code]
        assert [type(v) for v in found.values()] == [type(v) for v in expected[code].values()]  # an int stays an int
    assert any(value is None for value in compute.indicator_values(comune_territory("001003"), year).values())
    assert compute.indicator_values(comune_territory("081025"), year)["indice_vecchiaia"] is None  # no ages, no index


def test_a_comune_not_in_the_table_and_a_district_are_computed():
    year = measures.check_year(None)
    comuni_table.save(comuni_table.ComuniTable.from_values(compute.comuni_values(["001272"], year)), year)
    _as_a_new_process_reads_it()
    assert "081021" not in comuni_table.saved(year)
    assert compute.indicator_values(comune_territory("081021"), year) == _alone("081021", year)
    district = comune_territory("001272").__class__("d", "Torino e Moncalieri", "distretto", ("001272", "001156"))
    assert compute.indicator_values(district, year)["popolazione"] > _alone("001272", year)["popolazione"]


def test_the_table_is_not_read_once_the_store_has_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    table = comuni_table.ComuniTable.from_values({"001272": {"popolazione": 850_000, "densita": 6_500.5}})
    comuni_table.save(table, 2025)
    _as_a_new_process_reads_it()
    assert comuni_table.saved(2025).values_of("001272") == {"popolazione": 850_000, "densita": 6_500.5}
    assert comuni_table.saved(2024) is None  # another year, another table
    store.save_bytes("posas", "POSAS_2025_it_Comuni.csv", b"Codice comune;Totale\n001272;1\n", source="prova",
                     vintage="prova", status="definitivo", years=[2025])
    assert comuni_table.saved(2025) is None  # a file imported since: the values may differ


def test_a_changed_module_gives_a_new_key_and_the_new_table_replaces_the_old(monkeypatch):
    table = comuni_table.ComuniTable.from_values({"001272": {"popolazione": 850_000}})
    comuni_table.save(table, 2025)
    comuni_table.save(table, 2024)
    _as_a_new_process_reads_it()
    assert comuni_table.saved(2025) is not None
    monkeypatch.setattr(comuni_table, "code_digest", lambda: "un'altra versione del codice")
    _as_a_new_process_reads_it()
    assert comuni_table.saved(2025) is None
    comuni_table.save(comuni_table.ComuniTable.from_values({"001272": {"popolazione": 851_000}}), 2025)
    assert len(_saved_files()) == 2  # the year's earlier table is gone, the other year's stays
    assert comuni_table.saved(2025).values_of("001272") == {"popolazione": 851_000}
    assert comuni_table.saved(2024) is None  # made under the earlier code


@pytest.mark.parametrize("content", [b"non una tabella", b"PK\x03\x04troncato"])
def test_an_unreadable_table_is_left_aside(content):
    comuni_table.save(comuni_table.ComuniTable.from_values({"001272": {"popolazione": 850_000}}), 2025)
    [path] = _saved_files()
    path.write_bytes(content)
    _as_a_new_process_reads_it()
    assert comuni_table.saved(2025) is None  # computed again, never an error


def test_a_table_keeps_blanks_counts_and_decimals_apart():
    values = {"001": {"a": None, "b": 3, "c": 3.25, "d": 0}, "002": {"a": 1.5, "b": None, "c": 0.0, "d": 12}}
    table = comuni_table.ComuniTable.from_arrays(comuni_table.ComuniTable.from_values(values).as_arrays())
    assert table.values_of("001") == values["001"] and table.values_of("002") == values["002"]
    assert type(table.values_of("001")["b"]) is int and type(table.values_of("002")["c"]) is float
    assert table.values_of("003") is None
    assert np.isnan(table.values[0, 0])


def test_a_batch_spread_over_italy_computes_and_saves_every_comune():
    year = measures.check_year(None)
    codes = registry.comuni()["codice"].tolist()
    spread = [comune_territory(code) for code in codes[::100]]
    distinct, asked = comparisons.compared_comuni(spread)
    assert comparisons.comparisons_to_compute(distinct, asked, 2) >= comparisons.WHOLE_TABLE_SHARE * len(codes)
    comparisons.share_comparisons(spread, year, workers=2)
    _as_a_new_process_reads_it()
    table = comuni_table.saved(year)
    assert table is not None and sorted(table.codes.tolist()) == sorted(codes)
    for code in CHECKED:
        assert table.values_of(code) == _alone(code, year)
    compute._SHARED.clear()
    comparisons.share_comparisons(spread, year, workers=2)  # the next batch reads it, computes nothing
    assert compute._SHARED == {}


def test_a_batch_of_one_province_leaves_the_table_unsaved():
    year = measures.check_year(None)
    table = registry.comuni()
    province = table.loc[table["provincia_codice"] == table.loc[table["codice"] == "001003", "provincia_codice"].iloc[0]]
    comparisons.share_comparisons([comune_territory(c) for c in province["codice"]], year, workers=2)
    assert _saved_files() == []
    assert len(next(iter(compute._SHARED.values()))) < len(table)  # its members and peers, shared in memory


def test_what_a_batch_would_compute_counts_repeats_only_across_workers():
    distinct = [f"{n:06d}" for n in range(100)]
    assert comparisons.comparisons_to_compute(distinct, 150, workers=2) == 150  # not shared: workers repeat some
    assert comparisons.comparisons_to_compute(distinct, 150, workers=1) == 100  # one worker keeps what it computed
    assert comparisons.comparisons_to_compute(distinct, 1_000, workers=2) == 100  # shared: each once


def test_the_values_a_table_is_made_of_are_computed_never_read_from_a_table():
    year = measures.check_year(None)
    comuni_table.save(comuni_table.ComuniTable.from_values({"001272": {"popolazione": 1}}), year)
    _as_a_new_process_reads_it()
    assert compute.comuni_values(["001272"], year) == {"001272": {"popolazione": 1}}  # what a report reads
    assert compute.comuni_values(["001272"], year, from_tables=False) == {"001272": _alone("001272", year)}
