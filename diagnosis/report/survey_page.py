"""What the "ascolto" notebook shows, so that the notebook itself holds no logic."""

from __future__ import annotations

from pathlib import Path

from diagnosis import store
from diagnosis.errors import DiagnosisError, QuestionarioNonValido
from diagnosis.models.survey.population import ReferencePopulation, reference_population
from diagnosis.report.sections import esc
from diagnosis.report.survey import reference_population_table, survey_section
from diagnosis.sources.survey.importer import read_survey
from diagnosis.tables.analyst import entry_for
from diagnosis.territory import resolve_territory

TEMPLATE = "templates/questionario.csv"
GUIDE = "templates/questionario_LEGGIMI.md"


def stored_survey(territory_argument: str) -> str | None:
    """The survey imported for the territory with ``diagnosis dati aggiungi FILE --territorio``, if any."""
    entry = entry_for("questionario", resolve_territory(territory_argument).id)
    return str(store.raw_dir() / entry["path"]) if entry else None


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


def _population(territory_argument: str, year: int | None) -> tuple[ReferencePopulation | None, str]:
    try:
        return reference_population(territory_argument, year), ""
    except DiagnosisError as error:
        return None, f"Popolazione di {territory_argument} non disponibile ({error}): risultati non ponderati."


def reference_population_html(territory_argument: str, year: int | None = None) -> str:
    reference, problem = _population(territory_argument, year)
    if reference is None:
        return f'<p class="nota">{esc(problem)}</p>'
    return reference_population_table(reference.popolazione, reference.territorio, reference.fonte)


def survey_page(territory_argument: str, survey_path, year: int | None = None, mapping=None) -> str:
    """The survey block, or a note saying what is missing and how to fix it (never an exception)."""
    note = missing_survey_note(survey_path)
    if note:
        return f'<p class="nota">{esc(note)}</p>'
    try:
        survey = read_survey(survey_path, mapping)
    except QuestionarioNonValido as error:
        return f'<p class="nota">{esc(error)}</p>'
    reference, problem = _population(territory_argument, year)
    if reference is None:
        return f'<p class="nota">{esc(problem)}</p>' + survey_section(survey, None, str(territory_argument))
    return survey_section(survey, reference.popolazione, reference.territorio, reference.fonte)
