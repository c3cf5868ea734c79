"""The commercial and listening sections of the fotografia when the store holds ASIA, OSM and the
analyst's files; the API's commerce tables equal the figures the report computes."""

import html
import re

import pytest
import responses

import diagnosis as dg
from diagnosis import http
from diagnosis.cli import main
from diagnosis.indicators import compute_indicators
from diagnosis.report.fotografia import build_fotografia
from diagnosis.sources import istat_sdmx, overpass
from diagnosis.tables import analyst, local_units, osm_points
from diagnosis.tables.measures import default_year
from diagnosis.territory import resolve_territory

from test_local_units import asia_body, asia_structure, codes_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def commerce_store(tmp_path_factory):
    """A store with ASIA by activity and OpenStreetMap for Sassuolo and its peers, the analyst's
    register, vacancy survey and listening survey."""
    data = tmp_path_factory.mktemp("data")
    fixtures = __import__("conftest").FIXTURES
    with pytest.MonkeyPatch.context() as patch, responses.RequestsMock() as mocked:
        patch.setenv("DIAGNOSIS_DATA_DIR", str(data))
        patch.setenv("DIAGNOSIS_OFFLINE", "0")
        patch.setattr(http, "HOST_INTERVALS", {})
        patch.setattr(http, "DEFAULT_INTERVAL", 0.0)
        http.reset_sessions()
        pattern = re.compile(re.escape(istat_sdmx.data_url("183_1163_DF_DICA_ASIAULP_TERRIFDATA_3", "")) + ".*")
        mocked.add_callback(responses.GET, pattern, callback=lambda r: (200, {}, asia_body(codes_in(r.url))))
        mocked.get(istat_sdmx.structure_url("183_1163"), body=asia_structure())
        mocked.post(overpass.OVERPASS_URL, body=(fixtures / "overpass" / "list_036040.json").read_bytes())
        assert main(["dati", "scarica", "--fonte", "asia_ul", "--territorio", "Sassuolo", "--anni", "2022-2023"]) == 0
        assert main(["dati", "scarica", "--fonte", "osm", "--territorio", "Sassuolo"]) == 0
        analyst_files = [str(fixtures / "analyst" / n) for n in ("registro_pulito.csv", "sfitti_puliti.csv")]
        analyst_files.append(str(fixtures / "survey" / "google_forms.csv"))
        assert main(["dati", "aggiungi", *analyst_files, "--territorio", "Sassuolo"]) == 0
        http.reset_sessions()
    return data


@pytest.fixture
def in_store(commerce_store, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(commerce_store))
    return commerce_store


@pytest.fixture(scope="module")
def commerce_report(commerce_store, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIAGNOSIS_DATA_DIR", str(commerce_store))
        patch.setenv("DIAGNOSIS_OFFLINE", "1")
        # the default year: the peers downloaded with the units are those of today
        files = build_fotografia(resolve_territory("Sassuolo"), output_dir=tmp_path_factory.mktemp("out"))
    return files.html.read_text(encoding="utf-8")


def test_every_commercial_part_is_shown_with_its_source(commerce_report):
    page = commerce_report
    assert 'id="commercio"' in page
    for text in ("Densità commerciale per gruppo", "Specializzazione commerciale rispetto a",
                 "Categorie mancanti", "negozi, pubblici esercizi e locali sfitti",
                 "Le attività più presenti", "Ristoranti e attività di ristorazione mobile",
                 "Aperture e chiusure per anno", "negozi attivi e locali sfitti rilevati", "ISTAT, ASIA unità locali delle imprese attive 2023",
                 "OpenStreetMap (dati OSM del 2026-11-20)", "Rilevazione dell'analista (registro dei negozi, importato"):
        assert text in html.unescape(page), text  # as the reader sees it: an apostrophe may be written &#x27;
    assert "Unità locali ISTAT (ASIA) non disponibili" not in page


def test_commercial_tables_carry_their_csv(commerce_report):
    for name in ("densita_commerciale.csv", "attivita_ateco.csv", "osm_per_gruppo.csv", "composizione_commerciale.csv", "categorie_mancanti.csv",
                 "aperture_chiusure.csv"):
        assert f'download="{name}"' in commerce_report, name


def test_an_imported_survey_adds_the_listening_section(commerce_report):
    assert 'id="ascolto"' in commerce_report and "Ascolto del territorio" in commerce_report
    assert "<script>alert(1)</script>" not in commerce_report


def test_synthesis_suggests_strengths_weaknesses_and_what_to_attract(commerce_report):
    page = commerce_report
    assert "Punti di forza" in page and "Punti di debolezza" in page
    assert 'id="lacune"' in page and "diagnosis dati" not in page  # the client's edition: no commands


# --- the API's commerce tables are the report's figures ------------------------------------------

SASSUOLO = "036040"


def _commerce_summary() -> dict:
    return compute_indicators(resolve_territory("Sassuolo"), default_year())["commercio"]


def test_commercio_is_the_mix_the_report_analyses(in_store):
    table = dg.commercio("Sassuolo")
    summary = _commerce_summary()
    shares = table[table["variabile"] == "quota"].set_index("gruppo")["valore"]
    assert shares.to_dict() == summary["quote"]
    quotients = table[table["variabile"] == "quoziente_localizzazione"]
    assert set(quotients["confronto"]) == set(summary["quozienti_localizzazione"])
    for (benchmark, group), value in quotients.set_index(["confronto", "gruppo"])["valore"].items():
        assert value == pytest.approx(summary["quozienti_localizzazione"][benchmark][group])
    assert set(quotients["nome_confronto"]) <= {"Provincia di Modena", "Regione Emilia-Romagna", "Italia"}
    gaps = table[table["confronto"] == "pari"].pivot(index="gruppo", columns="variabile", values="valore")
    for row in summary["categorie_mancanti"]:
        assert gaps.loc[row["gruppo"], "attese"] == row["attese"] and gaps.loc[row["gruppo"], "scarto"] == row["scarto"]
    assert set(table["anno"]) == {summary["anno_asia"]}


def test_desertificazione_lists_the_signals_of_the_report(in_store):
    assert list(dg.desertificazione("Sassuolo")["testo"]) == [s["testo"] for s in _commerce_summary()["segnali_desertificazione"]]


def test_imprese_per_ateco_are_the_activities_downloaded(in_store):
    table = dg.imprese("Sassuolo", per_ateco=True)
    units = table[table["variabile"] == "unita_locali"].set_index("gruppo")["valore"]
    expected = local_units.by_code([SASSUOLO], default_year()).set_index("ateco")["unita_locali"]
    assert units.to_dict() == expected.to_dict() and list(units.index) == list(expected.index)
    assert table.attrs["comuni_mancanti"] == {}


def test_osm_counts_per_group_are_the_report_counts(in_store):
    places = dg.osm("Sassuolo")
    totals = osm_points.totals([SASSUOLO])
    active = places.loc[places["stato"] == "attivo", "gruppi"].explode().dropna().value_counts()
    assert active.to_dict() == totals.attivi_per_gruppo
    assert (places["stato"] == "sfitto").sum() == totals.sfitti
    assert places.attrs["comuni_mancanti"] == {} and set(places["fonte"]) == {totals.fonte}
    district = dg.osm("citta-distretto-sassuolo")
    assert len(district) == len(places) and SASSUOLO not in district.attrs["comuni_mancanti"]["osm"]


def test_the_analyst_survey_tables_are_its_figures(in_store):
    figures = analyst.figures(SASSUOLO)
    movements = dg.aperture_chiusure("Sassuolo").set_index("anno")
    assert {year: {"aperture": row.aperture, "chiusure": row.chiusure, "saldo": row.saldo}
            for year, row in movements.iterrows()} == figures["aperture_chiusure"]
    surveyed = dg.rilevazione("Sassuolo")
    points = analyst.points(SASSUOLO)
    assert list(surveyed["stato"]) == list(points["stato"]) and list(surveyed["lat"]) == list(points["lat"])
    assert surveyed.attrs["note"] == figures["note"] and set(surveyed["fonte"]) == {figures["fonte"]}
