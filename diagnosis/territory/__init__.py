"""Comuni, districts, provinces and regions, and how users name them."""

from diagnosis.territory.lookup import Comune, find_comune, search
from diagnosis.territory.model import Territorio, parents
from diagnosis.territory.resolve import resolve_territory

__all__ = ["Comune", "Territorio", "find_comune", "parents", "resolve_territory", "search"]
