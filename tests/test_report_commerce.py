"""The commercial and listening sections of the fotografia when the store holds ASIA, OSM and the analyst's files."""

import re

import pytest
import responses

from diagnosis import http
from diagnosis.cli import main
from diagnosis.report.fotografia import build_fotografia
from diagnosis.sources import istat_sdmx, overpass
from diagnosis.territory import resolve_territory

from test_local_units import asia_body, asia_structure, codes_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def commerce_report(tmp_path_factory):
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
        analyst = [str(fixtures / "analyst" / n) for n in ("registro_pulito.csv", "sfitti_puliti.csv")]
        analyst.append(str(fixtures / "survey" / "google_forms.csv"))
        assert main(["dati", "aggiungi", *analyst, "--territorio", "Sassuolo"]) == 0
        patch.setenv("DIAGNOSIS_OFFLINE", "1")
        # the default year: the peers downloaded with the units are those of today
        files = build_fotografia(resolve_territory("Sassuolo"), output_dir=tmp_path_factory.mktemp("out"))
        http.reset_sessions()
    return files.html.read_text(encoding="utf-8")


def test_every_commercial_part_is_shown_with_its_source(commerce_report):
    page = commerce_report
    assert 'id="commercio"' in page
    for text in ("Densità commerciale per gruppo", "Specializzazione commerciale rispetto a",
                 "Categorie mancanti", "negozi, pubblici esercizi e locali sfitti",
                 "Le attività più presenti", "Ristoranti e attività di ristorazione mobile",
                 "Aperture e chiusure per anno", "negozi attivi e locali sfitti rilevati", "ISTAT, ASIA unità locali delle imprese attive 2023",
                 "OpenStreetMap (dati OSM del 2026-11-20)", "Rilevazione dell'analista (registro dei negozi, importato"):
        assert text in page, text
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
    assert "Dati mancanti" in page and "diagnosis dati scarica --fonte bilancio_sdmx" in page
