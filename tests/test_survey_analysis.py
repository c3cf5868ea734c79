"""Survey analysis: weights, tables, privacy rules, charts, the report block and the notebook."""

import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from diagnosis.config import NOTEBOOKS_DIR
from diagnosis.sources.survey import read_survey
from diagnosis.models.survey import analysis
from diagnosis.viz.survey import _diverging_starts, likert_diverging, needs_bar
from diagnosis.models.survey.needs import normalise_need
from diagnosis.models.survey.population import population_frame, reference_population
from diagnosis.models.survey.privacy import (
    SUPPRESSED,
    anonymous_comments,
    ensure_publishable,
    hidden_cells,
    masked_counts,
)
from diagnosis.report.survey import survey_section
from diagnosis.models.survey.weighting import (
    POST_STRATIFICATION,
    RAKING,
    compute_weights,
    kish_design_effect,
    population_by_cell,
)
from diagnosis.models.survey.words import stopwords, tokens

from conftest import FIXTURES

SURVEY = FIXTURES / "survey"
NOTEBOOK = NOTEBOOKS_DIR / "ascolto.ipynb"
COMMENTS_IN_FIXTURE = ("Servono panchine e bagni pubblici", "Spazi per le associazioni", "Bello passeggiare")


@pytest.fixture(scope="module")
def standard():
    return read_survey(SURVEY / "standard.csv")


@pytest.fixture(scope="module")
def sassuolo():
    return reference_population("Sassuolo (MO)", 2023)


def _population(cells: dict[tuple[int, str], int]) -> pd.DataFrame:
    """Single-year population with the given (age, sex) counts and zero elsewhere."""
    rows = [(age, sex, cells.get((age, sex), 0)) for age in range(101) for sex in ("M", "F")]
    return pd.DataFrame(rows, columns=["eta", "sesso", "popolazione"])


# Adults only at 20 and 40 years, so two bands: shares 15-24 M .1, F .1; 35-44 M .2, F .6.
# The 1,000 children must not count.
HAND_POPULATION = _population({(20, "M"): 100, (20, "F"): 100, (40, "M"): 200, (40, "F"): 600, (5, "M"): 1000})


def _sample(cells: list[tuple[str | None, str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(cells, columns=["fascia_eta", "sesso"])
    frame.index = range(2, len(frame) + 2)
    return frame


def test_population_is_aggregated_to_the_survey_bands_from_age_15():
    cells = population_by_cell(HAND_POPULATION)
    assert cells[("15-24", "M")] == 100 and cells[("35-44", "F")] == 600
    assert cells.sum() == 1000
    assert cells[("75+", "F")] == 0
    older = population_by_cell(_population({(14, "F"): 9, (15, "F"): 1, (74, "M"): 2, (75, "M"): 3, (100, "M"): 4}))
    assert older[("15-24", "F")] == 1 and older[("65-74", "M")] == 2 and older[("75+", "M")] == 7


def test_post_stratification_on_a_hand_computed_example():
    # 10 classified: 15-24 M ×4, 15-24 F ×1, 35-44 M ×2, 35-44 F ×3; then "altro" sex and a missing age.
    sample = _sample([("15-24", "M")] * 4 + [("15-24", "F")] + [("35-44", "M")] * 2 + [("35-44", "F")] * 3
                     + [("35-44", "altro-non indicato"), (None, "F")])
    weighting = compute_weights(sample, HAND_POPULATION)
    assert weighting.metodo == POST_STRATIFICATION
    # w = population share / sample share: .1/.4, .1/.1, .2/.2, .6/.3; the two others keep 1
    expected = [0.25] * 4 + [1.0] + [1.0] * 2 + [2.0] * 3 + [1.0, 1.0]
    assert weighting.pesi.tolist() == pytest.approx(expected)
    assert weighting.pesi.mean() == pytest.approx(1.0)
    # Kish: n Σw² / (Σw)² = 12 × 17.25 / 144
    assert weighting.effetto_disegno == pytest.approx(1.4375)
    assert weighting.campione_effettivo == pytest.approx(144 / 17.25)
    table = weighting.confronto.set_index(["fascia_eta", "sesso"])
    for cell, share in {("15-24", "M"): 10, ("15-24", "F"): 10, ("35-44", "M"): 20, ("35-44", "F"): 60}.items():
        assert table.loc[cell, "quota_popolazione"] == pytest.approx(share)
        assert table.loc[cell, "quota_ponderata"] == pytest.approx(share)
    assert any("peso relativo 1" in note for note in weighting.avvisi)


def test_design_effect_by_hand():
    assert kish_design_effect([1, 1, 2, 2]) == pytest.approx(40 / 36)
    assert kish_design_effect([3, 3, 3]) == pytest.approx(1.0)


def test_raking_when_a_cell_is_empty_reproduces_both_margins():
    sample = _sample([("15-24", "M")] * 4 + [("35-44", "M")] * 2 + [("35-44", "F")] * 4)
    weighting = compute_weights(sample, HAND_POPULATION)
    assert weighting.metodo == RAKING
    weights = weighting.pesi
    assert weights[sample["fascia_eta"] == "15-24"].sum() / weights.sum() == pytest.approx(0.2)
    assert weights[sample["sesso"] == "M"].sum() / weights.sum() == pytest.approx(0.3)
    # the only consistent solution: 15-24 M .2, 35-44 M .1, 35-44 F .7 of the total
    assert weights[sample["sesso"] == "F"].sum() / weights.sum() == pytest.approx(0.7)
    assert weights.mean() == pytest.approx(1.0)
    assert any("raking" in note for note in weighting.avvisi)


def test_weights_on_the_fixture_match_sassuolo_age_and_sex_margins(standard, sassuolo):
    weighting = compute_weights(standard.risposte, sassuolo.popolazione)
    risposte = standard.risposte
    classified = risposte["sesso"].isin(["M", "F"]) & risposte["fascia_eta"].notna()
    weights = weighting.pesi[classified]
    target = population_by_cell(sassuolo.popolazione)
    for band, share in (target.groupby(level="fascia_eta").sum() / target.sum()).items():
        assert weights[risposte["fascia_eta"] == band].sum() / weights.sum() == pytest.approx(share, abs=1e-6)
    male = target.xs("M", level="sesso").sum() / target.sum()
    assert weights[risposte["sesso"] == "M"].sum() / weights.sum() == pytest.approx(male, abs=1e-6)
    assert weighting.pesi[~classified].tolist() == pytest.approx([weighting.pesi[~classified].iloc[0]])
    assert 1 < weighting.effetto_disegno < 3


def test_population_frame_from_territory_counts(sassuolo):
    frame = sassuolo.popolazione
    assert list(frame.columns) == ["eta", "sesso", "popolazione"]
    assert len(frame) == 202 and set(frame["sesso"]) == {"M", "F"}
    assert frame["popolazione"].sum() == 40736  # Sassuolo, 1 January 2023

    class Counts:
        maschi = np.array([1, 2, 3])
        femmine = np.array([4, 5, 6])

    assert population_frame(Counts()).query("sesso == 'F'")["popolazione"].tolist() == [4, 5, 6]


def test_respondents_per_group_hide_small_groups(standard):
    table = analysis.respondents_per_group(standard.risposte).set_index("gruppo")
    assert table.loc["Residenti", "risposte"] == 13 and table.loc["Imprese", "risposte"] == 6
    assert table.loc["Residenti", "quota"] == pytest.approx(13 / 24 * 100)
    assert table.loc["Associazioni", "risposte"] == SUPPRESSED  # 3 respondents
    assert table.loc["Visitatori", "quota"] == SUPPRESSED  # 2 respondents
    assert "3" not in table.astype(str).loc["Associazioni"].tolist()


def test_a_single_small_group_hides_a_second_one():
    risposte = pd.DataFrame({"gruppo": ["residente"] * 10 + ["impresa"] * 7 + ["associazione"] * 3
                             + ["visitatore"] * 6})
    table = analysis.respondents_per_group(risposte).set_index("gruppo")["risposte"]
    # with the total known, 3 would be 26 - 10 - 7 - 6: the smallest other group is hidden too
    assert table.to_dict() == {"Residenti": 10, "Imprese": 7, "Associazioni": SUPPRESSED, "Visitatori": SUPPRESSED}


def test_crosstab_complementary_suppression():
    counts = pd.DataFrame({"a": [10, 8, 12], "b": [7, 2, 9], "c": [6, 9, 11]}, index=["x", "y", "z"])
    hidden = hidden_cells(counts)
    assert hidden.loc["y", "b"]
    assert (hidden.sum(axis=1) != 1).all() and (hidden.sum(axis=0) != 1).all()
    # y·b is small; y·a (8) is the smallest left in row y, x·b (7) in column b, then x·a (10) in column a
    assert {(row, column) for row in counts.index for column in counts.columns if hidden.loc[row, column]} == {
        ("y", "b"), ("y", "a"), ("x", "b"), ("x", "a")}
    shown = masked_counts(counts)
    assert shown.loc["z", "c"] == 11 and shown.loc["x", "c"] == 6 and shown.loc["y", "b"] == SUPPRESSED


def test_likert_distribution_unweighted_and_weighted(standard, sassuolo):
    weighting = compute_weights(standard.risposte, sassuolo.popolazione)
    table = analysis.likert_distribution(standard.risposte, weighting.pesi).set_index("colonna")
    parking = table.loc["parcheggi"]
    # parcheggi in the 24 valid rows: six 1s, fourteen 2s, four 3s
    assert parking["risposte"] == 24
    assert [parking[f"quota_{k}"] for k in range(1, 6)] == pytest.approx([25.0, 58.333333, 16.666667, 0, 0])
    assert parking["media"] == pytest.approx((6 * 1 + 14 * 2 + 4 * 3) / 24)
    assert sum(parking[f"quota_ponderata_{k}"] for k in range(1, 6)) == pytest.approx(100)
    values = standard.risposte["parcheggi"].astype(float)
    assert parking["media_ponderata"] == pytest.approx(np.average(values, weights=weighting.pesi))
    assert parking["media_ponderata"] != pytest.approx(parking["media"], abs=1e-6)


def test_likert_item_with_few_answers_is_hidden():
    risposte = read_survey("id_risposta;gruppo;pulizia;eventi\n1;residente;4;\n2;residente;5;\n3;impresa;3;\n"
                           "4;impresa;2;1\n5;residente;4;\n".encode()).risposte
    table = analysis.likert_distribution(risposte).set_index("colonna")
    assert table.loc["pulizia", "media"] == pytest.approx(3.6)
    assert table.loc["eventi", "risposte"] == SUPPRESSED and table.loc["eventi", "media"] == SUPPRESSED


def test_weighting_effect_table(standard, sassuolo):
    weighting = compute_weights(standard.risposte, sassuolo.popolazione)
    effect = analysis.weighting_effect(standard.risposte, weighting.pesi).set_index("colonna")
    assert effect.loc["sicurezza", "media_non_ponderata"] == pytest.approx(95 / 24)
    assert effect.loc["sicurezza", "differenza"] == pytest.approx(
        effect.loc["sicurezza", "media_ponderata"] - 95 / 24)


@pytest.mark.parametrize("text, need", [
    ("Panetterie", "panetteria"), ("un forno", "panetteria"), ("  Panificio! ", "panetteria"),
    ("negozi di abbigliamento", "abbigliamento"), ("Librerie.", "libreria"), ("più farmacie", "farmacia"),
    ("un'enoteca", "enoteca"), ("Ferramenta", "ferramenta"), ("", None), ("  - ", None), (None, None),
])
def test_need_normalisation(text, need):
    assert normalise_need(text) == need


def test_needs_ranked(standard):
    ranked = analysis.needs_ranked(standard.risposte)
    assert ranked.head(3)[["bisogno", "menzioni"]].values.tolist() == [
        ["Panetteria", 9], ["Ferramenta", 6], ["Abbigliamento", 5]]
    # 22 of the 24 respondents named at least one need
    assert ranked.iloc[0]["quota"] == pytest.approx(9 / 22 * 100)


def test_needs_per_group_hide_small_groups_and_small_counts(standard):
    table = analysis.needs_per_group(standard.risposte)
    residents = table[table["gruppo"] == "Residenti"]
    assert residents.iloc[0][["bisogno", "menzioni"]].tolist() == ["Panetteria", 8]
    assert residents.iloc[1]["menzioni"] == SUPPRESSED  # abbigliamento: 2 residents
    businesses = table[table["gruppo"] == "Imprese"]
    assert businesses.iloc[0][["bisogno", "menzioni"]].tolist() == ["Ferramenta", 5]
    for group in ("Associazioni", "Visitatori"):
        rows = table[table["gruppo"] == group]
        assert len(rows) == 1 and rows.iloc[0]["menzioni"] == SUPPRESSED and rows.iloc[0]["bisogno"] == ""
    assert "Teatro" not in table["bisogno"].tolist()  # named only by an association


def test_crosstab_and_means_by_age(standard):
    means = analysis.likert_means_by_age(standard.risposte)
    # 45-54: offerta_negozi 2, 4, 2, 2, 3 → 2.6; 55-64: 3, 2, 1, 2, 3 → 2.2
    assert means.loc["Offerta di negozi", "45-54"] == pytest.approx(2.6)
    assert means.loc["Offerta di negozi", "55-64"] == pytest.approx(2.2)
    assert means.loc["Offerta di negozi", "35-44"] == SUPPRESSED  # four respondents
    frequency = analysis.crosstab_by_age(standard.risposte)
    assert frequency.shape == (6, 7)
    assert (frequency == SUPPRESSED).all().all()  # no band × frequency cell reaches five


def test_crosstab_shows_cells_of_five_or_more():
    risposte = pd.DataFrame({"fascia_eta": ["25-34"] * 6 + ["45-54"] * 6,
                             "frequenza_centro": ["ogni giorno"] * 6 + ["raramente"] * 6})
    table = analysis.crosstab_by_age(risposte)
    assert table.loc["ogni giorno", "25-34"] == 6 and table.loc["raramente", "45-54"] == 6
    assert table.loc["mai", "25-34"] == SUPPRESSED


def test_stop_words_are_removed_from_comment_words(standard):
    assert tokens("Più eventi per i giovani, dell'offerta") == ["eventi", "giovani", "offerta"]
    words = analysis.comment_words(standard.risposte)
    assert words.head(4).values.tolist() == [["parcheggi", 8], ["eventi", 6], ["mancano", 5], ["centro", 4]]
    assert not set(words["parola"]) & stopwords()
    assert {"per", "più", "il", "sono", "della", "che"} <= stopwords()
    assert "script" not in set(words["parola"])  # in one comment only


def test_comments_never_come_with_identifying_columns(standard, sassuolo):
    risposte = standard.risposte
    weights = compute_weights(risposte, sassuolo.popolazione).pesi
    outputs = [analysis.respondents_per_group(risposte), analysis.likert_distribution(risposte, weights),
               analysis.weighting_effect(risposte, weights), analysis.needs_ranked(risposte),
               analysis.needs_per_group(risposte), analysis.crosstab_by_age(risposte),
               analysis.likert_means_by_age(risposte), analysis.comment_words(risposte)]
    for table in outputs:
        assert "commenti" not in table.columns and "id_risposta" not in table.columns
        text = table.astype(str).to_string()
        assert not any(comment in text for comment in COMMENTS_IN_FIXTURE)
    comments = anonymous_comments(risposte)
    assert all(isinstance(c, str) for c in comments) and comments == sorted(comments, key=str.casefold)
    assert "Servono panchine e bagni pubblici" in comments and len(comments) == 20
    with pytest.raises(ValueError, match="commenti"):
        ensure_publishable(risposte[["gruppo", "commenti"]])
    with pytest.raises(ValueError, match="Posta elettronica"):
        ensure_publishable(pd.DataFrame({"Posta elettronica": ["a@b.it"], "commenti": ["x"]}))


def test_diverging_segments_put_neutral_across_zero():
    shares = pd.DataFrame({1: [10.0], 2: [20.0], 3: [30.0], 4: [25.0], 5: [15.0]}, index=["Pulizia"])
    starts = _diverging_starts(shares).iloc[0]
    assert starts.tolist() == pytest.approx([-45, -35, -15, 15, 40])
    assert starts[3] + shares.loc["Pulizia", 3] / 2 == pytest.approx(0)


def test_charts_have_italian_alt_text(standard):
    distribution = analysis.likert_distribution(standard.risposte)
    chart = likert_diverging(distribution, source="prova")
    assert chart.image.startswith(b"\x89PNG" if chart.mime == "image/png" else b"<?xml")
    assert "Sicurezza: 79,2 % soddisfatti (4-5), 0,0 % insoddisfatti (1-2)" in chart.alt
    bars = needs_bar(analysis.needs_ranked(standard.risposte), source="prova")
    assert bars.alt.startswith("Negozi e servizi più desiderati: Panetteria 9; Ferramenta 6")
    assert likert_diverging(distribution.iloc[0:0], source="prova") is None


def test_section_escapes_hostile_text_and_keeps_privacy(sassuolo):
    survey = read_survey(SURVEY / "google_forms.csv")
    html = survey_section(survey, sassuolo.popolazione, "Sassuolo <b>")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the hostile need, as text in the chart's alt
    assert "Sassuolo &lt;b&gt;" in html
    for title in ("Chi ha risposto", "Soddisfazione", "Negozi e servizi desiderati", "Per fascia d&#x27;età",
                  "Le parole dei commenti", "Effetto della ponderazione"):
        assert f'<h3 class="sottosezione">{title}</h3>' in html
    assert html.count("<caption>") == html.count("</table>") >= 7
    assert html.count("<img ") == 2
    assert SUPPRESSED in html and "Effetto del disegno (Kish)" in html
    assert not any(comment in html for comment in COMMENTS_IN_FIXTURE)
    assert "persona1@example.it" not in html


def test_section_escapes_hostile_values_in_the_problem_list():
    hostile = '<img src=x onerror="alert(1)">'
    survey = read_survey(f'id_risposta;gruppo;pulizia\n1;{hostile};4\n2;residente;4\n'.encode())
    html = survey_section(survey, None, "Prova")
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "non sono ponderati" in html


def test_section_without_valid_rows_says_so():
    survey = read_survey("id_risposta;gruppo;pulizia\n1;;4\n".encode())
    html = survey_section(survey, None, "Prova")
    assert "Nessuna risposta valida" in html and "<img" not in html


def test_notebook_has_one_parameters_cell_and_no_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'territorio = "Sassuolo (MO)"' in tagged[0].source and "questionario = None" in tagged[0].source
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def _outputs(notebook):
    return [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.slow
@pytest.mark.parametrize("questionario, note", [(None, "Nessun questionario indicato"), ("assente.csv", "non esiste")])
def test_notebook_without_a_survey_explains_what_is_missing(questionario, note):
    from diagnosis.report.runner import run_notebook

    parameters = {"territorio": "Sassuolo (MO)", "questionario": questionario}
    executed = run_notebook(NOTEBOOK, None, parameters, in_process=True)
    outputs = _outputs(executed)
    printed = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    assert note in printed and "templates/questionario.csv" in printed
    shown = [o for o in outputs if o.output_type == "display_data"]
    assert len(shown) == 1 and "Residenti di 15 anni e più" in shown[0].data["text/html"]
    assert not any(o.get("name") == "stderr" for o in outputs)


@pytest.mark.slow
def test_notebook_with_a_survey_shows_the_section():
    from diagnosis.report.runner import run_notebook

    path = str(SURVEY / "microsoft_forms.xlsx")
    executed = run_notebook(NOTEBOOK, None, {"territorio": "Sassuolo (MO)", "questionario": path}, in_process=True)
    html = "".join(o.data.get("text/html", "") for o in _outputs(executed) if o.output_type == "display_data")
    assert "Ascolto del territorio — Sassuolo" in html
    assert re.search(r"24 risposte valide su 27 righe lette", html)
    assert "<script" not in html
