"""Italian comparison phrases and the favourable / neutral / critical judgement.

A value is compared with its closest benchmark (the province, or the region when the
territory spans several provinces). Ratios are read against thresholds kept in
``RATIO_BANDS``; indicators that can be negative or are already a change in per cent
(``variazione_*``) are compared in percentage points instead, because a ratio between
−0,3 % and +0,2 % means nothing.
"""

from __future__ import annotations

from diagnosis.formatting import format_value
from diagnosis.indicators.base import Indicator
from diagnosis.territory.model import Territorio

# (upper bound of the ratio, phrase, sense): sense tells whether the value is below (-1),
# in line with (0) or above (+1) the benchmark.
RATIO_BANDS = (
    (0.45, "meno della metà {di}", -1),
    (0.55, "circa la metà {di}", -1),
    (0.70, "poco più della metà {di}", -1),
    (0.90, "nettamente inferiore {a}", -1),
    (0.97, "leggermente inferiore {a}", -1),
    (1.03, "in linea {con}", 0),
    (1.10, "leggermente superiore {a}", 1),
    (1.40, "nettamente superiore {a}", 1),
    (1.80, "circa una volta e mezza il valore {di}", 1),
    (2.20, "circa il doppio {di}", 1),
    (float("inf"), "oltre il doppio {di}", 1),
)
EXTENSIVE_UNITS = ("abitanti", "km²", "persone", "famiglie", "negozi", "esercizi", "locali")  # sizes: a territory is a share of its benchmark, not "below" it
POINTS_IN_LINE = 0.1  # percentage points within which a change is "in linea"
JUDGEMENTS = {1: "favorevole", 0: "neutro", -1: "critico"}


def closest_benchmark(benchmarks: list[Territorio]) -> Territorio | None:
    """The province when there is one, else the single region, else Italy."""
    provinces = [b for b in benchmarks if b.livello == "provincia"]
    if len(provinces) == 1:
        return provinces[0]
    regions = [b for b in benchmarks if b.livello == "regione"]
    if len(regions) == 1:
        return regions[0]
    return benchmarks[-1] if benchmarks else None


def _forms(benchmark: Territorio) -> dict[str, str]:
    """The benchmark's name after "a", "con" and "di", with the Italian article."""
    if benchmark.livello == "italia":
        return {"a": "all'Italia", "con": "con l'Italia", "di": "dell'Italia"}
    return {"a": f"alla {benchmark.nome}", "con": f"con la {benchmark.nome}", "di": f"della {benchmark.nome}"}


def _share_words(percent: float) -> str:
    """``"l'1,7 %"``, ``"il 3,5 %"``, ``"meno dello 0,1 %"``: the article follows the spoken number."""
    if percent < 0.05:
        return "meno dello 0,1 %"
    text = format_value(percent, "%")
    whole = int(round(percent, 1))
    vowel_sound = whole in (1, 8, 11) or str(whole).startswith("8")
    return ("l'" if vowel_sound else "il ") + text


def in_points(indicator: Indicator) -> bool:
    return indicator.id.startswith("variazione_")


def comparison_sense(indicator: Indicator, value, reference) -> tuple[int, str] | None:
    """(sense, phrase template) of ``value`` against ``reference``; None when not comparable."""
    if value is None or reference is None:
        return None
    if in_points(indicator):
        difference = value - reference
        if abs(difference) <= POINTS_IN_LINE:
            return 0, "in linea {con}"
        points = format_value(abs(difference), "").strip()
        word = "superiore" if difference > 0 else "inferiore"
        return (1 if difference > 0 else -1), f"{points} punti {word} {{a}}"
    if reference <= 0:
        return None
    ratio = value / reference
    for upper, phrase, sense in RATIO_BANDS:
        if ratio < upper:
            return sense, phrase
    raise AssertionError("the last band is unbounded")


def phrase(indicator: Indicator, value, reference, benchmark: Territorio) -> str:
    """``"Indice di vecchiaia 167,2: nettamente inferiore alla Regione Emilia-Romagna (198,2)."``"""
    shown = format_value(value, indicator.unita)
    if indicator.unita in EXTENSIVE_UNITS and value is not None and reference:
        share = _share_words(value / reference * 100)
        return f"{indicator.etichetta} {shown}: {share} {_forms(benchmark)['di']} ({format_value(reference, indicator.unita)})."
    compared = comparison_sense(indicator, value, reference)
    if compared is None:
        return f"{indicator.etichetta} {shown}: confronto con {benchmark.nome} non disponibile."
    _sense, template = compared
    return (f"{indicator.etichetta} {shown}: {template.format(**_forms(benchmark))} "
            f"({format_value(reference, indicator.unita)}).")


def judgement(indicator: Indicator, value, reference) -> str:
    """``favorevole`` / ``neutro`` / ``critico`` by the indicator's direction; ``neutro`` when not comparable."""
    compared = comparison_sense(indicator, value, reference)
    if compared is None or indicator.direzione == "neutro" or indicator.unita in EXTENSIVE_UNITS:
        return "neutro"
    sense = compared[0] if indicator.direzione == "positivo" else -compared[0]
    return JUDGEMENTS[sense]
