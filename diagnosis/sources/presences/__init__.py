"""Presences and people flows bought from telecom or Wi-Fi providers, or compiled by hand,
read into one standard layout by ``read_presences`` (each bad cell a ``Problem``). Their
analysis is in ``diagnosis.models.presences``, their tables in ``diagnosis.api.presences``
(``dg.presenze``).
"""

from diagnosis.sources.presences.importer import PresenceImport, looks_like_presences, read_presences

__all__ = ["PresenceImport", "looks_like_presences", "read_presences"]
