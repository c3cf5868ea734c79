"""Old codes resolve to today's comune once ISTAT's list of abolished comuni is in the store."""

import logging

import pytest

from diagnosis import store
from diagnosis.errors import TerritorioSconosciuto
from diagnosis.territory import find_comune

# Same layout as ISTAT's "Elenco comuni soppressi": ISO-8859-1, ";", five trailing empty
# columns. The codes below are invented, with successors that exist in the registry.
SOPPRESSI = (
    "Anno;Sigla Automobilistica;Codice Unità territoriale sovracomunale (Uts);Codice Comune;"
    "Denominazione Comune;Comune soppresso per scorporo;Data evento;Codice del Comune associato alla variazione;"
    "Denominazione Comune associato alla variazione;Codice Unità territoriale sovracomunale associato alla variazione;"
    "Sigla Automobilistica associata alla variazione;;;;;\r\n"
    "2019;MI;015;015901;Borgo Vecchio;;01/01/2019;015175;Pioltello;015;MI;;;;;\r\n"
    "2016;MI;015;015902;Prima Frazione;;01/01/2016;015901;Borgo Vecchio;015;MI;;;;;\r\n"
    "2018;MO;036;036901;Località Già;;15/02/2018;036040;Sassuolo;036;MO;;;;;\r\n"
).encode("iso-8859-1")


@pytest.fixture
def history_in_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "elenco (1).csv"
    path.write_bytes(SOPPRESSI)
    entry = store.add_file(path)
    assert entry["dataset"] == "comuni_soppressi"
    return entry


def test_old_code_resolves_to_successor_with_notice(history_in_store, caplog):
    with caplog.at_level(logging.INFO, logger="diagnosis"):
        found = find_comune("036901")
    assert found.codice == "036040"
    assert "036901" in caplog.text and "Sassuolo" in caplog.text


def test_chains_are_followed(history_in_store):
    assert find_comune("015902").codice == "015175"


def test_without_the_list_an_old_code_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "vuoto"))
    with pytest.raises(TerritorioSconosciuto, match="Elenco-comuni-soppressi"):
        find_comune("036901")
