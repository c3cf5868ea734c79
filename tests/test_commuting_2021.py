"""The 2021 work commuting matrix: read, imported, and preferred for work while study stays 2011.

The fixture ``matrix_pendoLAVORO_2021_estratto.txt`` has the published layout (tab-separated,
header ``Prov_res Procom_res Prov_lav Procom_lav Pendolari``, 6-digit comune codes). By hand:

    Sassuolo → Sassuolo 150, → Fiorano 45, → Modena 35, → Scandiano 10
    Fiorano  → Sassuolo 30,  → Fiorano 25
    Modena   → Sassuolo 70
    Reggio E.→ Sassuolo 20,  → Scandiano 12

Comune Sassuolo: residents 240, stay 150, leave 90, arrive 120 (70 + 30 + 20).
District (Sassuolo, Fiorano, Formigine, Maranello, Casalgrande, Scandiano): residents 295,
stay 260 (150 + 45 + 10 + 30 + 25), leave 35, arrive 102 (70 + 20 + 12).
Province of Modena: residents 365, leave 10 (to Scandiano), arrive 20 (from Reggio).
The 2011 fixture (``test_commuting``) gives Sassuolo's study: 50 residents, all staying.
"""

import zipfile

import pytest
import responses

from diagnosis import store
from diagnosis.cli import main
from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.intake.importing import add_file
from diagnosis.intake.recognise import recognise
from diagnosis.report import open_flows
from diagnosis.sources.catalog import source_facts
from diagnosis.sources.istat_pendolarismo_lavoro import parse_work_matrix

SASSUOLO = ("036040",)
DISTRICT = ("036040", "036013", "036015", "036019", "035012", "035040")


@pytest.fixture
def work_bytes(fixtures) -> bytes:
    return (fixtures / "pendolarismo" / "matrix_pendoLAVORO_2021_estratto.txt").read_bytes()


@pytest.fixture
def work_zip(tmp_path, work_bytes):
    """The matrix as ISTAT ships it: the text at the root of the ZIP."""
    path = tmp_path / "scaricato.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("matrix_pendoLAVORO_2021.txt", work_bytes)
    return path


@pytest.fixture
def census_zip(tmp_path, fixtures):
    path = tmp_path / "matrici_pendolarismo_2011.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(fixtures / "pendolarismo" / "matrix_pendo2011_estratto.txt",
                      "MATRICE PENDOLARISMO 2011/matrix_pendo2011_10112014.txt")
    return path


@pytest.fixture
def both_held(tmp_path, monkeypatch, work_zip, census_zip):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    add_file(census_zip)
    add_file(work_zip)


def test_lines_are_read_with_their_zeros(work_bytes):
    flows = parse_work_matrix(work_bytes)
    assert len(flows) == 9
    assert flows.iloc[1].tolist() == ["036040", "036013", 45.0]
    assert flows["individui"].sum() == 397


def test_the_published_zip_is_recognised_whatever_its_name(work_zip):
    found = recognise(work_zip)
    assert (found.dataset, found.years, found.status) == ("pendolarismo_lavoro", (2021,), "definitivo")
    assert found.member == "matrix_pendoLAVORO_2021.txt"
    assert parse_work_matrix(work_zip.read_bytes())["individui"].sum() == 397


@pytest.mark.parametrize(("old", "new", "message"), [
    (b"036\t036023\t036\t036040\t70", b"036\t36023\t036\t036040\t70", r"Riga 8 .*Procom_res vale '36023'.*6 cifre"),
    (b"036\t036013\t036\t036013\t25", b"036\t036013\t036\t036013\t25,5", r"Riga 7 .*Pendolari vale '25,5'"),
    (b"035\t035033\t035\t035040\t12", b"035\t035033\t035040\t12", r"Riga 10 .*mancano campi"),
    (b"036\t036040\t036\t036013\t45", b"036\t036040\t036\t036013\t45\t1", r"Riga 3 .*più di 5 campi"),
])
def test_a_bad_line_is_refused_with_its_number(work_bytes, old, new, message):
    with pytest.raises(FormatoNonRiconosciuto, match=message):
        parse_work_matrix(work_bytes.replace(old, new, 1))


def test_a_refused_file_leaves_the_store_untouched(tmp_path, monkeypatch, work_bytes):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    bad = tmp_path / "matrix_pendoLAVORO_2021.txt"
    bad.write_bytes(work_bytes.replace(b"\t150\n", b"\tND\n", 1))
    with pytest.raises(Exception, match="Riga 2"):
        add_file(bad)
    assert store.entries("pendolarismo_lavoro") == []


def test_work_comes_from_2021_and_study_from_2011(both_held):
    import diagnosis as dg

    table = dg.pendolarismo("Sassuolo")
    own = table[table["territorio"] == SASSUOLO[0]]
    work = own[own["motivo"] == "lavoro"].set_index("variabile")
    assert set(work["anno"]) == {2021} and set(work["fonte"]) == {source_facts("istat-pendolarismo-lavoro")["nome"]
                                                                   + ", ISTAT"}
    assert [work["valore"][v] for v in ("pendolari_residenti", "restano", "escono", "entrano", "saldo")] == [
        240, 150, 90, 120, 30]
    assert work["valore"]["autocontenimento"] == pytest.approx(150 / 240)
    assert work["valore"]["autosufficienza"] == pytest.approx(150 / 270)
    study = own[own["motivo"] == "studio"].set_index("variabile")
    assert set(study["anno"]) == {2011} and study["valore"]["pendolari_residenti"] == 50
    # A total would add 2021 work to 2011 study: there is none.
    assert "totale" not in set(table["motivo"])
    assert table.attrs["anni_censimento"] == {"lavoro": 2021, "studio": 2011}


def test_the_district_and_its_province_from_2021(both_held):
    import diagnosis as dg

    table = dg.pendolarismo("citta-distretto-sassuolo")
    work = table[table["motivo"] == "lavoro"].set_index(["territorio", "variabile"])["valore"]
    district = "citta-distretto-sassuolo"
    assert [work[district, v] for v in ("pendolari_residenti", "restano", "escono", "entrano")] == [295, 260, 35, 102]
    assert work[district, "autocontenimento"] == pytest.approx(260 / 295)
    assert work[district, "autosufficienza"] == pytest.approx(260 / 362)
    assert [work["provincia:MO", v] for v in ("pendolari_residenti", "escono", "entrano")] == [365, 10, 20]


def test_main_comuni_for_work_from_2021(both_held):
    import diagnosis as dg

    flows = dg.pendolarismo_flussi("Sassuolo", n=3)
    work = flows[flows["motivo"] == "lavoro"]
    going = work[work["verso"] == "destinazione"]
    assert going["comune"].tolist() == ["Fiorano Modenese", "Modena", "Scandiano"]
    assert going["quota"].tolist() == pytest.approx([45 / 90, 35 / 90, 10 / 90])
    came = work[work["verso"] == "origine"]
    assert came["comune"].tolist() == ["Modena", "Fiorano Modenese", "Reggio nell'Emilia"]
    assert came["individui"].tolist() == [70, 30, 20]
    assert set(work["anno"]) == {2021}
    assert flows[flows["motivo"] == "studio"].empty  # Sassuolo's students all stay, and none arrive
    district = dg.pendolarismo_flussi("citta-distretto-sassuolo")
    study = district[district["motivo"] == "studio"]
    assert study[["verso", "codice", "individui", "anno"]].values.tolist() == [["origine", "035033", 15.0, 2011]]


def test_modes_stay_from_the_2011_sample(both_held):
    import diagnosis as dg

    modes = dg.pendolarismo_mezzi("Sassuolo")
    assert set(modes["anno"]) == {2011} and modes["individui"].sum() == pytest.approx(260.0)


def test_indicators_json_gives_each_reason_its_census(both_held):
    from diagnosis.commands.indicatori import open_flows_json
    from diagnosis.tables import measures
    from diagnosis.territory import resolve_territory

    found = open_flows_json(resolve_territory("citta-distretto-sassuolo"), measures.default_year())["pendolarismo"]
    assert found["anno"] == 2021
    assert {motivo: part["anno"] for motivo, part in found["motivi"].items()} == {"studio": 2011, "lavoro": 2021}
    district = found["territori"]["citta-distretto-sassuolo"]
    assert district["lavoro"]["restano"] == 260 and district["studio"]["entrano"] == 15


def test_the_section_text_names_the_census_of_each_reason(both_held):
    import diagnosis as dg

    table = dg.pendolarismo("Sassuolo")
    text = open_flows.commuting_intro(table)
    assert "lavoro viene dal censimento permanente 2021" in text and "almeno tre giorni a settimana" in text
    assert "studio viene dal censimento 2011" in text
    assert [motivo for motivo, _ in open_flows.commuting_parts(table)] == ["lavoro", "studio"]
    assert open_flows.years_in_brief(table) == "lavoro 2021, studio 2011"


def test_with_only_2021_held_work_stands_alone(tmp_path, monkeypatch, work_zip):
    import diagnosis as dg

    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    add_file(work_zip)
    table = dg.pendolarismo("Sassuolo", confronti=False)
    assert set(table["motivo"]) == {"lavoro"} and set(table["anno"]) == {2021}
    assert "censimento 2011" not in open_flows.commuting_intro(table)


@responses.activate
def test_the_national_file_is_downloaded_and_stored(online_store, work_zip, capsys):
    url = source_facts("istat-pendolarismo-lavoro")["url"]
    responses.get(url, body=work_zip.read_bytes())
    assert main(["dati", "scarica", "--fonte", "pendolarismo_lavoro"]) == 0
    [entry] = store.entries("pendolarismo_lavoro")
    assert (entry["filename"], entry["years"], entry["source"]) == ("matrix_pendoLAVORO_2021.zip", [2021], url)


def test_dati_stato_says_what_the_2021_matrix_feeds(both_held):
    from diagnosis.intake.usage import usage

    [entry] = store.entries("pendolarismo_lavoro")
    use = usage(store.entries())[("pendolarismo_lavoro", entry["filename"])]
    assert use.in_use(2021) and "censimento permanente 2021" in use.what_it_feeds(2021)
