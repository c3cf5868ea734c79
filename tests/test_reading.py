"""The fotografia as a councillor reads it: one path (cover, summary, sections, an appendix of
what is missing), honest judgements, the client's and the analyst's editions."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

import diagnosis as dg
from diagnosis.batch.inputs_hash import fingerprint
from diagnosis.cli import build_parser
from diagnosis.errors import RichiestaNonValida
from diagnosis.indicators import INDICATORS
from diagnosis.indicators.base import SMALL_BASE
from diagnosis.indicators.comparison import CHANCE_SIGMAS, judgement
from diagnosis.report import narrative, sections
from diagnosis.report.fotografia import build_fotografia, check_edition
from diagnosis.territory import resolve_territory

SMALLEST = ("097055", "014047")  # Morterone (LC) and Pedesina (SO), among the smallest comuni of the snapshot
YOUNG, OLD = "015175", "038006"  # Pioltello (MI); Comacchio (FE)
DISTRICT = "citta-distretto-sassuolo"


def _own(table):
    return table[table["territorio"] == table.attrs["territorio"]["id"]].set_index("indicatore")


# --- honest judgements -----------------------------------------------------------------------------

@pytest.mark.parametrize("code", SMALLEST)
def test_a_change_of_a_few_residents_is_told_in_absolute_numbers_not_judged(code):
    table = dg.indicatori(code)
    year = table.attrs["anno"]
    residents = dg.popolazione(code, anni=[year - 1, year])
    totals = residents[residents["sesso"] == "totale"].set_index("anno")["valore"]
    change = int(totals[year] - totals[year - 1])
    assert 0 < abs(change) < SMALL_BASE  # the case the rule is for
    row = _own(table).loc["variazione_popolazione_pct"]
    assert row["giudizio"] == "non giudicato"
    words = f"{abs(change)} residenti in {'più' if change > 0 else 'meno'} in un anno"
    assert words in row["frase"]
    assert words in " ".join(narrative.findings(table)["frase"])  # and the summary says it


@pytest.mark.parametrize("code", SMALLEST)
def test_the_smallest_comuni_get_no_favourable_or_critical_judgement(code):
    own = _own(dg.indicatori(code))
    assert not own["giudizio"].isin(("favorevole", "critico")).any()
    summary = narrative.sintesi(dg.indicatori(code))
    residents = f"{int(own.loc['popolazione', 'valore'])} residenti"
    assert any(residents in sentence for sentence in summary.legami)


def test_a_gap_within_the_chance_of_its_count_is_neutral():
    own = _own(dg.indicatori(SMALLEST[0]))
    key = "reddito_imponibile_per_contribuente"
    indicator, value = INDICATORS[key], own.loc[key, "valore"]
    declarations = own.loc["contribuenti", "valore"]
    province = dg.indicatori(SMALLEST[0])
    reference = province[(province["territorio"] == own.loc[key, "confronto"])].set_index("indicatore").loc[key, "valore"]
    gap = abs(value / reference - 1)
    assert CHANCE_SIGMAS / declarations ** 0.5 > gap  # within chance on the comune's declarations
    assert own.loc[key, "giudizio"] == "neutro" and "può essere dovuto al caso" in own.loc[key, "frase"]
    # The same gap on a hundred times the declarations is beyond chance: judged by its direction.
    assert judgement(indicator, value, reference, declarations * 100) == ("critico" if value < reference else "favorevole")


# --- one reading path ------------------------------------------------------------------------------

@pytest.mark.parametrize("argument", (YOUNG, DISTRICT))
def test_no_summary_sentence_comes_back_among_strengths_and_weaknesses(argument):
    table = dg.indicatori(argument)
    summary = narrative.sintesi(table)
    assert len(summary.trovati) >= 2
    swot = sections.strengths_and_weaknesses(table, esclusi=summary.indicatori)
    told = " ".join(summary.trovati["frase"])
    for key in summary.indicatori:
        assert _own(table).loc[key, "frase"] not in set(swot["frase"])
    for sentence in swot["frase"]:
        assert sentence not in told
        assert sentence.split(":")[0] not in told  # not even the same indicator in other words


def test_the_summary_shows_the_rank_among_similar_comuni():
    table = dg.indicatori(YOUNG)
    own = _own(table)
    finding = narrative.findings(table).iloc[0]
    rank, out_of = own.loc[finding["indicatore"], ["rango_pari", "su_pari"]]
    assert narrative.rank_words(rank, out_of) in finding["frase"]
    assert f"fra {int(out_of)} comuni simili" in finding["frase"]
    assert sections.peer_rank(rank, out_of) == f"{int(rank)}° di {int(out_of)}"


def test_narratives_differ_with_the_profile_of_the_comune():
    young, old = dg.indicatori(YOUNG), dg.indicatori(OLD)
    profiles = narrative.profile(young), narrative.profile(old)
    assert "giovane" in profiles[0] and "anziana" in profiles[1]
    links = narrative.connections(young), narrative.connections(old)
    assert links[0] and links[1] and not set(links[0]) & set(links[1])
    for held, sentences in zip(profiles, links):  # each sentence is a rule whose conditions hold
        rules = {sentence: needed for needed, sentence in narrative.CONNECTIONS}
        assert all(set(rules[sentence]) <= held for sentence in sentences)
    # The findings are not one template: the themes' sentences have different shapes.
    shapes = {re.sub(r"[\d.,]+", "#", sentence.split(":")[0]) for sentence in narrative.findings(young)["frase"]}
    assert len(shapes) == len(narrative.findings(young))


def test_the_client_notes_on_missing_data_have_no_command_the_analyst_ones_have():
    table = dg.indicatori(SMALLEST[0])
    client, analyst = sections.data_gaps(table), sections.data_gaps(table, "analista")
    assert not client.empty and not client["Nota"].str.contains("diagnosis dati").any()
    assert analyst["Nota"].str.contains("diagnosis dati").any()
    missing = _own(table)
    missing = missing[missing["valore"].isna() & missing["basso"].isna() & missing["nota"].notna()]
    listed = ", ".join(client["Indicatori"])
    assert all(listed.count(label) >= 1 for label in missing["etichetta"])
    assert len(client) == client["Nota"].nunique()  # each missing source once


def test_a_benchmarks_values_are_read_by_indicator():
    table = pd.DataFrame({"territorio": ["015175", "italia", "015175", "italia"], "nome": ["P", "I", "P", "I"],
                          "indicatore": ["eta_media", "eta_media", "indice_vecchiaia", "indice_vecchiaia"],
                          "valore": [41.0, 46.6, 131.7, 193.3]})
    expected = pd.Series([46.6, 193.3], index=pd.Index(["eta_media", "indice_vecchiaia"], name="indicatore"),
                         name="valore")
    pd.testing.assert_series_equal(sections.benchmark_values(table, "italia"), expected)
    assert sections.benchmark_values(table, None).empty


def test_the_cover_and_pieces_are_templates_that_escape_what_they_print():
    table = dg.indicatori(YOUNG)
    table.attrs["territorio"] = {**table.attrs["territorio"], "nome": "<b>Pioltello</b>"}
    cover = sections.cover(table, edition="analista")
    assert "&lt;b&gt;Pioltello&lt;/b&gt;" in cover and "<b>Pioltello" not in cover
    assert "per l&#39;analista" in cover or "per l'analista" in html.unescape(cover)
    assert "Edizione" not in sections.cover(table)
    assert 'download="a&#34;b.csv"' in sections.csv_link(pd.DataFrame({"x": [1]}), 'a"b.csv')
    assert sections.judgement_badge("critico") == '<span class="giudizio giudizio-critico">▼ critico</span>'


# --- the edition: an option, a parameter, part of the fingerprint ----------------------------------

def test_the_edition_is_an_option_of_fotografia_and_batch():
    parser = build_parser()
    assert parser.parse_args(["fotografia", "Pioltello"]).edizione == "cliente"
    assert parser.parse_args(["fotografia", "Pioltello", "--edizione", "analista"]).edizione == "analista"
    assert parser.parse_args(["batch", "Pioltello", "--edizione", "analista"]).edizione == "analista"
    with pytest.raises(SystemExit):
        parser.parse_args(["fotografia", "Pioltello", "--edizione", "tutte"])
    with pytest.raises(RichiestaNonValida):
        check_edition("tutte")


def test_the_edition_is_part_of_the_batch_fingerprint():
    territory = resolve_territory(YOUNG)
    client = fingerprint(territory, 2024)
    assert fingerprint(territory, 2024, edition="cliente") == client
    assert fingerprint(territory, 2024, edition="analista") != client


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """Pedesina's fotografia in both editions (a comune without most optional sources)."""
    territory = resolve_territory(SMALLEST[1])
    return {edition: build_fotografia(territory, output_dir=tmp_path_factory.mktemp(edition), edition=edition)
            .html.read_text(encoding="utf-8") for edition in ("cliente", "analista")}


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.slow
def test_the_client_edition_has_no_command_and_says_what_is_missing_once(editions):
    page = editions["cliente"]
    text = _text(page)
    assert "diagnosis dati" not in text and "diagnosis lab" not in text
    assert text.count("Indicatori non disponibili e che cosa manca") == 1
    for note in sections.data_gaps(dg.indicatori(SMALLEST[1]))["Nota"]:
        assert text.count(note) == 1, note
    # The sections without data are left out, not announced as missing.
    for absent in ("Un indicatore comune per comune", "Ascolto del territorio", "Risultati del questionario",
                   "OpenStreetMap non disponibili", "Negozi e locali sfitti in OpenStreetMap", "Rilevazione sul campo"):
        assert absent not in text, absent


@pytest.mark.slow
def test_the_analyst_edition_has_the_commands(editions):
    text = _text(editions["analista"])
    assert "diagnosis dati scarica" in text and "Edizione" in text
    assert "Negozi e locali sfitti in OpenStreetMap" in text  # the empty sections, with how to fill them


@pytest.mark.slow
def test_the_report_reads_cover_summary_sections_appendix(editions):
    page = editions["cliente"]
    order = [page.index(f'id="{anchor}"') for anchor in ("sintesi", "territorio", "indicatori", "lacune", "metodo")]
    assert page.index('class="copertina"') < order[0] and order == sorted(order)
    assert ">Fra i simili<" in page and re.search(r"\d+° di \d+", page)
    for sentence in narrative.findings(dg.indicatori(SMALLEST[1]))["frase"]:
        assert _text(page).count(sentence) == 1
