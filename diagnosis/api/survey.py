"""The listening survey of a territory: the answers of residents, businesses, associations
and visitors, weighted on the residents by age and sex, as tables safe to publish."""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from diagnosis import store
from diagnosis.api.common import Provenance, fotografia_year, territory_of
from diagnosis.errors import DatiNonDisponibili, QuestionarioNonValido, RichiestaNonValida
from diagnosis.indicators.compute import counts_for
from diagnosis.models.survey import analysis
from diagnosis.models.survey.population import population_frame
from diagnosis.models.survey.privacy import MIN_RESPONDENTS, SUPPRESSED
from diagnosis.models.survey.weighting import NONE, Weighting, compute_weights, population_by_cell
from diagnosis.models.survey.words import MIN_COMMENTS
from diagnosis.sources.survey.importer import SurveyImport, read_survey
from diagnosis.sources.survey.layout import ID, standard_layout
from diagnosis.tables.analyst import entry_for
from diagnosis.territory.model import Territorio

TEMPLATE = "templates/questionario.csv"
GUIDE = "templates/questionario_LEGGIMI.md"
SEX_NAMES = {"M": "maschi", "F": "femmine"}
# The tables of ``dg.ascolto``: what each holds, for its docstring and its error.
TABLES = {
    "risposte": "chi ha risposto, per gruppo",
    "righe_escluse": "le righe del file escluse, con la correzione",
    "soddisfazione": "la soddisfazione per aspetto del centro",
    "bisogni": "i negozi e servizi desiderati",
    "bisogni_per_gruppo": "i negozi e servizi più indicati da ogni gruppo",
    "soddisfazione_per_eta": "la soddisfazione media per fascia d'età",
    "frequenza_per_eta": "la frequenza con cui si viene in centro, per fascia d'età",
    "parole": "le parole più usate nei commenti",
    "ponderazione": "le medie senza e con ponderazione",
    "composizione": "il campione, la popolazione e il campione ponderato per età e sesso",
    "popolazione": "i residenti di 15 anni e più per età e sesso, a cui le risposte sono riportate",
}


def ascolto(territorio, tavola: str = "risposte", questionario=None, anno=None, mappatura=None):
    """One table of the listening survey, ready to publish.

    ``questionario`` is the survey file (CSV or XLSX exported by LimeSurvey, Google
    Moduli, Microsoft Forms, or the template ``templates/questionario.csv``); None takes
    the one imported for the territory (``diagnosis dati aggiungi FILE --territorio ...``).
    ``mappatura`` is a YAML file for other layouts. ``anno`` chooses the residents the
    answers are weighted on (by age band and sex; None: the fotografia's year).

    ``tavola`` is one of ``risposte`` (``gruppo``, ``risposte``, ``quota``),
    ``righe_escluse`` (``riga``, ``colonna``, ``valore``, ``messaggio``),
    ``soddisfazione`` (``voce``, ``risposte``, ``quota_1``…``quota_5``, ``media`` and,
    weighted, ``quota_ponderata_1``… and ``media_ponderata``), ``bisogni`` (``bisogno``,
    ``menzioni``, ``quota``), ``bisogni_per_gruppo`` (``gruppo``, ``posizione``,
    ``bisogno``, ``menzioni``), ``soddisfazione_per_eta`` (``voce`` and one column per
    age band), ``frequenza_per_eta`` (``frequenza`` and one column per age band),
    ``parole`` (``parola``, ``numero_commenti``), ``ponderazione`` (``voce``,
    ``media_non_ponderata``, ``media_ponderata``, ``differenza``), ``composizione``
    (``fascia_eta``, ``sesso``, ``quota_campione``, ``quota_popolazione``,
    ``quota_ponderata``), ``popolazione`` (``fascia_eta``, ``maschi``, ``femmine``,
    ``quota``; needs no survey).

    Privacy holds in every table: a group or crossing of fewer than five people reads
    "meno di 5 risposte" (and so does a cell that would reveal it by subtraction), and no
    table holds a comment or anything that points at who answered.

    ``attrs`` holds ``territorio``, ``fonte`` (the file, the tool and the valid answers),
    ``file``, ``strumento``, ``righe_lette``, ``risposte_valide``, ``righe_escluse``,
    ``colonne_mancanti``, the weighting (``ponderazione``: method, Kish design effect,
    effective sample size, warnings), ``fonte_popolazione``, the satisfaction ``scala``
    (score → words) and the privacy rule (``soglia_privacy``, ``oscurato``). Without a survey,
    :class:`DatiNonDisponibili` says how to add one; a file that is not a survey export
    raises :class:`QuestionarioNonValido`.

    >>> import diagnosis as dg
    >>> dg.ascolto("Sassuolo", "popolazione").head(2).round(1)
      fascia_eta  maschi  femmine  quota
    0      15-24    2150     2042   11.8
    1      25-34    2402     2229   13.1
    >>> dg.ascolto("Sassuolo", "soddisfazione", questionario="assente.csv")
    Traceback (most recent call last):
    ...
    diagnosis.errors.DatiNonDisponibili: Il questionario 'assente.csv' non esiste: ...
    """
    if tavola not in TABLES:
        raise RichiestaNonValida(f"Tavola {tavola!r} sconosciuta. Tavole valide: "
                                 + "; ".join(f"{name} ({what})" for name, what in TABLES.items()) + ".")
    territory = territory_of(territorio)
    year = fotografia_year(anno)
    population, population_source = _population(territory, year)
    if tavola == "popolazione":
        return _population_table(territory, population, population_source)
    survey = _read(_survey_path(territory, questionario), mappatura)
    weighting = (compute_weights(survey.risposte, population)
                 if population is not None and len(survey.risposte) else None)
    table = _table(tavola, survey, weighting)
    return _with_attrs(table, territory, survey, weighting, population_source)


def missing_survey_note(survey_path) -> str | None:
    """A short Italian note when no survey file is given or it is not there; None otherwise."""
    if survey_path is None or not str(survey_path).strip():
        return ("Nessun questionario indicato. Per aggiungerlo: esportare le risposte (CSV o Excel) da "
                "LimeSurvey, Google Moduli o Microsoft Forms, oppure compilare il modello "
                f"{TEMPLATE}, e importarlo con diagnosis dati aggiungi FILE --territorio TERRITORIO (oppure "
                f"scrivere il percorso del file nel parametro questionario), poi rieseguire il notebook. "
                f"Istruzioni in {GUIDE}.")
    if not Path(survey_path).is_file():
        return (f"Il questionario {str(survey_path)!r} non esiste: controllare il percorso nel parametro "
                f"questionario (relativo alla cartella da cui si avvia il notebook). Il modello è {TEMPLATE}.")
    return None


def _survey_path(territory: Territorio, questionario) -> str:
    if questionario is None or not str(questionario).strip():
        entry = entry_for("questionario", territory.id)
        questionario = str(store.raw_dir() / entry["path"]) if entry else None
    note = missing_survey_note(questionario)
    if note:
        raise DatiNonDisponibili(note)
    return str(questionario)


def _read(path: str, mapping) -> SurveyImport:
    file = Path(path)
    stat = file.stat()
    return _read_cached(str(file.resolve()), stat.st_mtime_ns, stat.st_size, str(mapping) if mapping else None)


@functools.lru_cache(maxsize=8)
def _read_cached(path: str, _mtime: int, _size: int, mapping: str | None) -> SurveyImport:
    return read_survey(path, mapping)


def _population(territory: Territorio, year: int) -> tuple[pd.DataFrame | None, str]:
    """Residents by single year of age and sex (the weights' target), with its source line."""
    ages = counts_for(territory, year).eta
    if ages is None:
        return None, ""
    return population_frame(counts_for(territory, year)), f"{ages.fonte}, al 1° gennaio {ages.anno} ({ages.stato})"


def _population_table(territory: Territorio, population: pd.DataFrame | None, source: str) -> pd.DataFrame:
    if population is None:
        raise DatiNonDisponibili(f"Manca la popolazione per età di {territory.nome}: le risposte non si possono "
                                 "ponderare. Per ottenerla: diagnosis dati scarica --fonte posas")
    cells = population_by_cell(population).unstack()
    total = cells.to_numpy().sum()
    table = pd.DataFrame({
        "fascia_eta": cells.index.astype(str), "maschi": cells["M"].astype(int).to_numpy(),
        "femmine": cells["F"].astype(int).to_numpy(),
        "quota": (cells.sum(axis=1) / total * 100).to_numpy() if total else 0.0,
    })
    provenance = Provenance(territory)
    provenance.sources.append(source)
    return provenance.write(table)


def _table(name: str, survey: SurveyImport, weighting: Weighting | None) -> pd.DataFrame:
    risposte = survey.risposte
    if name == "righe_escluse":
        return pd.DataFrame([{"riga": p.riga, "colonna": p.colonna, "valore": p.valore, "messaggio": p.messaggio}
                             for p in survey.problemi], columns=["riga", "colonna", "valore", "messaggio"])
    if name == "risposte":
        return analysis.respondents_per_group(risposte)
    if risposte.empty:
        raise QuestionarioNonValido(f"Nessuna risposta valida nel file «{survey.file}»: correggere le righe indicate "
                                    "(dg.ascolto(..., 'righe_escluse')) e importare di nuovo il file.")
    weights = weighting.pesi if weighting is not None and weighting.metodo != NONE else None
    if name == "soddisfazione":
        return analysis.likert_distribution(risposte, weights)
    if name == "bisogni":
        return analysis.needs_ranked(risposte)
    if name == "bisogni_per_gruppo":  # a hidden group has no position: <NA>
        return analysis.needs_per_group(risposte).astype({"posizione": "Int64"})
    if name == "soddisfazione_per_eta":
        return analysis.likert_means_by_age(risposte).rename_axis(index="voce", columns=None).reset_index()
    if name == "frequenza_per_eta":
        return analysis.crosstab_by_age(risposte).rename_axis(index="frequenza", columns=None).reset_index()
    if name == "parole":
        return analysis.comment_words(risposte)
    if name == "ponderazione":
        if weights is None:
            return pd.DataFrame(columns=["voce", "media_non_ponderata", "media_ponderata", "differenza"])
        return analysis.weighting_effect(risposte, weights).drop(columns="colonna")
    if weights is None:  # composizione
        return pd.DataFrame(columns=["fascia_eta", "sesso", "quota_campione", "quota_popolazione", "quota_ponderata"])
    composition = weighting.confronto.copy()
    composition["sesso"] = composition["sesso"].map(SEX_NAMES).fillna(composition["sesso"])
    return composition[["fascia_eta", "sesso", "quota_campione", "quota_popolazione", "quota_ponderata"]]


def _with_attrs(table: pd.DataFrame, territory: Territorio, survey: SurveyImport, weighting: Weighting | None,
                population_source: str) -> pd.DataFrame:
    provenance = Provenance(territory)
    provenance.sources.append(survey.fonte)
    provenance.extra |= {
        "file": survey.file, "strumento": survey.nome_strumento, "righe_lette": survey.righe_lette,
        "risposte_valide": len(survey.risposte), "righe_escluse": len(survey.righe_scartate),
        "colonne_mancanti": [name for name in survey.colonne_mancanti if name != ID],
        "ponderazione": _weighting_facts(weighting), "fonte_popolazione": population_source,
        "soglia_privacy": MIN_RESPONDENTS, "oscurato": SUPPRESSED, "minimo_commenti": MIN_COMMENTS,
        "scala": {int(level): label.lower() for level, label in standard_layout().likert_labels.items()},
    }
    return provenance.write(table)


def _weighting_facts(weighting: Weighting | None) -> dict:
    if weighting is None:
        return {"metodo": NONE, "avvisi": ["Popolazione per età e sesso non disponibile: i risultati non sono "
                                           "ponderati."]}
    return {"metodo": weighting.metodo, "effetto_disegno": weighting.effetto_disegno,
            "campione_effettivo": weighting.campione_effettivo, "risposte": int(len(weighting.pesi)),
            "avvisi": list(weighting.avvisi)}
