"""The listening survey read: an export (standard layout, LimeSurvey, Google Moduli,
Microsoft Forms) turned into the standard layout by ``read_survey``, each bad cell a
``Problem``. Its analysis is in ``diagnosis.models.survey``, its tables for notebooks in
``diagnosis.api.survey`` (``dg.ascolto``).
"""

from diagnosis.sources.spreadsheets import Problem
from diagnosis.sources.survey.importer import SurveyImport, looks_like_survey, read_survey

__all__ = ["Problem", "SurveyImport", "looks_like_survey", "read_survey"]
