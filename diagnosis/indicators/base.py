"""What an indicator is: an id, an Italian label, a formula over summed counts, metadata.

``dati`` names the figures of :class:`~diagnosis.indicators.counts.TerritoryCounts` the
formula reads (``"popolazione@reddito"`` is the population on the date of ``reddito``):
the indicator's source, reference date and status are those of its figures, and when one
is missing the indicator says which and how to get it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from diagnosis.tables.measures import Intervallo

DIRECTIONS = ("positivo", "negativo", "neutro")  # is a higher value better, worse, or neither


@dataclass(frozen=True)
class Indicator:
    id: str
    etichetta: str
    definizione: str
    unita: str
    direzione: str
    dati: tuple[str, ...]
    formula: Callable[["object"], float | Intervallo | None]
    # The count the value rests on (people, declarations, events): below ``SMALL_BASE`` the
    # value is mostly chance, so it is flagged and not judged.
    base: Callable[["object"], float | None] | None = None
    # Why the value is missing when every figure it reads is there (a hidden cell, no detail).
    quando_manca: str = ""

    def __post_init__(self):
        if self.direzione not in DIRECTIONS:
            raise ValueError(f"direzione {self.direzione!r} non in {DIRECTIONS}")

    def metadata(self) -> dict:
        return {
            "id": self.id, "etichetta": self.etichetta, "definizione": self.definizione,
            "unita": self.unita, "direzione": self.direzione, "dati": list(self.dati),
        }

    def small_numbers(self, counts) -> bool:
        if self.base is None:
            return False
        size = self.base(counts)
        return size is not None and size < SMALL_BASE


# Below 20 events or units, one more or less moves the value by 5 % or more of itself.
SMALL_BASE = 20

def ratio(numerator: float | None, denominator: float | None, scale: float = 100.0) -> float | None:
    """``numerator / denominator × scale``, or ``None`` when either is missing (None or a blank
    NaN, never read as zero) or the denominator is zero."""
    if denominator is None or numerator is None or math.isnan(numerator) or math.isnan(denominator) or denominator == 0:
        return None
    return float(numerator) / float(denominator) * scale
