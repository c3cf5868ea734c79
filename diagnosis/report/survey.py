"""The "Ascolto del territorio" block of the report, as an HTML fragment.

Every text that comes from the survey file (values, needs, words, the file name) goes
through ``esc``: answers are typed by the public, and a comment such as
``<script>`` must reach the page as text, never as markup.
"""

from __future__ import annotations

import numbers

import pandas as pd

from diagnosis.formatting import MISSING, format_number
from diagnosis.models.survey import analysis
from diagnosis.models.survey.privacy import MIN_RESPONDENTS, SUPPRESSED
from diagnosis.models.survey.weighting import NONE, Weighting, compute_weights, population_by_cell
from diagnosis.models.survey.words import MIN_COMMENTS
from diagnosis.report.sections import csv_link, esc, heading
from diagnosis.sources.survey.importer import SurveyImport
from diagnosis.sources.survey.layout import ID, standard_layout
from diagnosis.viz.survey import likert_diverging, needs_bar

ANCHOR = "ascolto"
PROBLEMS_SHOWN = 50
SEX_LABELS = {"M": "Maschi", "F": "Femmine"}
EFFECT_HEADERS = {"media_non_ponderata": "Non ponderata", "media_ponderata": "Ponderata", "differenza": "Differenza"}
COMPARISON_HEADERS = {"quota_campione": "Campione", "quota_popolazione": "Popolazione", "quota_ponderata": "Ponderato"}


def survey_section(survey_import: SurveyImport, population_df: pd.DataFrame | None, territory_name: str,
                   population_source: str | None = None) -> str:
    """The whole block: respondents, satisfaction, needs, age, words and the effect of weighting."""
    risposte = survey_import.risposte
    source = survey_import.fonte
    weighting = compute_weights(risposte, population_df) if population_df is not None and len(risposte) else None
    parts = [heading(ANCHOR, f"Ascolto del territorio — {territory_name}"), _summary(survey_import),
             _problems(survey_import)]
    if risposte.empty:
        parts.append('<p class="nota">Nessuna risposta valida da analizzare: correggere le righe indicate e '
                     "importare di nuovo il file.</p>")
        return _wrapped(parts)
    weights = weighting.pesi if weighting is not None and weighting.metodo != NONE else None
    parts += [
        _groups(risposte, source),
        _satisfaction(risposte, weights, source),
        _needs(risposte, source),
        _by_age(risposte, source),
        _words(risposte, source),
        _weighting(risposte, weighting, population_source, source),
    ]
    return _wrapped(parts)


def _wrapped(parts: list[str]) -> str:
    return f'<section class="ascolto">{"".join(parts)}</section>'


def _subheading(title: str) -> str:
    return f'<h3 class="sottosezione">{esc(title)}</h3>'


def _source(text: str) -> str:
    return f'<p class="fonte">Fonte: {esc(text)}</p>'


def _cell(value, decimals: int) -> str:
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return MISSING
    if isinstance(value, numbers.Integral):
        return format_number(int(value), 0)
    return format_number(round(float(value), decimals) + 0.0, decimals)  # + 0.0 turns -0.0 into 0.0


def _table(frame: pd.DataFrame, caption: str, headers: dict[str, str], decimals: dict[str, int] | None = None,
           row_header: str | None = None) -> str:
    """A captioned table of ``frame``'s ``headers`` columns; ``row_header`` puts the index first."""
    decimals = decimals or {}
    head = (f'<th scope="col">{esc(row_header)}</th>' if row_header else "") + "".join(
        f'<th scope="col">{esc(label)}</th>' for label in headers.values())
    rows = []
    for label, row in frame.iterrows():
        first = f'<th scope="row">{esc(label)}</th>' if row_header else ""
        cells = "".join(_td(row[column], decimals.get(column, 1)) for column in headers)
        rows.append(f"<tr>{first}{cells}</tr>")
    return (f'<table class="tabella"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _td(value, decimals: int) -> str:
    kind = "nota" if value == SUPPRESSED else "num" if not isinstance(value, str) else ""
    css = f' class="{kind}"' if kind else ""
    return f"<td{css}>{esc(_cell(value, decimals))}</td>"


def _summary(survey_import: SurveyImport) -> str:
    valid, read = len(survey_import.risposte), survey_import.righe_lette
    text = (f"{format_number(valid, 0)} risposte valide su {format_number(read, 0)} righe lette dal "
            f"file «{survey_import.file}» ({survey_import.nome_strumento}).")
    excluded = len(survey_import.righe_scartate)
    if excluded:
        text += f" {format_number(excluded, 0)} righe escluse per errori, elencate sotto."
    missing = [name for name in survey_import.colonne_mancanti if name != ID]
    note = (f'<p class="nota">Colonne assenti nel file, quindi senza risultati: {esc(", ".join(missing))}.</p>'
            if missing else "")
    privacy = (f'<p class="nota">Per tutelare chi ha risposto, ogni gruppo o incrocio con meno di '
               f"{MIN_RESPONDENTS} persone è indicato come «{SUPPRESSED}» e i commenti non sono riportati.</p>")
    return f"<p>{esc(text)}</p>{note}{privacy}"


def _problems(survey_import: SurveyImport) -> str:
    problems = survey_import.problemi
    if not problems:
        return ""
    rows = "".join(
        f'<tr><td class="num">{p.riga}</td><td>{esc(p.colonna)}</td><td>{esc(p.valore)}</td>'
        f"<td>{esc(p.messaggio)}</td></tr>"
        for p in problems[:PROBLEMS_SHOWN]
    )
    more = (f'<p class="nota">Altri {len(problems) - PROBLEMS_SHOWN} problemi non mostrati.</p>'
            if len(problems) > PROBLEMS_SHOWN else "")
    return (f"<details><summary>Righe escluse dall'analisi ({len(survey_import.righe_scartate)})</summary>"
            '<table class="tabella"><caption>Righe escluse: numero di riga nel foglio di calcolo (intestazione = 1)'
            '</caption><thead><tr><th scope="col">Riga</th><th scope="col">Colonna</th><th scope="col">Valore</th>'
            f'<th scope="col">Come correggere</th></tr></thead><tbody>{rows}</tbody></table>{more}</details>')


def _groups(risposte: pd.DataFrame, source: str) -> str:
    table = analysis.respondents_per_group(risposte)
    return (_subheading("Chi ha risposto")
            + _table(table.set_index("gruppo"), "Risposte per gruppo", {"risposte": "Risposte", "quota": "Quota (%)"},
                     row_header="Gruppo")
            + _source(source) + csv_link(table.to_dict("records"), "risposte_per_gruppo.csv"))


def _satisfaction(risposte: pd.DataFrame, weights: pd.Series | None, source: str) -> str:
    layout = standard_layout()
    table = analysis.likert_distribution(risposte, weights)
    chart = likert_diverging(table, source=source, weighted=weights is not None)
    headers = {"risposte": "Risposte", **{f"quota_{level}": f"{level} (%)" for level in layout.likert_scale},
               "media": "Media"}
    if weights is not None:
        headers["media_ponderata"] = "Media ponderata"
    scale = ", ".join(f"{level} = {label.lower()}" for level, label in layout.likert_labels.items())
    return (_subheading("Soddisfazione")
            + (chart.to_html() if chart else "")
            + _table(table.set_index("voce"),
                     f"Soddisfazione per aspetto, quote sulle risposte non ponderate (scala: {scale})", headers,
                     {"media": 2, "media_ponderata": 2}, row_header="Aspetto")
            + _source(source) + csv_link(table.to_dict("records"), "soddisfazione.csv"))


def _needs(risposte: pd.DataFrame, source: str) -> str:
    ranked = analysis.needs_ranked(risposte)
    if ranked.empty:
        return _subheading("Negozi e servizi desiderati") + '<p class="nota">Nessun negozio desiderato indicato.</p>'
    chart = needs_bar(ranked, source=source)
    per_group = analysis.needs_per_group(risposte)
    per_group["posizione"] = per_group["posizione"].map(lambda v: "" if v is None or pd.isna(v) else str(int(v)))
    return (_subheading("Negozi e servizi desiderati")
            + (chart.to_html() if chart else "")
            + _table(per_group.set_index("gruppo"), "Negozi e servizi più indicati, per gruppo",
                     {"posizione": "Posizione", "bisogno": "Negozio o servizio", "menzioni": "Persone"},
                     row_header="Gruppo")
            + _source(source) + csv_link(per_group.to_dict("records"), "bisogni_per_gruppo.csv"))


def _by_age(risposte: pd.DataFrame, source: str) -> str:
    means = analysis.likert_means_by_age(risposte)
    frequency = analysis.crosstab_by_age(risposte)
    mean_headers = {band: band for band in means.columns}
    frequency_headers = {band: band for band in frequency.columns}
    return (_subheading("Per fascia d'età")
            + _table(means, "Soddisfazione media per fascia d'età (da 1 a 5)", mean_headers,
                     dict.fromkeys(means.columns, 2), row_header="Aspetto")
            + _table(frequency, "Frequenza con cui si viene in centro, per fascia d'età (persone)", frequency_headers,
                     row_header="Frequenza")
            + _source(source)
            + csv_link(frequency.reset_index().to_dict("records"), "frequenza_per_eta.csv"))


def _words(risposte: pd.DataFrame, source: str) -> str:
    words = analysis.comment_words(risposte)
    title = _subheading("Le parole dei commenti")
    if words.empty:
        return title + (f'<p class="nota">Nessuna parola ricorre in almeno {MIN_COMMENTS} commenti.</p>')
    return (title + _table(words.set_index("parola"), "Parole più usate nei commenti (parole grammaticali escluse)",
                           {"numero_commenti": "Commenti che la usano"}, row_header="Parola")
            + f'<p class="nota">Sono contate le parole presenti in almeno {MIN_COMMENTS} commenti.</p>'
            + _source(source))


def _weighting(risposte: pd.DataFrame, weighting: Weighting | None, population_source: str | None,
               source: str) -> str:
    title = _subheading("Effetto della ponderazione")
    if weighting is None:
        return title + ('<p class="nota">Popolazione per età e sesso non disponibile: i risultati non sono '
                        "ponderati.</p>")
    notes = "".join(f"<li>{esc(note)}</li>" for note in weighting.avvisi)
    if weighting.metodo == NONE:
        return title + f'<ul class="nota">{notes}</ul>'
    text = (f"Pesi per fascia d'età e sesso ({weighting.metodo}) che riportano il campione alla composizione "
            "dei residenti di 15 anni e più. "
            f"Effetto del disegno (Kish): {format_number(weighting.effetto_disegno, 2)}; "
            f"numerosità effettiva: {format_number(weighting.campione_effettivo, 1)} su "
            f"{format_number(len(weighting.pesi), 0)} risposte.")
    effect = analysis.weighting_effect(risposte, weighting.pesi)
    comparison = weighting.confronto.copy()
    comparison["cella"] = [f"{band} {SEX_LABELS.get(sex, sex)}" for band, sex in
                           zip(comparison["fascia_eta"], comparison["sesso"])]
    population = f"; popolazione: {population_source}" if population_source else ""
    return (title + f"<p>{esc(text)}</p>" + (f'<ul class="nota">{notes}</ul>' if notes else "")
            + _table(effect.set_index("voce"), "Media di soddisfazione senza e con ponderazione",
                     EFFECT_HEADERS, dict.fromkeys(EFFECT_HEADERS, 2), row_header="Aspetto")
            + _table(comparison.set_index("cella"),
                     "Composizione per età e sesso: campione, popolazione e campione ponderato (%)",
                     COMPARISON_HEADERS, row_header="Fascia e sesso")
            + _source(source + population))


def reference_population_table(population: pd.DataFrame, territory_name: str, source: str) -> str:
    """Residents aged 15 and over by age band and sex: what the weights aim at."""
    cells = population_by_cell(population).unstack()
    total = cells.to_numpy().sum()
    table = pd.DataFrame({
        "M": cells["M"].astype(int), "F": cells["F"].astype(int),
        "quota": cells.sum(axis=1) / total * 100 if total else 0.0,
    })
    return (_table(table, f"Residenti di 15 anni e più per fascia d'età e sesso — {territory_name}",
                   {"M": "Maschi", "F": "Femmine", "quota": "Quota (%)"}, row_header="Fascia d'età")
            + _source(source))
