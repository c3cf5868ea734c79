"""The public API, ``import diagnosis as dg``: tidy tables equal to the fotografia's figures.

Every function is tried on a comune, a district across two provinces and a province; the
numbers are compared with those the layers below compute for the report (``ReportFigures``), and the
examples in the docstrings are run on the embedded data with an empty store.
"""

from __future__ import annotations

import doctest
import importlib
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import diagnosis as dg
from diagnosis.errors import (
    AnnoNonDisponibile,
    DatiNonDisponibili,
    IndicatoreNonValido,
    LivelloNonValido,
    OrizzonteNonValido,
    TerritorioSconosciuto,
)
from diagnosis.indicators import indicator_values
from diagnosis.report import sections
from diagnosis.statuses import STATUSES
from diagnosis.territory import find_comune, resolve_territory
from diagnosis.territory.model import Territorio, comune_territory, parents

from conftest import PROJECT_ROOT
from report_figures import ReportFigures

COMUNE, DISTRICT, PROVINCE = "Pioltello", "citta-distretto-sassuolo", "provincia:MO"
TERRITORIES = (COMUNE, DISTRICT, PROVINCE)
API_MODULES = ("diagnosis.api.territory", "diagnosis.api.demography", "diagnosis.api.income",
               "diagnosis.api.business", "diagnosis.api.indicators", "diagnosis.api.projections",
               "diagnosis.api.commerce", "diagnosis.api.survey", "diagnosis.api.perimeter",
               "diagnosis.api.perimeter_shops")
PROVENANCE_KEYS = {"territorio", "fonte", "stato", "licenza", "edizioni", "comuni_mancanti"}


@pytest.fixture(scope="module")
def report():
    """The fotografia of each territory, computed as the report computes it (once per module)."""
    made = {}

    def of(argument: str) -> ReportFigures:
        if argument not in made:
            made[argument] = ReportFigures.of(argument)
        return made[argument]

    return of


def _same(api_value, report_value) -> bool:
    """Equal numbers, or both missing (NaN in the table, None in the report)."""
    if report_value is None or (isinstance(report_value, float) and math.isnan(report_value)):
        return api_value is None or pd.isna(api_value)
    return api_value == pytest.approx(report_value, abs=1e-9)


def _code_of(name: str) -> str:
    return find_comune(name).codice


def _tidy(frame: pd.DataFrame, keys: list[str]):
    """Long form: the date, status and source columns, one row per key, provenance attached."""
    assert {"anno", "stato", "fonte"} <= set(frame.columns)
    assert not frame.duplicated(subset=keys).any()
    assert PROVENANCE_KEYS <= set(frame.attrs)
    assert frame.attrs["fonte"]
    assert frame["fonte"].astype(bool).all()


# --- the package stays cheap to import --------------------------------------------------------

def test_importing_the_package_loads_neither_the_api_nor_pandas():
    code = "import sys, diagnosis; print('diagnosis.api' in sys.modules, 'pandas' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           cwd=PROJECT_ROOT).stdout.split()
    assert shown == ["False", "False"]


def test_the_package_lists_the_api_and_refuses_other_names():
    import diagnosis.api as api

    assert set(api.__all__) <= set(dir(dg)) and set(api.__all__) <= set(dg.__all__)
    assert dg.popolazione is api.popolazione
    with pytest.raises(AttributeError):
        dg.non_esiste  # noqa: B018


# --- the examples of the docstrings -----------------------------------------------------------

@pytest.fixture(scope="module")
def _empty_folder(tmp_path_factory):
    """One folder for every example, so that the tables it caches are built once."""
    return tmp_path_factory.mktemp("vuoto")


@pytest.fixture
def empty_store(_isolated_environment, _empty_folder, monkeypatch):
    """The embedded data alone: an empty store in a folder of its own."""
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(_empty_folder))
    return _empty_folder


@pytest.mark.parametrize("module", API_MODULES)
def test_the_examples_of_the_docstrings_run(module, empty_store):
    found = doctest.DocTestFinder().find(importlib.import_module(module))
    assert any(test.examples for test in found), f"{module} has no example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report_lines = []
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        for test in found:
            runner.run(test, out=report_lines.append)
    assert runner.failures == 0, "".join(report_lines)


# --- each function on a comune, a district and a province --------------------------------------

@pytest.mark.parametrize("argument", TERRITORIES)
def test_territorio_lists_the_comuni_with_their_area(argument, report):
    table = dg.territorio(argument)
    fotografia = report(argument)
    _tidy(table, ["codice"])
    assert set(table["codice"]) == set(fotografia.territory.comuni)
    assert table["superficie_kmq"].sum() == pytest.approx(fotografia.result["indicatori"]["superficie_kmq"]["valore"],
                                                          abs=0.01)
    assert table.attrs["territorio"]["id"] == fotografia.territory.id
    assert table.attrs["licenza"]


@pytest.mark.parametrize("argument", TERRITORIES)
def test_popolazione_gives_the_residents_of_the_report(argument, report):
    fotografia = report(argument)
    table = dg.popolazione(argument)
    _tidy(table, ["anno", "sesso"])
    assert set(table["stato"]) <= set(STATUSES)
    on_the_day = table[(table["anno"] == fotografia.year)].set_index("sesso")["valore"]
    indicators = fotografia.result["indicatori"]
    assert _same(on_the_day["totale"], indicators["popolazione"]["valore"])
    assert _same(on_the_day["maschi"], indicators["popolazione_maschi"]["valore"])
    assert _same(on_the_day["femmine"], indicators["popolazione_femmine"]["valore"])
    assert table.loc[table["anno"] == fotografia.year, "stato"].iloc[0] == indicators["popolazione"]["stato"]
    assert (table["data"].dt.strftime("%m-%d") == "01-01").all()


@pytest.mark.parametrize("argument", TERRITORIES)
def test_popolazione_per_eta_is_the_pyramid_of_the_report(argument, report):
    ages = report(argument).counts.eta
    table = dg.popolazione(argument, anni=ages.anno, per_eta=True)
    _tidy(table, ["anno", "sesso", "eta"])
    by_sex = table.pivot(index="eta", columns="sesso", values="valore")
    np.testing.assert_array_equal(by_sex["maschi"].to_numpy(), ages.maschi)
    np.testing.assert_array_equal(by_sex["femmine"].to_numpy(), ages.femmine)
    assert set(table["stato"]) == {ages.stato}


@pytest.mark.parametrize("argument", TERRITORIES)
def test_bilancio_gives_the_balance_of_the_report(argument, report):
    balance = report(argument).counts.bilancio
    table = dg.bilancio(argument, anni=balance.anno)
    _tidy(table, ["anno", "variabile"])
    shown = dict(zip(table["variabile"], table["valore"]))
    assert shown.keys() == balance.valori.keys()
    assert all(_same(shown[name], value) for name, value in balance.valori.items())
    assert set(table["stato"]) == {balance.stato}


@pytest.mark.parametrize("argument", TERRITORIES)
def test_stranieri_gives_the_foreign_residents_of_the_report(argument, report):
    fotografia = report(argument)
    foreigners = fotografia.counts.stranieri
    table = dg.stranieri(argument)
    _tidy(table, ["anno", "variabile"])
    row = table[table["anno"] == foreigners.anno].iloc[0]
    assert _same(row["valore"], foreigners.valori["stranieri"])
    residents = fotografia.counts.popolazione_al(foreigners.anno)
    share = fotografia.result["indicatori"]["quota_stranieri"]["valore"]
    assert round(row["valore"] / residents * 100, 2) == pytest.approx(share)


@pytest.mark.parametrize("argument", TERRITORIES)
def test_famiglie_without_a_download_says_which_command_gets_them(argument):
    with pytest.raises(DatiNonDisponibili, match="bilancio_sdmx"):
        dg.famiglie(argument)


@pytest.mark.parametrize("argument", TERRITORIES)
def test_redditi_gives_the_taxpayers_and_income_of_the_report(argument, report):
    fotografia = report(argument)
    income = fotografia.counts.reddito
    table = dg.redditi(argument)
    _tidy(table, ["anno", "variabile"])
    year = table[table["anno"] == income.anno].set_index("variabile")["valore"]
    indicators = fotografia.result["indicatori"]
    assert _same(year["contribuenti"], indicators["contribuenti"]["valore"])
    per_taxpayer = round(year["reddito_imponibile"] / year["contribuenti"], 2)
    assert per_taxpayer == pytest.approx(indicators["reddito_imponibile_per_contribuente"]["valore"])
    classes = {band: year[band] for band in income.classi}
    assert all(_same(classes[band], value) for band, value in income.classi.items())
    assert sorted(table["anno"].unique()) == list(range(2000, 2024))


@pytest.mark.parametrize("argument", TERRITORIES)
def test_imprese_gives_the_units_the_indicators_divide(argument, report):
    fotografia = report(argument)
    table = dg.imprese(argument)
    _tidy(table, ["registro", "gruppo", "variabile"])
    asia = table[(table["registro"] == "asia") & (table["gruppo"] == "totale")].set_index("variabile")["valore"]
    counts = fotografia.counts
    assert _same(asia["unita_locali"], counts.imprese.unita_locali)
    assert _same(asia["addetti"], counts.imprese.addetti)
    frame = table[table["registro"] == "frame"]
    assert all(_same(row.valore, counts.frame.get(row.gruppo, row.variabile)) for row in frame.itertuples())
    units = frame[(frame["gruppo"] == "totale") & (frame["variabile"] == "unita_locali")]["valore"].iloc[0]
    density = units / counts.popolazione_al(counts.frame.anno) * 1000
    indicator = fotografia.result["indicatori"]["unita_locali_frame_per_1000_abitanti"]
    assert round(density, 2) == pytest.approx(indicator["valore"])
    # Without the ATECO detail of a download the commercial groups are unknown, not zero.
    groups = table[(table["registro"] == "asia") & (table["gruppo"] != "totale")]
    assert groups["valore"].isna().all() and set(groups["gruppo"]) == set(table.attrs["gruppi_non_contabili"])


@pytest.mark.parametrize("argument", TERRITORIES)
def test_indicatori_equal_the_report_with_benchmarks_and_ranks(argument, report):
    fotografia = report(argument)
    table = dg.indicatori(argument)
    _tidy(table, ["territorio", "indicatore"])
    own = table[table["territorio"] == fotografia.territory.id].set_index("indicatore")
    entries = fotografia.result["indicatori"]
    assert list(own.index) == list(entries)
    for key, entry in entries.items():
        assert _same(own.loc[key, "valore"], entry["valore"]), key
        assert own.loc[key, "stato"] == entry["stato"] and own.loc[key, "riferimento"] == entry["riferimento"]
        assert own.loc[key, "giudizio"] == entry.get("giudizio")
        if "intervallo" in entry:
            assert [own.loc[key, "basso"], own.loc[key, "alto"]] == entry["intervallo"]
        for parent_id, value in entry["confronti"].items():
            benchmark = table[(table["territorio"] == parent_id) & (table["indicatore"] == key)]
            assert _same(benchmark["valore"].iloc[0], value), (key, parent_id)
        peer_rank = (entry.get("posizione") or {}).get("pari")
        if peer_rank:
            assert own.loc[key, "rango_pari"] == peer_rank["rango"] and own.loc[key, "su_pari"] == peer_rank["su"]


@pytest.mark.parametrize("argument", (COMUNE, DISTRICT))
def test_pari_are_the_peers_of_the_report(argument, report):
    fotografia = report(argument)
    table = dg.pari(argument)
    _tidy(table, ["codice"])
    assert list(table["codice"]) == fotografia.result["pari"]["comuni"]
    assert table.attrs["criteri"] == fotografia.result["pari"]["criteri"]
    assert not set(table["codice"]) & set(fotografia.territory.comuni)
    assert table["popolazione"].notna().all()


def test_a_province_has_no_peers():
    with pytest.raises(LivelloNonValido, match="comune o un distretto"):
        dg.pari(PROVINCE)


@pytest.mark.parametrize("argument", TERRITORIES)
def test_proiezioni_are_the_projection_of_the_report(argument, report):
    fotografia = report(argument)
    table = dg.proiezioni(argument)
    _tidy(table, ["misura", "anno"])
    projected = table[table["stato"] == "proiezione"]
    for measure, records in fotografia.projection["proiezioni"].items():
        rows = projected[projected["misura"] == measure]
        assert list(rows["anno"]) == [record["anno"] for record in records]
        assert list(rows["valore"]) == [record["valore"] for record in records]
        assert list(rows["alto_95"]) == [record["alto_95"] for record in records]
    start = table[(table["misura"] == "popolazione") & (table["stato"] != "proiezione")].iloc[0]
    assert start["anno"] == fotografia.year and start["stato"] == fotografia.projection["base"]["stato"]


@pytest.mark.parametrize("argument", TERRITORIES)
@pytest.mark.parametrize("indicator", ("popolazione", "indice_vecchiaia", "quota_redditi_oltre_55000"))
def test_serie_holds_the_value_of_the_fotografia_on_its_date(argument, indicator, report):
    fotografia = report(argument)
    table = dg.serie(argument, indicator)
    _tidy(table, ["anno"])
    entry = fotografia.result["indicatori"][indicator]
    row = table[table["riferimento"] == entry["riferimento"]].iloc[0]
    assert _same(row["valore"], entry["valore"])
    if "intervallo" in entry:
        assert [row["basso"], row["alto"]] == entry["intervallo"]
    assert row["stato"] == entry["stato"]


def test_serie_of_the_population_is_the_long_series_of_the_projection_chart(report):
    fotografia = report(COMUNE)
    table = dg.serie(COMUNE, "popolazione")
    assert dict(zip(table["anno"], table["valore"])) == fotografia.observed_population()


@pytest.mark.parametrize("argument", (COMUNE, DISTRICT))
def test_indicatori_name_every_benchmark(argument, report):
    fotografia = report(argument)
    table = dg.indicatori(argument)
    names = table.drop_duplicates("territorio").set_index("territorio")["nome"].to_dict()
    assert names == {fotografia.territory.id: fotografia.territory.nome} | {
        parent.id: parent.nome for parent in parents(fotografia.territory)}
    own = table[table["territorio"] == fotografia.territory.id]
    assert set(own["confronto"]) == {fotografia.benchmark.id}


def test_indicatori_per_comune_are_those_of_each_comune(report):
    fotografia = report(DISTRICT)
    table = dg.indicatori(DISTRICT, per_comune=True)
    assert set(table["territorio"]) == set(fotografia.territory.comuni) and set(table["livello"]) == {"comune"}
    density = table[table["indicatore"] == "densita"].set_index("territorio")["valore"]
    for code in fotografia.territory.comuni:
        assert _same(density[code], indicator_values(comune_territory(code), fotografia.year)["densita"])


def test_popolazione_per_comune_are_the_residents_of_the_territory_table(report):
    fotografia = report(DISTRICT)
    table = dg.popolazione(DISTRICT, anni=fotografia.year, per_comune=True)
    totals = table[table["sesso"] == "totale"].set_index("codice")["valore"]
    assert totals.to_dict() == fotografia.populations()
    assert set(table["nome"]) == {find_comune(code).nome for code in fotografia.territory.comuni}
    whole = dg.popolazione(DISTRICT, anni=fotografia.year)
    assert totals.sum() == whole.loc[whole["sesso"] == "totale", "valore"].iloc[0]


def test_a_region_by_age_is_its_comuni_present_as_for_the_benchmarks(report):
    fotografia = report(DISTRICT)  # the district's closest benchmark is its region
    ages = fotografia.benchmark_counts.eta
    table = dg.popolazione(fotografia.benchmark.id, anni=ages.anno, per_eta=True)
    by_sex = table.pivot(index="eta", columns="sesso", values="valore")
    np.testing.assert_array_equal(by_sex["maschi"].to_numpy(), ages.maschi)
    np.testing.assert_array_equal(by_sex["femmine"].to_numpy(), ages.femmine)
    assert table.attrs["comuni_mancanti"] == {str(ages.anno): list(ages.mancanti)} == {str(ages.anno): ["099030", "099031"]}
    assert table.attrs["somme_parziali"] == [str(ages.anno)]
    # Two of Rimini's 27 comuni are beyond the tolerance: the province's ages stay missing, named.
    province = dg.popolazione("provincia:RN", anni=ages.anno, per_eta=True)
    assert province["valore"].isna().all() and province.attrs["somme_parziali"] == []
    assert province.attrs["comuni_mancanti"] == {str(ages.anno): ["099030", "099031"]}


@pytest.mark.parametrize("argument", (COMUNE, DISTRICT))
def test_the_report_sentences_come_from_the_indicators_table(argument, report):
    fotografia = report(argument)
    table = dg.indicatori(argument)
    entries = fotografia.result["indicatori"]
    ranked = sections.by_distance(table)
    assert list(ranked["distanza"]) == sorted(ranked["distanza"], reverse=True)
    assert all(entries[key]["frase"] == sentence for key, sentence in ranked["frase"].items())
    assert all(entries[key]["confronti"][fotografia.benchmark.id] is not None for key in ranked.index)
    gaps = sections.data_gaps(table, "analista")
    assert set(gaps["Nota"]) == {entry["nota"] for entry in entries.values() if entry.get("nota")}
    swot = sections.strengths_and_weaknesses(table, dg.desertificazione(argument))
    favourable = {entry["frase"] for entry in entries.values() if entry.get("giudizio") == "favorevole"}
    assert set(swot.loc[swot["tipo"] == sections.STRENGTHS, "frase"]) <= favourable
    assert sections.cover(table).count(fotografia.territory.nome) == 1


# --- territories and errors --------------------------------------------------------------------

def test_a_territorio_object_is_taken_as_it_is():
    territory = resolve_territory(DISTRICT)
    assert dg.popolazione(territory, anni=2025).equals(dg.popolazione(DISTRICT, anni=2025))


@pytest.mark.parametrize("call", [
    lambda: dg.popolazione("Atlantide"),
    lambda: dg.indicatori("provincia:ZZ"),
    lambda: dg.redditi("distretto-che-non-esiste"),
])
def test_an_unknown_territory_is_refused_with_a_suggestion(call):
    with pytest.raises(TerritorioSconosciuto):
        call()


def test_a_year_not_held_names_the_years_there_are_and_the_command():
    with pytest.raises(AnnoNonDisponibile) as error:
        dg.popolazione(COMUNE, anni=1990, per_eta=True)
    message = str(error.value)
    assert "1990" in message and "2022, 2023" in message and "--fonte posas --anni 1990" in message
    with pytest.raises(AnnoNonDisponibile, match="--fonte mef_irpef --anni 2024"):
        dg.redditi(COMUNE, anni=[2023, 2024])


def test_an_unknown_indicator_or_one_without_a_series_is_refused():
    with pytest.raises(IndicatoreNonValido, match="indice_vecchiaia"):
        dg.serie(COMUNE, "vecchiaia")
    with pytest.raises(IndicatoreNonValido, match="serie annuale"):
        dg.serie(COMUNE, "negozi_osm")


def test_a_horizon_beyond_the_model_is_refused():
    with pytest.raises(OrizzonteNonValido):
        dg.proiezioni(COMUNE, orizzonte=30)


# --- missing is not zero -----------------------------------------------------------------------

def test_a_comune_missing_from_a_sum_leaves_it_missing_and_is_named():
    lacking = find_comune("Misiliscemi").codice  # no age table in the embedded data
    territory = Territorio(id="prova", nome="Prova", livello="distretto", comuni=(_code_of(COMUNE), lacking))
    table = dg.popolazione(territory, anni=2023, per_eta=True)
    assert table["valore"].isna().all()
    assert table.attrs["comuni_mancanti"] == {"2023": [lacking]}
    totals = dg.popolazione(territory, anni=2023)
    assert totals.loc[totals["sesso"] == "totale", "valore"].notna().all()


def test_a_class_the_mef_leaves_blank_stays_missing():
    table = dg.redditi(COMUNE, anni=2022).set_index("variabile")["valore"]
    blank = "reddito_complessivo_minore_o_uguale_a_zero_euro_frequenza"
    assert np.isnan(table[blank])
    assert table.drop(blank).notna().all()


# --- against the published files ---------------------------------------------------------------

@pytest.mark.real_data
def test_pioltello_taxpayers_of_2023_are_those_of_the_mef_file(real_data):
    published = pd.read_csv(real_data / "mef_irpef" / "Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_2023.csv",
                            sep=";", dtype=str, encoding="latin-1")
    row = published[published["Codice Istat Comune"].str.zfill(6) == _code_of(COMUNE)].iloc[0]
    table = dg.redditi(COMUNE, anni=2023).set_index("variabile")["valore"]
    assert table["contribuenti"] == float(row["Numero contribuenti"]) == 26_428
    assert table["reddito_imponibile"] == float(row["Reddito imponibile - Ammontare in euro"])
