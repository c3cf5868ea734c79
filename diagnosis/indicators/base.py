"""What an indicator is: an id, an Italian label, a formula over summed counts, metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

DIRECTIONS = ("positivo", "negativo", "neutro")  # is a higher value better, worse, or neither


@dataclass(frozen=True)
class Indicator:
    id: str
    etichetta: str
    definizione: str
    unita: str
    direzione: str
    fonti: tuple[str, ...]
    formula: Callable[["object"], float | None]

    def __post_init__(self):
        if self.direzione not in DIRECTIONS:
            raise ValueError(f"direzione {self.direzione!r} non in {DIRECTIONS}")

    def metadata(self) -> dict:
        return {
            "id": self.id, "etichetta": self.etichetta, "definizione": self.definizione,
            "unita": self.unita, "direzione": self.direzione, "fonti": list(self.fonti),
        }


INDICATORS: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.id in INDICATORS:
        raise ValueError(f"indicatore {indicator.id} definito due volte")
    INDICATORS[indicator.id] = indicator
    return indicator


def ratio(numerator: float, denominator: float, scale: float = 100.0) -> float | None:
    """``numerator / denominator × scale``, or ``None`` when the denominator is zero."""
    if denominator is None or numerator is None or denominator == 0:
        return None
    return float(numerator) / float(denominator) * scale
