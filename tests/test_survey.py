"""Survey import: each tool's export recognised, bad rows reported by spreadsheet row, never a crash."""

import pandas as pd
import pytest

from diagnosis.config import TEMPLATES_DIR
from diagnosis.errors import DiagnosisError
from diagnosis.errors import QuestionarioNonValido
from diagnosis.sources.survey import looks_like_survey, read_survey
from diagnosis.sources.survey.layout import standard_layout
from diagnosis.sources.survey.mapping import builtin_mapping
from diagnosis.sources.survey.values import parse_cell

from conftest import FIXTURES

SURVEY = FIXTURES / "survey"

# file, tool, rows left out (spreadsheet numbering, header = 1)
EXPECTED = [
    ("standard.csv", "standard", [7, 11, 18, 25]),
    ("limesurvey.csv", "limesurvey", [7, 11, 17, 24]),
    ("google_forms.csv", "google_forms", [7, 11, 17, 24]),
    ("microsoft_forms.xlsx", "microsoft_forms", [7, 11, 18]),
]
VALID_ROWS = 24
GROUPS = {"residente": 13, "impresa": 6, "associazione": 3, "visitatore": 2}


@pytest.fixture(scope="module", params=EXPECTED, ids=lambda case: case[0])
def imported(request):
    name, tool, bad_rows = request.param
    return read_survey(SURVEY / name), tool, bad_rows


def test_tool_is_detected(imported):
    survey, tool, _ = imported
    assert survey.strumento == tool


def test_valid_rows_and_groups(imported):
    survey, _, bad_rows = imported
    assert len(survey.risposte) == VALID_ROWS
    assert survey.risposte["gruppo"].value_counts().to_dict() == GROUPS
    assert survey.righe_lette == VALID_ROWS + len(bad_rows)


def test_bad_rows_are_reported_with_their_spreadsheet_row(imported):
    survey, _, bad_rows = imported
    assert [p.riga for p in survey.problemi] == bad_rows
    assert survey.righe_scartate == bad_rows
    assert not set(bad_rows) & set(survey.risposte.index)


def test_likert_seven_unknown_group_and_empty_group_are_explained(imported):
    survey, _, bad_rows = imported
    likert, unknown, empty = survey.problemi[:3]
    assert likert.valore == "7"
    assert likert.colonna in ("sicurezza", "G02Q05[SQ003]", "Sicurezza",
                              "Quanto è soddisfatto/a di questi aspetti del centro? [Sicurezza]")
    assert "da 1" in likert.messaggio and "a 5" in likert.messaggio
    assert unknown.valore.casefold() in ("pensionato", "a9")
    assert "residente, impresa, associazione, visitatore" in unknown.messaggio
    assert empty.valore == "" and "obbligatorio" in empty.messaggio


def test_standard_problems_name_the_column_value_and_fix():
    survey = read_survey(SURVEY / "standard.csv")
    seen = [(p.riga, p.colonna, p.valore) for p in survey.problemi]
    assert seen == [(7, "sicurezza", "7"), (11, "gruppo", "pensionato"), (18, "gruppo", ""), (25, "parcheggi", "")]
    assert "9 campi invece di 16" in survey.problemi[3].messaggio
    assert str(survey.problemi[1]).startswith("riga 11, colonna gruppo, valore «pensionato»:")


def test_row_numbers_follow_the_spreadsheet_not_the_text_lines():
    """Row 10 holds a comment with a line break and row 12 is blank: numbering counts rows."""
    survey = read_survey(SURVEY / "standard.csv")
    assert survey.risposte.loc[10, "commenti"] == "Parcheggi cari\ne scomodi"
    assert survey.risposte.loc[13, "id_risposta"] == "S011"
    assert 12 not in survey.risposte.index


def test_likert_values_are_parsed_from_numbers_and_labels():
    standard = read_survey(SURVEY / "standard.csv").risposte
    assert str(standard["offerta_negozi"].dtype) == "Int64"
    assert standard.loc[2, ["offerta_negozi", "servizi", "sicurezza"]].tolist() == [3, 4, 4]
    google = read_survey(SURVEY / "google_forms.csv").risposte
    assert google.loc[5, "sicurezza"] == 5  # "Molto soddisfatto"
    assert google.loc[2, "parcheggi"] == 2  # "Poco soddisfatto"
    assert pd.isna(google.loc[5, "servizi"])  # "Non so": missing, not an error
    microsoft = read_survey(SURVEY / "microsoft_forms.xlsx").risposte
    assert microsoft.loc[2, ["offerta_negozi", "pulizia"]].tolist() == [3, 4]  # "…soddisfatto/a" labels
    limesurvey = read_survey(SURVEY / "limesurvey.csv").risposte
    assert pd.isna(limesurvey.loc[4, "eventi"])  # "N/A"
    assert limesurvey.loc[2, "offerta_negozi"] == 3


def test_category_values_from_each_tool_become_standard_values():
    for name in ("limesurvey.csv", "google_forms.csv", "microsoft_forms.xlsx"):
        risposte = read_survey(SURVEY / name).risposte
        assert risposte.loc[2, ["gruppo", "fascia_eta", "sesso", "frequenza_centro"]].tolist() == [
            "residente", "35-44", "F", "più volte a settimana"], name
    google = read_survey(SURVEY / "google_forms.csv").risposte
    assert (google["fascia_eta"] == "75+").sum() == 1  # "75 e più"
    assert (google["sesso"] == "altro-non indicato").sum() == 1  # "Preferisco non rispondere"


def test_exports_identifying_columns_are_dropped():
    for name in ("google_forms.csv", "microsoft_forms.xlsx", "limesurvey.csv"):
        risposte = read_survey(SURVEY / name).risposte
        assert list(risposte.columns) == standard_layout().names
        assert not risposte.astype(str).apply(lambda c: c.str.contains("@example.it|anonymous")).any().any()


@pytest.mark.parametrize("value, expected", [("4", 4), ("4.0", 4), ("4,0", 4), (" 5 - Molto soddisfatto ", 5),
                                             ("molto soddisfatto", 5), ("Per niente soddisfatto", 1), ("", None),
                                             ("Non so", None)])
def test_likert_cell_parsing(value, expected):
    layout = standard_layout()
    parsed = parse_cell(layout.columns["pulizia"], value, builtin_mapping("google_forms"), layout)
    assert parsed.ok and parsed.value == expected


@pytest.mark.parametrize("value", ["7", "0", "abbastanza", "3,5"])
def test_likert_cell_out_of_scale_is_an_error(value):
    layout = standard_layout()
    parsed = parse_cell(layout.columns["pulizia"], value, builtin_mapping("google_forms"), layout)
    assert not parsed.ok and "Pulizia" in parsed.fix


def test_limesurvey_answer_codes():
    layout = standard_layout()
    mapping = builtin_mapping("limesurvey")
    assert parse_cell(layout.columns["gruppo"], "A3", mapping, layout).value == "associazione"
    assert parse_cell(layout.columns["fascia_eta"], "A7", mapping, layout).value == "75+"
    assert parse_cell(layout.columns["servizi"], "AO02", mapping, layout).value == 2


@pytest.mark.parametrize("header, tool", [
    (["Informazioni cronologiche", "Indirizzo email", "Lei partecipa come:"], "google_forms"),
    (["Timestamp", "Lei partecipa come"], "google_forms"),
    (["ID", "Ora di inizio", "Ora di completamento", "Posta elettronica", "Nome", "Sesso"], "microsoft_forms"),
    (["ID", "Start time", "Completion time", "Email", "Name"], "microsoft_forms"),
    (["id", "submitdate", "lastpage", "startlanguage", "seed", "G01Q01"], "limesurvey"),
    (["\ufeffid_risposta", " Gruppo ", "PARCHEGGI"], "standard"),
    (["id_risposta", "gruppo", "parcheggi", "commenti"], "standard"),
    (["gruppo", "fascia_eta"], None),
    (["Codice comune", "Età", "Totale maschi", "Totale femmine", "Totale"], None),
    ([], None),
])
def test_looks_like_survey(header, tool):
    assert looks_like_survey(header) == tool


def test_standard_csv_in_cp1252_with_commas(tmp_path):
    text = ("id_risposta,gruppo,fascia_eta,sesso,frequenza_centro,offerta_negozi,commenti\n"
            "1,Residente,65-74,F,più volte a settimana,4,Città più viva\n"
            "2,impresa,75 e più,M,Ogni giorno,2,\n")
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode("cp1252"))
    survey = read_survey(path)
    assert survey.strumento == "standard" and not survey.problemi
    assert survey.risposte["frequenza_centro"].tolist() == ["più volte a settimana", "ogni giorno"]
    assert survey.risposte["fascia_eta"].tolist() == ["65-74", "75+"]
    assert survey.risposte.loc[2, "commenti"] == "Città più viva"
    assert survey.colonne_mancanti[:1] == ("servizi",)


def test_template_is_a_valid_standard_file():
    survey = read_survey(TEMPLATES_DIR / "questionario.csv")
    assert survey.strumento == "standard" and not survey.problemi and not survey.colonne_mancanti
    assert 2 <= len(survey.risposte) <= 3


def test_duplicate_id_keeps_the_first_answer():
    text = "id_risposta;gruppo;parcheggi\nA;residente;3\nB;impresa;2\nA;residente;3\n"
    survey = read_survey(text.encode())
    assert survey.risposte["id_risposta"].tolist() == ["A", "B"]
    assert [(p.riga, p.valore) for p in survey.problemi] == [(4, "A")]
    assert "riga 2" in survey.problemi[0].messaggio


def test_user_mapping_for_an_unknown_layout(tmp_path):
    export = tmp_path / "altro_strumento.csv"
    export.write_text("Chi sei?;Quanti anni hai?;Sesso;Qualche domanda [Posti auto];Vuoi aggiungere qualcosa?\n"
                      "Abito qui;Meno di 25 anni;F;Ottimo;Più verde\n"
                      "Ho un negozio;45-54;M;Non saprei;\n"
                      "Sono di passaggio;45-54;M;Buono;\n", encoding="utf-8")
    with pytest.raises(QuestionarioNonValido):
        read_survey(export)
    mapping = tmp_path / "mappatura.yaml"
    mapping.write_text(
        'colonne:\n  gruppo: ["Chi sei?"]\n  fascia_eta: ["Quanti anni hai?"]\n  parcheggi: ["[Posti auto]"]\n'
        '  commenti: ["Vuoi aggiungere qualcosa?"]\n'
        'valori:\n  gruppo:\n    "Abito qui": residente\n    "Ho un negozio": impresa\n'
        '  fascia_eta:\n    "Meno di 25 anni": "15-24"\n'
        '  likert:\n    Ottimo: 5\n    Buono: 4\n    "Non saprei": null\n', encoding="utf-8")
    survey = read_survey(export, mapping=mapping)
    assert survey.strumento == "personalizzato"
    assert survey.risposte["gruppo"].tolist() == ["residente", "impresa"]
    assert survey.risposte["fascia_eta"].tolist() == ["15-24", "45-54"]
    assert survey.risposte.loc[2, "parcheggi"] == 5 and pd.isna(survey.risposte.loc[3, "parcheggi"])
    assert survey.risposte.loc[2, "sesso"] == "F"  # the standard name still works
    assert [(p.riga, p.valore) for p in survey.problemi] == [(4, "Sono di passaggio")]


def test_user_mapping_extends_the_detected_tool(tmp_path):
    mapping = tmp_path / "google_pensionati.yaml"
    mapping.write_text("valori:\n  gruppo:\n    Pensionato: residente\n", encoding="utf-8")
    survey = read_survey(SURVEY / "google_forms.csv", mapping=mapping)
    assert survey.strumento == "google_forms"
    assert len(survey.risposte) == VALID_ROWS + 1
    assert survey.risposte.loc[11, "gruppo"] == "residente"
    assert [p.riga for p in survey.problemi] == [7, 17, 24]


def test_the_guide_example_mapping_is_valid(tmp_path):
    guide = (TEMPLATES_DIR / "questionario_LEGGIMI.md").read_text(encoding="utf-8")
    example = guide.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "mappatura.yaml"
    path.write_text(example, encoding="utf-8")
    export = tmp_path / "google.csv"
    export.write_text("Timestamp,Chi sei?,Quanti anni hai?,Soddisfazione [Posti auto],Vuoi aggiungere qualcosa?\n"
                      "2024,Abito qui,Meno di 25 anni,Pessimo,Nulla\n", encoding="utf-8")
    survey = read_survey(export, mapping=path)
    assert survey.strumento == "google_forms"
    assert survey.risposte.iloc[0][["gruppo", "fascia_eta", "parcheggi"]].tolist() == ["residente", "15-24", 1]


@pytest.mark.parametrize("content, fragment", [
    ("colonne:\n  negozio_preferito: [X]\n", "negozio_preferito"),
    ("valori:\n  gruppo:\n    X: pensionato\n", "pensionato"),
    ("valori:\n  likert:\n    Ottimo: 9\n", "da 1 a 5"),
    ("estende: surveymonkey\n", "surveymonkey"),
    ("colonne: [\n", "YAML"),
])
def test_bad_user_mapping_is_refused_in_italian(tmp_path, content, fragment):
    path = tmp_path / "sbagliata.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QuestionarioNonValido, match=fragment):
        read_survey(SURVEY / "standard.csv", mapping=path)


def test_a_non_survey_file_is_refused_with_cause_and_fix():
    posas = "Codice comune;Età;Totale maschi;Totale femmine\n036040;0;168;160\n".encode()
    with pytest.raises(QuestionarioNonValido) as caught:
        read_survey(posas)
    message = str(caught.value)
    assert isinstance(caught.value, DiagnosisError)
    assert "non è un questionario" in message and "«gruppo»" in message
    assert "mapping=" in message and "questionario_LEGGIMI.md" in message
    assert "«Codice comune»" in message


def test_a_known_tool_with_other_questions_asks_for_a_mapping():
    export = "Informazioni cronologiche,Come ti chiami?\n2024/03/01,Anna\n".encode()
    with pytest.raises(QuestionarioNonValido, match="Google Moduli.*mappatura YAML"):
        read_survey(export)


@pytest.mark.parametrize("content, fragment", [
    (b"", "vuoto"),
    (b"   \n\n", "vuoto"),
    (b"<!DOCTYPE html><html><body>Errore</body></html>", "pagina web"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, ".xls"),
    (b"PK\x03\x04not really a zip", "xlsx"),
    (b"gruppo;commenti\x00\x00\x01", "CSV"),
])
def test_unreadable_files_are_refused(content, fragment):
    with pytest.raises(QuestionarioNonValido, match=fragment):
        read_survey(content)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(QuestionarioNonValido, match="non esiste"):
        read_survey(tmp_path / "assente.csv")


def test_rows_with_only_bad_values_give_an_empty_but_valid_import():
    survey = read_survey("id_risposta;gruppo;parcheggi\n1;;3\n2;nessuno;9\n".encode())
    assert survey.risposte.empty and list(survey.risposte.columns) == standard_layout().names
    assert [p.riga for p in survey.problemi] == [2, 3, 3]
