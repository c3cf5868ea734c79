"""Ascolto del territorio: import and analysis of the needs survey of a comune or district.

``read_survey`` turns an export (standard layout, LimeSurvey, Google Moduli, Microsoft
Forms) into the standard layout; ``survey_section`` turns it into the report's HTML.
"""

from diagnosis.survey.errors import QuestionarioNonValido
from diagnosis.sources.spreadsheets import Problem
from diagnosis.survey.importer import SurveyImport, looks_like_survey, read_survey

__all__ = ["Problem", "QuestionarioNonValido", "SurveyImport", "looks_like_survey", "read_survey"]
