"""The comuni registry and how users name territories."""

import logging

import pytest

from diagnosis.errors import TerritorioAmbiguo, TerritorioSconosciuto
from diagnosis.territory import find_comune, registry, resolve_territory, search
from diagnosis.territory.model import parents
from diagnosis.text import normalise_label


def test_registry_holds_the_comuni_of_today_with_string_codes():
    table = registry.comuni()
    assert len(table) == 7896  # the comuni on 1 January 2026
    assert table["codice"].str.fullmatch(r"\d{6}").all()
    assert table["codice"].is_unique
    assert table["provincia_codice"].str.fullmatch(r"\d{3}").all()
    assert table["regione_codice"].nunique() == 20
    # 110 provinces and equivalent bodies: Sardinia's eight of 2026 (112-119) instead of its five
    assert table["provincia_sigla"].nunique() == 110
    assert set(table.loc[table["regione_codice"] == "20", "provincia_sigla"]) == {
        "SS", "OT", "NU", "OR", "OG", "VS", "CA", "CI"}
    # comuni born of the mergers of 2023-2024 are there, their predecessors are not
    assert {"012144", "013256", "024128"} <= set(table["codice"]) and "012009" not in set(table["codice"])


def test_registry_row_of_sassuolo():
    row = registry.comuni().set_index("codice").loc["036040"]
    assert row["nome"] == "Sassuolo"
    assert row["codice_catastale"] == "I462"
    assert (row["provincia_sigla"], row["provincia_nome"]) == ("MO", "Modena")
    assert (row["regione_codice"], row["regione_nome"]) == ("08", "Emilia-Romagna")
    # the official ISTAT area of 1/1/2025 ("Classificazioni statistiche e dimensione dei comuni")
    assert row["superficie_kmq"] == pytest.approx(38.4033)


def test_every_comune_has_an_area_and_italy_adds_up():
    areas = registry.comuni()["superficie_kmq"]
    assert areas.notna().all() and (areas > 0).all()
    assert areas.sum() == pytest.approx(302_068, rel=0.001)  # Italy's official area


def test_numeric_code_is_padded_and_announced(caplog):
    with caplog.at_level(logging.INFO, logger="diagnosis"):
        found = find_comune(15175)
    assert found.codice == "015175" and found.nome == "Pioltello"
    assert "015175" in caplog.text


def test_cadastral_code_and_forgiving_names():
    assert find_comune("G686").codice == "015175"
    assert find_comune("sant angelo lodigiano").nome == "Sant'Angelo Lodigiano"
    assert find_comune("SANT'ANGELO LODIGIANO").codice == find_comune("Sant’Angelo Lodigiano").codice
    assert find_comune("Fiorano modenese").codice == "036013"
    assert find_comune("bolzano").nome == "Bolzano/Bozen"


def test_ambiguous_name_lists_candidates_with_province():
    with pytest.raises(TerritorioAmbiguo) as error:
        find_comune("Castro")
    message = str(error.value)
    assert "Castro (BG)" in message and "Castro (LE)" in message
    assert {c.provincia_sigla for c in error.value.candidates} == {"BG", "LE"}


def test_province_in_brackets_disambiguates():
    assert find_comune("Castro (LE)").codice == "075096"


def test_misspelt_name_suggests_the_nearest():
    with pytest.raises(TerritorioSconosciuto, match=r"Pioltello \(MI\)"):
        find_comune("Pioltelo")


def test_unknown_code_says_how_to_search():
    with pytest.raises(TerritorioSconosciuto, match="diagnosis territori cerca"):
        find_comune("999999")


def test_search_returns_partial_matches():
    names = {c.nome for c in search("sassuol")}
    assert "Sassuolo" in names
    assert search("") == []


def test_names_are_compared_without_accents_and_apostrophes():
    assert normalise_label("Cefalù") == "cefalu"
    assert normalise_label("  Sant'Angelo   Lodigiano ") == "sant angelo lodigiano"


def test_provinces_regions_and_italy_are_territories():
    modena = resolve_territory("provincia:MO")
    assert modena.livello == "provincia" and len(modena.comuni) == 47
    assert resolve_territory("provincia:036").id == "provincia:MO"
    emilia = resolve_territory("regione:08")
    assert emilia.nome == "Regione Emilia-Romagna"
    assert resolve_territory("regione:emilia-romagna").id == "regione:08"
    italia = resolve_territory("italia")
    assert len(italia.comuni) == len(registry.comuni())


def test_unknown_province_lists_valid_ones():
    with pytest.raises(TerritorioSconosciuto, match="provincia:MO"):
        resolve_territory("provincia:ZZ")


def test_parents_of_a_comune_and_of_a_two_province_district():
    assert [p.id for p in parents(resolve_territory("Pioltello"))] == ["provincia:MI", "regione:03", "italia"]
    district = resolve_territory("citta-distretto-sassuolo")
    assert [p.id for p in parents(district)] == ["provincia:RE", "provincia:MO", "regione:08", "italia"]
    assert parents(resolve_territory("italia")) == []
