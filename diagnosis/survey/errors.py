"""The one error the survey import raises on purpose."""

from diagnosis.errors import DiagnosisError


class QuestionarioNonValido(DiagnosisError):
    """A file is not a survey export, or a mapping does not fit it; the message says how to fix it."""
