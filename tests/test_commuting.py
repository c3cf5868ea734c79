"""The ISTAT commuting matrix: its fixed-width records read, imported by hand, and a
territory's stay, leave and arrive counts checked by hand on a small matrix.

The fixture ``matrix_pendo2011_estratto.txt`` follows the published record layout (see
``sources/istat_pendolarismo``): 61 characters a line, two blanks before the sex, zero-padded
counts. Its census (``S``) records, by hand:

    Sassuolo → Sassuolo      lavoro 100 + 80, studio 50
    Sassuolo → Fiorano       lavoro 40   (inside the Sassuolo district)
    Sassuolo → Modena        lavoro 30
    Sassuolo → abroad        lavoro 5
    Fiorano  → Sassuolo      lavoro 25   (inside the district)
    Fiorano  → Fiorano       lavoro 20
    Modena   → Sassuolo      lavoro 60
    Reggio E.→ Scandiano     studio 15

Comune Sassuolo: residents commuting 305, stay 230, leave 75, arrive 85.
District (Sassuolo, Fiorano, Formigine, Maranello, Casalgrande, Scandiano): residents 350,
stay 315, leave 35, arrive 75.
"""

import io
import zipfile

import pytest
import responses

from diagnosis import store
from diagnosis.cli import main
from diagnosis.errors import DatiNonDisponibili, FileNonRiconosciuto, FormatoNonRiconosciuto
from diagnosis.indicators import commuting
from diagnosis.intake.importing import add_file
from diagnosis.intake.recognise import recognise
from diagnosis.sources.istat_pendolarismo import parse_matrix
from diagnosis.sources.catalog import source_facts
from diagnosis.tables import commuting as commuting_table

DISTRICT = ("036040", "036013", "036015", "036019", "035012", "035040")
SASSUOLO = ("036040",)


@pytest.fixture
def matrix_bytes(fixtures) -> bytes:
    return (fixtures / "pendolarismo" / "matrix_pendo2011_estratto.txt").read_bytes()


@pytest.fixture
def published_zip(tmp_path, matrix_bytes):
    """The matrix as ISTAT ships it: a folder in the ZIP, the text beside a layout note."""
    path = tmp_path / "download (2).zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("MATRICE PENDOLARISMO 2011/Tracciato record.txt", "Tracciato record della matrice\n")
        archive.writestr("MATRICE PENDOLARISMO 2011/matrix_pendo2011_10112014.txt", matrix_bytes)
    return path


@pytest.fixture
def stored_matrix(tmp_path, monkeypatch, published_zip):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    add_file(published_zip)
    return commuting_table.matrix().flussi


def test_records_are_read_field_by_field(matrix_bytes):
    records = parse_matrix(matrix_bytes)
    assert len(records) == 15
    first = records.iloc[0]
    assert (first["tipo_record"], first["origine"], first["destinazione"], first["motivo"], first["luogo"]) == (
        "S", "036040", "036040", "lavoro", "stesso comune")
    abroad = records[records["luogo"] == "estero"].iloc[0]
    assert (abroad["destinazione"], abroad["stato_estero"], abroad["individui"]) == ("", "215", 5.0)
    sample = records[records["tipo_record"] == "L"]
    assert sample["mezzo"].notna().all() and records.loc[records["tipo_record"] == "S", "mezzo"].isna().all()
    assert sample["individui"].tolist() == [22.5, 7.5, 60.0, 150.0, 80.0]
    assert records.loc[records["tipo_record"] == "S", "individui"].sum() == 425


def test_a_record_as_published_is_recognised_and_read():
    # Two records copied from the published file: two blanks before the sex, the estimate
    # zero-padded, the census count "ND" in a sample record.
    published = (b"L 1 001 001  1 1 1 001 001 000 04 2 1 0000005.00         ND  \n"
                 b"L 1 001 001  1 1 1 001 001 000 05 1 3 0000001.00         ND  \n")
    assert recognise(published, name="matrix.txt").dataset == "pendolarismo"
    first = parse_matrix(published).iloc[0]
    assert (first["origine"], first["destinazione"], first["sesso"], first["motivo"]) == ("001001", "001001", "M", "studio")
    assert (first["mezzo"], first["orario"], first["durata"], first["individui"]) == ("autobus urbano, filobus", "2", "1", 5.0)


def test_the_published_zip_is_recognised_whatever_its_name(published_zip):
    found = recognise(published_zip)
    assert (found.dataset, found.years, found.status) == ("pendolarismo", (2011,), "definitivo")
    assert found.member.endswith("matrix_pendo2011_10112014.txt")


def test_a_record_with_an_unknown_type_is_refused_with_its_line(matrix_bytes):
    lines = matrix_bytes.split(b"\r\n")
    lines[2] = b"X" + lines[2][1:]
    with pytest.raises(FormatoNonRiconosciuto, match="Riga 3.*tipo record 'X'"):
        parse_matrix(b"\r\n".join(lines))


def test_a_truncated_last_record_is_refused(matrix_bytes):
    cut = matrix_bytes.rstrip()[:-14]
    with pytest.raises(FormatoNonRiconosciuto, match="pendolarismo"):
        parse_matrix(cut)


def test_a_code_of_the_wrong_width_is_refused(matrix_bytes):
    broken = matrix_bytes.replace(b"S 1 036 040  1 2 2 036 013", b"S 1 036 040  1 2 2 36 0013", 1)
    with pytest.raises(FormatoNonRiconosciuto, match="codice di 3 cifre"):
        parse_matrix(broken)


def test_a_zip_without_the_matrix_is_not_recognised(tmp_path):
    path = tmp_path / "altro.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("leggimi.txt", "nessun record\nqui\n")
    with pytest.raises(FileNonRiconosciuto):
        recognise(path)


def test_a_refused_file_leaves_the_store_untouched(tmp_path, monkeypatch, matrix_bytes):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    bad = tmp_path / "matrix.txt"
    bad.write_bytes(matrix_bytes.replace(b" 2 036 023 000 07", b" 2 036 023 000 77", 1))
    with pytest.raises(Exception, match="tracciato record"):
        add_file(bad)
    assert store.entries("pendolarismo") == []


def test_without_the_matrix_the_message_names_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "vuoto"))
    with pytest.raises(DatiNonDisponibili, match="diagnosis dati scarica --fonte pendolarismo"):
        commuting_table.matrix()


def test_a_comune_counts_its_neighbours_as_outside(stored_matrix):
    found = commuting.counts(stored_matrix, SASSUOLO)
    assert (found.pendolari_residenti, found.restano, found.escono, found.entrano) == (305, 230, 75, 85)
    assert found.autocontenimento == pytest.approx(230 / 305)
    assert found.autosufficienza == pytest.approx(230 / 315)
    assert found.saldo == 10


def test_a_flow_between_two_comuni_of_a_district_is_internal(stored_matrix):
    found = commuting.counts(stored_matrix, DISTRICT)
    assert (found.pendolari_residenti, found.restano, found.escono, found.entrano) == (350, 315, 35, 75)
    assert found.autocontenimento == pytest.approx(0.9)
    assert found.autosufficienza == pytest.approx(315 / 390)


def test_counts_by_reason_add_up(stored_matrix):
    total, study, work = (commuting.counts(stored_matrix, DISTRICT, motivo) for motivo in ("totale", "studio", "lavoro"))
    assert (study.pendolari_residenti, study.restano, study.entrano) == (50, 50, 15)
    assert work.pendolari_residenti + study.pendolari_residenti == total.pendolari_residenti


def test_main_destinations_and_origins(stored_matrix):
    out = commuting.main_destinations(stored_matrix, SASSUOLO)
    assert out["codice"].tolist() == ["036013", "036023", "estero"]
    assert out["quota"].tolist() == pytest.approx([40 / 75, 30 / 75, 5 / 75])
    came = commuting.main_origins(stored_matrix, DISTRICT)
    assert came["codice"].tolist() == ["036023", "035033"]
    assert came["individui"].tolist() == [60, 15]


def test_mode_shares_are_estimates_of_residents_only(stored_matrix):
    modes = commuting.mode_shares(stored_matrix, SASSUOLO)
    # Residents of Sassuolo in the sample: car 22.5 + 80, train 7.5, on foot 150 (Modena's 60 excluded).
    assert modes.set_index("mezzo")["individui"].to_dict() == {
        "a piedi": 150.0, "auto privata (conducente)": 102.5, "treno": 7.5}
    assert modes["quota"].sum() == pytest.approx(1.0)


def test_api_gives_the_territory_then_its_benchmarks(stored_matrix):
    import diagnosis as dg

    table = dg.pendolarismo("citta-distretto-sassuolo")
    own = table[(table["territorio"] == "citta-distretto-sassuolo") & (table["motivo"] == "totale")]
    assert own.set_index("variabile")["valore"]["autocontenimento"] == pytest.approx(0.9)
    assert set(table["livello"]) == {"distretto", "provincia", "regione"}
    modena = table[(table["territorio"] == "provincia:MO") & (table["motivo"] == "totale")].set_index("variabile")
    # Province of Modena: Sassuolo 305 + Fiorano 45 + Modena 60 residents; only the 5 abroad leave.
    assert modena["valore"]["pendolari_residenti"] == 410
    assert modena["valore"]["escono"] == 5
    assert table.attrs["anni_censimento"] == {"totale": 2011, "lavoro": 2011, "studio": 2011}


def test_api_names_the_main_comuni(stored_matrix):
    import diagnosis as dg

    flows = dg.pendolarismo_flussi("Sassuolo", n=2)
    going = flows[flows["verso"] == "destinazione"]
    assert going["comune"].tolist() == ["Fiorano Modenese", "Modena"]
    assert flows[flows["verso"] == "origine"]["comune"].tolist() == ["Modena", "Fiorano Modenese"]


def test_a_file_without_records_is_no_matrix():
    with pytest.raises(FormatoNonRiconosciuto):
        parse_matrix(io.BytesIO(b"").getvalue())


def test_indicators_json_carries_the_figures_under_clear_keys(stored_matrix):
    from diagnosis.commands.indicatori import open_flows_json
    from diagnosis.tables import measures
    from diagnosis.territory import resolve_territory

    found = open_flows_json(resolve_territory("citta-distretto-sassuolo"), measures.default_year())
    commuting_part = found["pendolarismo"]
    district = commuting_part["territori"]["citta-distretto-sassuolo"]
    assert commuting_part["disponibile"] and commuting_part["anno"] == 2011
    assert district["autocontenimento"] == pytest.approx(0.9) and district["studio"]["entrano"] == 15
    assert found["turismo"]["disponibile"] is False
    assert "--fonte capacita_ricettiva" in found["turismo"]["nota"]


def test_dati_stato_says_what_the_matrix_feeds(stored_matrix):
    from diagnosis.intake.usage import usage

    [entry] = store.entries("pendolarismo")
    found = usage(store.entries())
    use = found[("pendolarismo", entry["filename"])]
    assert use.in_use(2011) and "pendolarismo" in use.what_it_feeds(2011)


@responses.activate
def test_the_national_file_is_downloaded_read_whole_and_stored(online_store, published_zip, capsys):
    url = source_facts("istat-pendolarismo")["url"]
    responses.get(url, body=published_zip.read_bytes())
    assert main(["dati", "scarica", "--fonte", "pendolarismo"]) == 0
    [entry] = store.entries("pendolarismo")
    assert (entry["filename"], entry["years"], entry["source"]) == ("matrici_pendolarismo_2011.zip", [2011], url)


@responses.activate
def test_a_page_served_instead_of_the_matrix_stores_nothing(online_store, capsys):
    responses.get(source_facts("istat-pendolarismo")["url"], body=b"<!DOCTYPE html><html>Pagina non trovata</html>")
    assert main(["dati", "scarica", "--fonte", "pendolarismo"]) == 1
    assert store.entries("pendolarismo") == []
    assert "non scaricato" in capsys.readouterr().out


def test_a_batch_sums_the_held_matrix_before_its_workers_start(stored_matrix):
    from diagnosis.batch.preload import preload  # the batch's reading before the fork
    from diagnosis.tables import measures  # as above
    from diagnosis.territory.model import comune_territory  # as above

    commuting_table._flows.cache_clear()
    preload(measures.default_year(), comune_territory(SASSUOLO[0]))
    assert commuting_table._flows.cache_info().currsize == 1  # summed once, inherited by every worker
