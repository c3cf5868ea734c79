"""Presences files: every accepted layout read, bad rows reported by line, the analysis checked
by hand on the fixtures, small cells hidden, the import through ``diagnosis dati aggiungi``."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from diagnosis import store
from diagnosis.api.presences import presenze
from diagnosis.cli import main
from diagnosis.errors import DatiNonDisponibili, PresenzeNonValide, RichiestaNonValida
from diagnosis.indicators.compute import compute_indicators
from diagnosis.intake.recognise import recognise
from diagnosis.models import presences
from diagnosis.sources.presences import read_presences
from diagnosis.territory import resolve_territory
from tests.xlsx_fixture import workbook_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def _file(fixtures, name):
    return fixtures / "presenze" / f"{name}.csv"


# --- reading -------------------------------------------------------------------------------


def test_standard_layout_reads_counts_breakdowns_and_keeps_a_suppressed_count_missing(fixtures):
    found = read_presences(_file(fixtures, "standard"))
    rows = found.presenze
    assert found.formato.startswith("tracciato standard") and found.problemi == []
    assert len(rows) == 23 and found.valori_oscurati == 1
    suppressed = rows.loc[9]  # 06/04/2024 ore 11, "<5"
    assert suppressed["oscurato"] and np.isnan(suppressed["presenze"])
    assert rows.loc[10, "tipo_presenza"] == "residente" and rows.loc[12, "tipo_presenza"] == "turista"
    assert rows.loc[19, ["fascia_eta", "sesso"]].tolist() == ["18-34", "M"]
    assert rows.loc[23, "fascia_eta"] == "65+"


def test_telecom_export_with_decimal_commas_and_windows_encoding(fixtures):
    found = read_presences(_file(fixtures, "operatore_telefonico"))
    rows = found.presenze
    assert found.formato.startswith("esportazione di un operatore telefonico")
    assert rows.loc[2, ["ora", "zona", "presenze"]].tolist() == [10, "Centro Sassuolo", 1234.5]
    assert rows.loc[3, "presenze"] == 987.25
    assert rows.loc[4, "provenienza_comune"] == "036040" and rows.loc[5, "provenienza_comune"] == "Formigine"
    assert rows.loc[6, "oscurato"]  # "<20"
    assert rows.loc[9, ["fascia_eta", "sesso", "presenze"]].tolist() == ["25-34", "M", 420.0]
    assert rows.loc[11, "tipo_presenza"] == "residente"
    assert [(p.riga, p.colonna) for p in found.problemi] == [(12, "presenze"), (13, "data"), (14, "sesso")]
    assert found.problemi[0].etichetta == "presenze («Presenze stimate»)"


def test_wifi_counter_takes_the_hour_from_its_timestamp(fixtures):
    found = read_presences(_file(fixtures, "contatore_wifi"))
    rows = found.presenze
    assert found.formato == "esportazione di contatori Wi-Fi"
    assert rows[["zona", "ora", "presenze"]].iloc[:3].values.tolist() == [
        ["Piazza Garibaldi", 10, 152.0], ["Piazza Garibaldi", 11, 198.0], ["Via Menotti", 10, 87.0]]
    assert rows.loc[5, "oscurato"]  # "n.d."
    assert [(p.riga, p.valore) for p in found.problemi] == [(6, "abc")]


def test_origin_destination_matrix_long_and_wide_give_the_same_flows(fixtures):
    long = read_presences(_file(fixtures, "matrice_od_lunga"))
    wide = read_presences(_file(fixtures, "matrice_od_larga"))
    assert long.presenze.loc[2, ["zona_origine", "zona", "presenze"]].tolist() == ["Stazione", "Piazza Garibaldi", 40.0]
    flows = presences.origin_destination(wide.presenze).set_index(["zona_origine", "zona"])["presenze"]
    assert flows[("Stazione", "Piazza Garibaldi")] == 75.0  # 40 at 10, 35 at 11
    assert flows[("Piazza Garibaldi", "Via Menotti")] == 12.0
    # the blank cell of the wide matrix is an error on its line, never a zero
    assert [(p.riga, p.intestazione) for p in wide.problemi] == [(4, "Via Menotti")]
    assert ("Stazione", "Via Menotti") in flows.index and flows[("Stazione", "Via Menotti")] == 25.0


def test_an_xlsx_reads_like_the_csv(fixtures):
    data = workbook_bytes({"Foglio1": [
        ["data", "ora", "zona", "presenze"],
        [dt.datetime(2024, 3, 1), 10, "Centro", 100.5],
        [dt.datetime(2024, 3, 1), 11, "Centro", "<5"],
    ]})
    rows = read_presences(data, name="presenze.xlsx").presenze
    assert rows["presenze"].iloc[0] == 100.5 and rows["oscurato"].iloc[1]
    assert rows["data"].iloc[0] == pd.Timestamp("2024-03-01")


def test_bad_rows_are_reported_by_line_and_left_out(fixtures):
    found = read_presences(_file(fixtures, "standard_errori"))
    assert list(found.presenze.index) == [2]
    lines = {p.riga: p for p in found.problemi}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]
    assert "non è una data esistente" in lines[3].messaggio
    assert "non è un'ora del giorno" in lines[4].messaggio
    assert "«12O» non è un numero" in lines[5].messaggio
    assert "mai 0" in lines[6].messaggio  # a blank count is not read as zero
    assert "negativo" in lines[7].messaggio
    assert lines[8].colonna == "sesso"
    assert "riga doppia della riga 2" in lines[9].messaggio


def test_a_file_of_no_known_layout_is_refused_naming_the_fix():
    with pytest.raises(PresenzeNonValide, match="templates/presenze.csv"):
        read_presences(b"giorno;quanti\n01/03/2024;5\n", name="altro.csv")


def test_a_mapping_of_the_analyst_reads_another_export(tmp_path):
    mapping = tmp_path / "mappatura.yaml"
    mapping.write_text("nome: contapersone del Comune\ncolonne:\n  data: [Giorno rilevazione]\n"
                       "  presenze: [Ingressi]\n  zona: [Varco]\n", encoding="utf-8")
    data = b"Giorno rilevazione;Varco;Ingressi\n01/03/2024;Porta Nord;1.250\n"
    found = read_presences(data, name="varchi.csv", mapping=mapping)
    assert found.formato == "contapersone del Comune"
    assert found.presenze[["zona", "presenze"]].values.tolist() == [["Porta Nord", 1250.0]]


# --- analysis, by hand on standard.csv -------------------------------------------------------
# Totals (no breakdown), Centro storico: Fri 1/3 10h 100, 11h 200; Sat 2/3 300, 400;
# Fri 5/4 150, 250; Sat 6/4 350, "<5".


@pytest.fixture
def rows(fixtures):
    return read_presences(_file(fixtures, "standard")).presenze


def test_days_hours_months_and_the_weekend(rows):
    days = presences.daily(rows).set_index("data")["presenze"]
    assert days.iloc[:3].tolist() == [300.0, 700.0, 400.0]
    assert np.isnan(days[pd.Timestamp("2024-04-06")])  # a suppressed hour: the day is incomplete, not 350
    grid = presences.hour_by_weekday(rows)
    assert grid.loc[10, "venerdì"] == 125.0 and grid.loc[11, "venerdì"] == 225.0
    assert grid.loc[10, "sabato"] == 325.0 and grid.loc[11, "sabato"] == 400.0  # only the complete Saturday
    months = presences.by_month(rows).set_index("mese")
    assert months.loc["2024-03", "presenze_medie_giornaliere"] == 500.0
    assert months.loc["2024-04", ["presenze_medie_giornaliere", "giorni", "giorni_incompleti"]].tolist() == [400.0, 1, 1]
    week = presences.weekday_weekend(rows).set_index("giorni_della_settimana")["presenze_medie_giornaliere"]
    assert week.tolist() == [350.0, 700.0]
    assert presences.weekend_ratio(rows) == 2.0


def test_residents_and_visitors(rows):
    table = presences.residents_and_visitors(rows).set_index("tipo_presenza")
    assert table.loc["residente", "quota"] == pytest.approx(300 / 700 * 100)
    assert table.loc["non residenti", "presenze"] == 400.0
    assert table.loc["non residenti", "quota"] == pytest.approx(400 / 700 * 100)


def test_origin_shares_outside_the_province_and_abroad():
    table = presenze("Sassuolo", "provenienza", file=_file(FIXTURES, "standard")).set_index("provenienza")
    # MO 400 (Sassuolo's province), RE 150, Bologna 80, Germania 40, Francia 3: 673 in all
    assert table.loc["stessa provincia", "quota"] == pytest.approx(400 / 673 * 100)
    assert table.loc["altre province italiane", "presenze"] == 230.0
    assert table.loc["estero", "quota"] == pytest.approx(43 / 673 * 100)


def test_catchment_places_codes_and_names_and_keeps_suppressed_comuni_missing():
    table = presenze("Sassuolo", "bacino", file=_file(FIXTURES, "operatore_telefonico")).set_index("codice")
    assert table.loc["036015", ["nome", "provincia", "presenze"]].tolist() == ["Formigine", "MO", 210.6]
    assert table.loc["036040", "quota"] == pytest.approx(612.4 / (612.4 + 210.6) * 100)
    # Scandiano is written once as a code ("<20") and once by name (3,2): together, suppressed
    assert table.loc["035040", "presenze"] == presences.PROVIDER_SUPPRESSED


def test_age_and_sex_profile_hides_small_cells_and_those_that_reveal_them():
    table = presenze("Sassuolo", "profilo", file=_file(FIXTURES, "standard"))
    shown = table.set_index(["fascia_eta", "sesso"])["quota_presenze"]
    # 65+ F has 3: hidden; then 65+ M (its row), 18-34 F (its column), 18-34 M (that row): only 35-64 shows
    assert shown[("35-64", "M")] == pytest.approx(200 / 663 * 100)
    assert shown[("35-64", "F")] == pytest.approx(210 / 663 * 100)
    for cell in [("65+", "F"), ("65+", "M"), ("18-34", "F"), ("18-34", "M")]:
        assert shown[cell] == presences.SUPPRESSED
    residents = table["quota_residenti"]
    assert residents.notna().all() and residents.sum() == pytest.approx(100)


def test_two_periods_compared():
    table = presenze("Sassuolo", "confronto", file=_file(FIXTURES, "standard"),
                     prima=("01/03/2024", "31/03/2024"), dopo=("2024-04-01", "2024-04-30")).set_index("misura")
    assert table.loc["presenze_medie_giornaliere", ["prima", "dopo"]].tolist() == [500.0, 400.0]
    assert table.loc["presenze_medie_giornaliere", "variazione_pct"] == pytest.approx(-20.0)
    assert table.loc["presenze_medie_feriali", "variazione_pct"] == pytest.approx(400 / 300 * 100 - 100)
    assert table.attrs["periodi"] == {"prima": "dal 01/03/2024 al 31/03/2024", "dopo": "dal 01/04/2024 al 30/04/2024"}
    with pytest.raises(RichiestaNonValida, match="prima="):
        presenze("Sassuolo", "confronto", file=_file(FIXTURES, "standard"))


def test_shares_hide_a_single_small_value_and_its_complement():
    table = presences.shares(pd.Series({"a": 100.0, "b": 50.0, "c": 3.0}))
    assert table["presenze"].tolist() == [100.0, presences.SUPPRESSED, presences.SUPPRESSED]


# --- import and indicators ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["standard", "operatore_telefonico", "contatore_wifi", "matrice_od_lunga",
                                  "matrice_od_larga"])
def test_every_layout_is_recognised_as_presences(fixtures, name):
    found = recognise(_file(fixtures, name))
    assert found.dataset == "presenze" and found.per_territorio


def test_import_feeds_the_indicators_and_the_json(own_store, fixtures, capsys):
    assert main(["dati", "aggiungi", str(_file(fixtures, "standard_errori")), "--territorio", "Sassuolo"]) == 0
    assert "Riga 5:" in capsys.readouterr().out
    assert main(["dati", "aggiungi", str(_file(fixtures, "standard")), "--territorio", "Sassuolo"]) == 0
    assert [e["territorio"] for e in store.entries("presenze")] == ["036040"]
    result = compute_indicators(resolve_territory("Sassuolo"), 2023)
    values = result["indicatori"]
    assert values["presenze_medie_giornaliere"]["valore"] == pytest.approx(466.67, abs=0.01)
    assert values["quota_presenze_fuori_provincia"]["valore"] == pytest.approx(round(273 / 673 * 100, 2))
    assert values["presenze_medie_giornaliere"]["riferimento"] == "dal 01/03/2024 al 06/04/2024"
    assert result["presenze"]["quota_non_residenti"] == pytest.approx(400 / 700 * 100)
    assert presenze("Sassuolo", "mesi")["mese"].tolist() == ["2024-03", "2024-04"]


def test_without_an_import_the_reader_is_told_how_to_add_one(own_store):
    with pytest.raises(DatiNonDisponibili, match="templates/presenze.csv"):
        presenze("Sassuolo")
    values = compute_indicators(resolve_territory("Sassuolo"), 2023)["indicatori"]
    assert values["presenze_medie_giornaliere"]["valore"] is None
    assert "templates/presenze.csv" in values["presenze_medie_giornaliere"]["nota"]


# --- charts ------------------------------------------------------------------------------------


def test_charts_draw_what_is_known_and_no_bar_for_a_hidden_cell():
    import matplotlib.pyplot as plt

    from diagnosis import viz

    standard = FIXTURES / "presenze" / "standard.csv"
    fig, axes = plt.subplots(1, 3)
    grid = viz.presenze_ora_giorno(presenze("Sassuolo", "ora_giorno", file=standard), ax=axes[0])
    assert grid.images[0].get_array()[0, 4] == 125.0 and grid.images[0].get_array().mask[0, 0]  # Monday: no data
    viz.presenze_mesi(presenze("Sassuolo", "mesi", file=standard), ax=axes[1])
    assert [bar.get_height() for bar in axes[1].patches] == [500.0, 400.0]
    viz.profilo_presenze(presenze("Sassuolo", "profilo", file=standard), ax=axes[2])
    widths = [bar.get_width() for bar in axes[2].patches]
    assert sum(width > 0 for width in widths) == 2  # only 35-64 M and F are shown
    assert any("(non mostrato)" in label.get_text() for label in axes[2].get_yticklabels())
    plt.close(fig)


def test_confronta_reports_the_change_in_flows_between_two_periods(own_store, fixtures, tmp_path):
    from diagnosis.report.compare import comparison_table

    sassuolo = resolve_territory("Sassuolo")
    assert main(["dati", "aggiungi", str(_file(fixtures, "standard")), "--territorio", "Sassuolo"]) == 0
    baseline = compute_indicators(sassuolo, 2023)
    later = tmp_path / "presenze_2025.csv"
    later.write_text("data;presenze\n07/03/2025;600\n08/03/2025;800\n", encoding="utf-8")  # Friday, Saturday
    assert main(["dati", "aggiungi", str(later), "--territorio", "Sassuolo"]) == 0
    current = compute_indicators(sassuolo, 2023)
    table = comparison_table(baseline, current).set_index("indicatore")
    daily = table.loc["presenze_medie_giornaliere"]
    assert daily["tipo"] == "cambiamento"  # another period, not a revision of the same one
    assert daily["variazione_percentuale"] == pytest.approx((700 - 466.67) / 466.67 * 100, abs=0.01)
    assert table.loc["rapporto_sabato_domenica_feriali", "valore_nuovo"] == pytest.approx(800 / 600, abs=0.01)
    assert table.loc["quota_non_residenti", "tipo"] == "non più disponibile"


def test_the_template_reads_clean():
    from diagnosis.config import TEMPLATES_DIR

    found = read_presences(TEMPLATES_DIR / "presenze.csv")
    assert found.problemi == [] and len(found.presenze) == 3 and found.valori_oscurati == 1


def test_other_breakdowns_come_as_shares_with_small_cells_hidden(tmp_path):
    data = tmp_path / "permanenza.csv"
    data.write_text("data;presenze;permanenza;spesa\n01/03/2024;120;meno di 30 minuti;\n01/03/2024;60;30-60 minuti;\n"
                    "01/03/2024;20;oltre 60 minuti;\n01/03/2024;150;;alta\n01/03/2024;4;;bassa\n", encoding="utf-8")
    stay = presenze("Sassuolo", "permanenza", file=data).set_index("permanenza")
    assert stay.loc["30-60 minuti", "quota"] == pytest.approx(60 / 200 * 100)
    spending = presenze("Sassuolo", "spesa", file=data).set_index("spesa")
    assert spending["presenze"].tolist() == [presences.SUPPRESSED, presences.SUPPRESSED]  # 4, and 150 = total - 4
    assert presenze("Sassuolo", "nazionalita", file=data).empty


def test_a_file_with_no_valid_row_is_refused_and_the_store_untouched(own_store, tmp_path, capsys):
    broken = tmp_path / "presenze.csv"
    broken.write_text("data;presenze\n31/02/2024;10\n01/03/2024;dieci\n", encoding="utf-8")
    assert main(["dati", "aggiungi", str(broken), "--territorio", "Sassuolo"]) == 1
    out = capsys.readouterr().out
    assert "Riga 2:" in out and "Riga 3:" in out and "nessuna riga valida" in out
    assert store.entries("presenze") == []
