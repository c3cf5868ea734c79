"""Old codes resolve to today's comune once ISTAT's list of abolished comuni is in the store."""

import logging

import pandas as pd
import pytest

from diagnosis.errors import TerritorioSconosciuto
from diagnosis.intake import importing
from diagnosis.territory import find_comune

# Same layout as ISTAT's "Elenco comuni soppressi": ISO-8859-1, ";", five trailing empty
# columns. The codes below are invented, with successors that exist in the registry.
SOPPRESSI = (
    "Anno;Sigla Automobilistica;Codice Unità territoriale sovracomunale (Uts);Codice Comune;"
    "Denominazione Comune;Comune soppresso per scorporo;Data evento;Codice del Comune associato alla variazione;"
    "Denominazione Comune associato alla variazione;Codice Unità territoriale sovracomunale associato alla variazione;"
    "Sigla Automobilistica associata alla variazione;;;;;\r\n"
    "2019;MI;015;015990;Borgo Vecchio;;01/01/2019;015175;Pioltello;015;MI;;;;;\r\n"
    "2016;MI;015;015992;Prima Frazione;;01/01/2016;015990;Borgo Vecchio;015;MI;;;;;\r\n"
    "2018;MO;036;036901;Località Già;;15/02/2018;036040;Sassuolo;036;MO;;;;;\r\n"
).encode("iso-8859-1")


@pytest.fixture
def history_in_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "elenco (1).csv"
    path.write_bytes(SOPPRESSI)
    entry = importing.add_file(path)
    assert entry["dataset"] == "comuni_soppressi"
    return entry


def test_old_code_resolves_to_successor_with_notice(history_in_store, caplog):
    with caplog.at_level(logging.INFO, logger="diagnosis"):
        found = find_comune("036901")
    assert found.codice == "036040"
    assert "036901" in caplog.text and "Sassuolo" in caplog.text


def test_chains_are_followed(history_in_store):
    assert find_comune("015992").codice == "015175"


def test_an_unknown_code_says_how_to_search(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "vuoto"))
    with pytest.raises(TerritorioSconosciuto, match="territori cerca"):
        find_comune("036901")


def test_codes_of_merged_comuni_resolve_without_any_list_in_the_store(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "vuoto"))
    with caplog.at_level(logging.INFO, logger="diagnosis"):
        # Bardello, merged on 1/1/2023 into Bardello con Malgesso e Bregano (VA)
        assert find_comune("012009").codice == "012144"
    assert "012009" in caplog.text and "012144" in caplog.text


VARIAZIONI = (
    "Anno;Tipo variazione;Codice Regione;Codice Istat del Comune;Denominazione Comune;"
    "Codice Istat del Comune associato alla variazione o nuovo codice Istat del Comune;"
    "Denominazione Comune associata alla variazione o nuova denominazione;Provvedimento e Documento;"
    "Contenuto del provvedimento;Data decorrenza validità amministrativa\r\n"
    '2017;ES;05;025903;Vecchia Valle;025072;Alpago;L.R. 12/2016;"Estinzione del comune\r\n'
    'per fusione";01/01/2017\r\n'
    "2017;AQES;05;025072;Alpago;025903;Vecchia Valle;L.R. 12/2016;Acquisizione;01/01/2017\r\n"
    "2018;CD;05;025072;Alpago;025072;Alpago (BL);L.R. 1/2018;Cambio di denominazione;01/02/2018\r\n"
).encode("iso-8859-1")

SARDEGNA = ("Codice Comune;Denominazione;Codice Comune precedente\r\n"
            "112001;Alghero;090003\r\n112002;Alà dei Sardi;090001\r\n113001;Arbus;111001\r\n").encode("latin-1")


def test_variazioni_extinctions_lead_to_the_absorbing_comune(tmp_path, monkeypatch):
    from diagnosis.sources import istat_codes

    rows = istat_codes.parse_variazioni(VARIAZIONI)
    assert rows[["codice_vecchio", "codice_nuovo", "motivo"]].values.tolist() == [["025903", "025072", "estinzione"]]
    assert rows["data"].iloc[0] == pd.Timestamp("2017-01-01")
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "variazioni.csv").write_bytes(VARIAZIONI)
    assert importing.add_file(tmp_path / "variazioni.csv")["dataset"] == "variazioni_comuni"
    assert find_comune("025903").codice == "025072"


def test_the_sardinian_codes_of_2026_and_the_old_ones_lead_to_the_same_comune(tmp_path, monkeypatch, caplog):
    from diagnosis.territory.history import steps

    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    assert find_comune("112001").nome == "Alghero"
    with caplog.at_level("INFO", logger="diagnosis"):
        assert find_comune("090003").codice == "112001"
    assert "090003" in caplog.text and "ricodifica" in caplog.text
    recodings = steps()[(steps()["codice_nuovo"] == "112001") & steps()["motivo"].str.startswith("ricodifica")]
    assert recodings["codice_vecchio"].tolist() == ["090003"]
