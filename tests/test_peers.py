"""Peer comuni: deterministic, documented criteria; the territory's position."""

import pytest

from diagnosis.indicators import compute_indicators
from diagnosis.indicators.peers import MIN_PEERS, _position, density_class, select_peers
from diagnosis.indicators.compute import indicator_values
from diagnosis.intake import importing
from diagnosis.territory import registry, resolve_territory


def test_peers_of_a_comune_are_similar_deterministic_and_recorded():
    pioltello = resolve_territory("Pioltello")
    values = indicator_values(pioltello, 2023)
    first, second = select_peers(pioltello, values, 2023), select_peers(pioltello, values, 2023)
    assert first == second
    assert len(first["comuni"]) >= MIN_PEERS and "015175" not in first["comuni"]
    criteria = first["criteri"]
    assert criteria["ambito"] == "Lombardia"
    sizes = {code: indicator_values(resolve_territory(code), 2023)["popolazione"] for code in first["comuni"]}
    assert all(criteria["popolazione_da"] <= size <= criteria["popolazione_a"] for size in sizes.values())
    regions = registry.comuni().set_index("codice").loc[first["comuni"], "regione_nome"]
    assert set(regions) == {"Lombardia"}


def test_small_comune_widens_the_search_and_district_excludes_its_members():
    morterone = resolve_territory("Morterone")
    peers = select_peers(morterone, indicator_values(morterone, 2023), 2023)
    assert len(peers["comuni"]) >= MIN_PEERS
    district = resolve_territory("citta-distretto-sassuolo")
    district_peers = select_peers(district, indicator_values(district, 2023), 2023)
    assert not set(district_peers["comuni"]) & set(district.comuni)


def test_provinces_have_no_peers_and_json_carries_positions():
    modena = resolve_territory("provincia:MO")
    assert select_peers(modena, indicator_values(modena, 2023), 2023) is None
    result = compute_indicators(resolve_territory("Pioltello"), 2023)
    assert set(result["pari"]) == {"criteri", "comuni"}
    position = result["indicatori"]["indice_vecchiaia"]["posizione"]
    assert position["provincia"]["su"] == 133  # the comuni of the Città metropolitana di Milano
    assert 1 <= position["pari"]["rango"] <= position["pari"]["su"]


def test_position_rank_and_percentile_by_hand():
    assert _position(5, [1, 9, 3, 7]) == {"rango": 3, "su": 5, "percentile": 50.0}
    assert _position(10, [1, 2]) == {"rango": 1, "su": 3, "percentile": 100.0}
    assert _position(None, [1]) is None and _position(1, [None]) is None


def test_density_classes():
    assert [density_class(d) for d in (10, 150, 499.9, 500, 2000)] == [0, 1, 1, 2, 2]
    assert density_class(None) is None


def classifications_xlsx(path, zone_of, degree_of):
    """A workbook with the header of ISTAT's "Classificazioni statistiche" and every comune."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Comuni 01-01-2026"
    sheet.append(["Codice Regione", "Codice Istat del Comune \n(alfanumerico)", "Codice Istat del Comune \n(numerico)",
                  "Denominazione (Italiana e straniera)", "Denominazione altra lingua",
                  "Superficie territoriale (kmq) al 01/01/2025", "Popolazione legale 2021 (31/12/2021)",
                  "Popolazione residente al 31/12/2024", "Zona altimetrica", "Altitudine del centro (metri)",
                  "Comune litoraneo", "Comune isolano", "Zone costiere 2021", "Grado di urbanizzazione 2021"])
    for row in registry.comuni().itertuples():
        sheet.append([row.regione_codice, row.codice, int(row.codice), row.nome, None, row.superficie_kmq, 1000, 1000,
                      str(zone_of(row.codice)), 100, 0, 0, 0, degree_of(row.codice)])
    book.save(path)


def test_imported_classifications_refine_the_peers(tmp_path, monkeypatch):
    from diagnosis.tables.classifications import classes

    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    # invented classes: the province of Milano in the plain, the rest in the hills; every eleventh comune a city
    zone_of = lambda code: 5 if code.startswith("015") else 3  # noqa: E731
    degree_of = lambda code: 1 if int(code) % 11 == 0 else 2  # noqa: E731
    classifications_xlsx(tmp_path / "classificazioni.xlsx", zone_of, degree_of)
    assert importing.add_file(tmp_path / "classificazioni.xlsx")["dataset"] == "classificazioni_comuni"
    assert classes().loc["015175", "zona_altimetrica"] == 5
    pioltello = resolve_territory("Pioltello")  # 015175: province of Milano → plain, not a multiple of 11
    peers = select_peers(pioltello, indicator_values(pioltello, 2023), 2023)
    assert peers["criteri"]["zona_altimetrica"] == "pianura"
    assert peers["criteri"]["grado_urbanizzazione"] == "piccole città e sobborghi"
    assert all(code.startswith("015") and int(code) % 11 != 0 for code in peers["comuni"])
    assert "classificazioni statistiche ISTAT" in peers["criteri"]["nota"]


@pytest.mark.real_data
def test_real_classifications_give_peers_of_the_same_zone_and_degree(tmp_path, monkeypatch, real_data):
    import pandas as pd

    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    path = real_data / "istat_codes" / "Classificazioni statistiche-e-dimensione-dei-comuni_01_01_2026.xlsx"
    assert importing.add_file(path)["dataset"] == "classificazioni_comuni"
    sheet = pd.read_excel(path, sheet_name=0, dtype=str)
    code_column = next(c for c in sheet.columns if c.startswith("Codice Istat del Comune") and "alfanumerico" in c)
    facts = sheet.set_index(code_column)
    sassuolo = resolve_territory("Sassuolo")
    peers = select_peers(sassuolo, indicator_values(sassuolo, 2023), 2023)
    degree = facts.loc["036040", "Grado di urbanizzazione 2021"]
    assert all(facts.loc[code, "Grado di urbanizzazione 2021"] == degree for code in peers["comuni"])
    assert len(peers["comuni"]) >= MIN_PEERS
