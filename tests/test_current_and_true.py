"""Figures that are current and true: today's comuni, blanks kept blank, the most final source."""

from datetime import date

import numpy as np
import pytest

from diagnosis.indicators import compute_indicators
from diagnosis.intake import importing
from diagnosis.tables import measures
from diagnosis.tables import income
from diagnosis.tables.income import _bounds, _residuals
from diagnosis.tables.today import to_today
from diagnosis.territory import resolve_territory
from national_files import mef_for_every_comune

# --- suppressed cells ----------------------------------------------------------------------


def _share_bounds(classes, inside, totals, taxpayers):
    return _bounds(_residuals(classes, totals, taxpayers), inside)


def test_a_share_with_blank_classes_is_the_interval_the_published_cells_allow():
    # one comune, four classes, the last two blank; 100 declarations in all (published total)
    classes = np.array([[50.0, 30.0, np.nan, np.nan]])
    inside = np.array([False, False, False, True])  # the share of the last class
    share = _share_bounds(classes, inside, np.array([100.0]), np.array([120.0]))
    # the 20 missing declarations may all be in the last class, or none of them
    assert (share.basso, share.alto) == pytest.approx((0.0, 20.0))
    # a class that is known stays exact even when others are blank
    exact = _share_bounds(classes, np.array([True, False, False, False]), np.array([100.0]), np.array([120.0]))
    assert exact.esatta and exact.basso == pytest.approx(50.0)


def test_without_the_class_total_the_taxpayers_bound_the_blanks():
    # before 2023 the MEF gives no class total: the blanks hold at most the taxpayers not counted elsewhere
    classes = np.array([[50.0, 30.0, np.nan, 10.0]])
    share = _share_bounds(classes, np.array([False, False, False, True]), np.array([np.nan]), np.array([100.0]))
    assert share.basso == pytest.approx(10 / 100 * 100)  # 10 of 90 known + up to 10 blank in the others
    assert share.alto == pytest.approx(10 / 90 * 100)


def test_blanks_in_several_comuni_add_up_in_the_bounds():
    classes = np.array([[10.0, np.nan, np.nan], [20.0, 5.0, 5.0]])
    inside = np.array([False, False, True])
    share = _share_bounds(classes, inside, np.array([16.0, 30.0]), np.array([20.0, 30.0]))
    # first comune: 6 blank declarations, anywhere in the last two classes; second: exact
    assert (share.basso, share.alto) == pytest.approx((5 / 46 * 100, 11 / 46 * 100))


def _blank_cell(data: bytes, code: str, column_label: str) -> bytes:
    """The MEF CSV with the cell of ``column_label`` blank in the row of comune ``code``."""
    lines = data.decode("utf-8").split("\r\n")
    at = lines[0].split(";").index(column_label)
    for number, line in enumerate(lines):
        cells = line.split(";")
        if len(cells) > at and cells[2].strip().zfill(6) == code:
            cells[at] = ""
            lines[number] = ";".join(cells)
    return "\r\n".join(lines).encode("utf-8")


def test_a_comune_with_a_blank_income_total_is_named_not_summed_as_zero(tmp_path, monkeypatch, fixtures):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    whole = mef_for_every_comune((fixtures / "mef" / "irpef_comunale_2023_utf8.csv").read_bytes())
    path = tmp_path / "mef_2023.csv"
    path.write_bytes(_blank_cell(whole, "015175", "Reddito imponibile - Ammontare in euro"))
    importing.add_file(path)
    alone = income.totals(["015146"], 2023)
    both = income.totals(["015175", "015146"], 2023)
    # Pioltello's blank total is not a zero: Pioltello is missing from the sum, which says so
    assert both.mancanti == ("015175",) and both.comuni_coperti == 1
    assert (both.contribuenti, both.reddito_imponibile) == (alone.contribuenti, alone.reddito_imponibile)
    assert income.totals(["015175"], 2023).comuni_coperti == 0


# --- today's comuni -------------------------------------------------------------------------


def test_a_merged_comune_is_summed_only_when_every_predecessor_is_listed():
    # Bardello (012009), Bregano (012018) and Malgesso (012095) became 012144 on 1/1/2023
    full = to_today(["012009", "012018", "012095", "015175"], np.array([[10.0], [20.0], [30.0], [1.0]]),
                    ("v",), date(2022, 1, 1))
    by_code = dict(zip(full.codes, full.values[:, 0]))
    assert by_code["012144"] == 60 and full.rebuilt["012144"] == ("012009", "012018", "012095")
    partial = to_today(["012009", "012018", "015175"], np.array([[10.0], [20.0], [1.0]]), ("v",), date(2022, 1, 1))
    assert "012144" not in set(partial.codes) and "012144" in partial.incomplete


def test_a_table_after_the_merger_lists_the_new_comune_itself():
    after = to_today(["012144"], np.array([[60.0]]), ("v",), date(2023, 1, 1))
    assert list(after.codes) == ["012144"] and after.rebuilt == {}


def test_a_source_that_lags_a_recoding_is_read_under_the_new_code():
    # Alghero was 090003 until 31/12/2025 and is 112001 from 1/1/2026; P2 2025 still says 090003
    lagging = to_today(["090003"], np.array([[44000.0]]), ("v",), date(2026, 1, 1))
    assert list(lagging.codes) == ["112001"]


def test_a_blank_cell_stays_blank_in_a_sum():
    table = to_today(["012009", "012018", "012095"], np.array([[10.0], [np.nan], [30.0]]), ("v",), date(2022, 1, 1))
    assert np.isnan(table.values[0, 0])


def test_merged_comuni_count_in_their_region_and_in_italy():
    # MEF 2023 over today's comuni: Lombardy 7,542,193 taxpayers, Italy 42,564,356 (read from the file)
    entry = compute_indicators(resolve_territory("Pioltello"), 2023)["indicatori"]["contribuenti"]
    assert entry["confronti"]["regione:03"] == 7542193 and entry["confronti"]["italia"] == 42564356


# --- the real files imported by hand ------------------------------------------------------


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


@pytest.mark.real_data
def test_the_real_p2_2025_imported_gives_both_dates_and_the_rates(own_store, real_data):
    entry = importing.add_file(real_data / "demo_istat" / "P2_2025_it_Comuni.csv")
    assert entry["dataset"] == "p2"
    pioltello = measures.resolve("popolazione", 2025).sum_for(["015175"])
    assert pioltello.get("T") == 37184 and pioltello.stato == "definitivo"
    assert [e.origine for e in pioltello.edizioni] == ["archivio"]  # the file imported, at equal status
    end = measures.resolve("popolazione", 2026).sum_for(["015175"])
    assert end.get("T") == 37709 and end.stato == "provvisorio"
    values = compute_indicators(resolve_territory("Pioltello"), 2025)["indicatori"]
    # P2 2025, Pioltello: 282 live births, 313 deaths; mean population (37,184 + 37,709) / 2
    assert values["tasso_natalita"]["valore"] == pytest.approx(round(282 / 37446.5 * 1000, 2))
    assert values["tasso_mortalita"]["valore"] == pytest.approx(round(313 / 37446.5 * 1000, 2))
    assert values["tasso_natalita"]["stato"] == "provvisorio"


@pytest.mark.real_data
def test_the_real_mef_2023_blank_band_of_pioltello_gives_an_interval(own_store, real_data):
    importing.add_file(real_data / "mef_irpef" / "Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_2023.csv")
    entry = compute_indicators(resolve_territory("Pioltello"), 2023)["indicatori"]["quota_redditi_oltre_55000"]
    # Pioltello 2023: 55-75k 619, 75-120k 400, over 120k blank; the 8 classes add up to 25,896 declarations
    # and the known ones to 25,658: the 238 blank ones are over 120k or at most zero
    assert entry["valore"] is None
    assert entry["intervallo"] == pytest.approx([round(1019 / 25896 * 100, 2), round(1257 / 25896 * 100, 2)])
    assert entry["giudizio"] == "non giudicato"


def test_tables_over_the_same_comuni_share_one_lookup_of_their_rows():
    codes = ["015175", "015146", "001272"]
    one = to_today(codes, np.array([[1.0], [2.0], [3.0]]), ("v",), date(2024, 1, 1))
    other = to_today(codes, np.array([[4.0, 5.0], [6.0, 7.0], [8.0, 9.0]]), ("a", "b"), date(2025, 1, 1))
    fewer = to_today(codes[:2], np.array([[1.0], [2.0]]), ("v",), date(2024, 1, 1))
    assert one.positions is other.positions  # one dictionary for both tables
    for table in (one, other, fewer):  # each code still leads to its own row, as counted row by row
        assert table.positions == {code: row for row, code in enumerate(table.codes.tolist())}
    assert fewer.positions is not one.positions


def test_one_comune_is_summed_as_its_own_row_kept_apart_from_the_table():
    resolved = measures.resolve("popolazione", measures.default_year())
    milano = resolved.sum_for(["015146"])
    row = resolved.values_of("015146")
    assert np.array_equal(milano.values, row, equal_nan=True) and milano.comuni == 1
    assert milano.edizioni == (resolved.edizioni[resolved.origin[resolved.table.positions["015146"]]],)
    both = resolved.sum_for(["015146", "015175"])
    assert np.array_equal(both.values, milano.values + resolved.sum_for(["015175"]).values, equal_nan=True)
    milano.values[:] = -1  # whoever changes a sum does not change the table it came from
    assert np.array_equal(resolved.values_of("015146"), row) and row[0] > 0
