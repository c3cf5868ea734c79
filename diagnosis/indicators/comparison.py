"""Italian comparison phrases and the favourable / neutral / critical judgement.

A value is compared with its closest benchmark (the province, or the region when the
territory spans several provinces). Ratios are read against thresholds kept in
``RATIO_BANDS``; indicators that can be negative or are already a change in per cent
(``variazione_*``) are compared in percentage points instead, because a ratio between
−0,3 % and +0,2 % means nothing.

A judgement must not rest on chance. Two rules, both on the count a value rests on (its
``base``: people, declarations or events):

* below ``SMALL_BASE`` (20) the value is not judged and its sentence gives the absolute
  numbers instead ("2 residenti in meno in un anno"): a share of 30 residents moves by
  3 points when one person moves;
* above it, a ratio is judged favourable or critical only when it differs from the
  benchmark by more than ``CHANCE_SIGMAS`` times the relative variation a count of that
  size has by chance alone (a count of n varies by about √n, that is 1/√n of itself):
  with 24 declarations a mean income 29 % below the province's is still within chance,
  with 2.400 a gap of 5 % is not. Within chance the judgement is ``neutro`` and the
  sentence says why.
"""

from __future__ import annotations

import math

from diagnosis.formatting import counted, format_value
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
POINTS_IN_LINE = 0.1  # points within which a change or a net rate is "in linea"
# Changes of a mean (income per taxpayer): as uncertain as the mean, so tested on the count of its base.
MEAN_CHANGES = ("variazione_reale_reddito_per_contribuente_pct",)
NET_RATES = ("tasso_crescita_naturale", "tasso_migratorio_interno", "tasso_migratorio_estero",
             "tasso_migratorio_totale")
JUDGEMENTS = {1: "favorevole", 0: "neutro", -1: "critico"}
CHANCE_SIGMAS = 2.0  # how many times the chance variation of the base a gap must exceed to be judged

# What an indicator's base counts, singular and plural, for the sentences that give the
# absolute numbers of a value on a handful of people or events.
BASE_WORDS = {
    "variazione_popolazione_pct": ("residente", "residenti"),
    "quota_0_14": ("residente di 0-14 anni", "residenti di 0-14 anni"),
    "quota_15_64": ("residente di 15-64 anni", "residenti di 15-64 anni"),
    "quota_65_piu": ("residente di 65 anni e più", "residenti di 65 anni e più"),
    "quota_80_piu": ("residente di 80 anni e più", "residenti di 80 anni e più"),
    "tasso_natalita": ("nato", "nati"),
    "tasso_mortalita": ("morto", "morti"),
    "tasso_crescita_naturale": ("nato o morto", "nati e morti"),
    "tasso_migratorio_interno": ("trasferimento da o per altri comuni", "trasferimenti da e per altri comuni"),
    "tasso_migratorio_estero": ("trasferimento da o per l'estero", "trasferimenti da e per l'estero"),
    "tasso_acquisizioni_cittadinanza": ("acquisizione di cittadinanza", "acquisizioni di cittadinanza"),
    "quota_stranieri": ("residente straniero", "residenti stranieri"),
    "reddito_imponibile_per_contribuente": ("dichiarazione", "dichiarazioni"),
    "reddito_imponibile_per_abitante": ("dichiarazione", "dichiarazioni"),
    "variazione_reale_reddito_per_contribuente_pct": ("dichiarazione", "dichiarazioni"),
    "componenti_per_famiglia": ("famiglia", "famiglie"),
    "eta_media": ("residente", "residenti"),
    "tasso_migratorio_totale": ("trasferimento", "trasferimenti"),
    "unita_locali_frame_per_1000_abitanti": ("unità locale", "unità locali"),
    "addetti_per_unita_locale": ("unità locale", "unità locali"),
    **dict.fromkeys(("addetti_per_1000_abitanti", "valore_aggiunto_per_addetto", "quota_addetti_servizi",
                     "quota_dipendenti"), ("addetto", "addetti")),
    **dict.fromkeys(("indice_vecchiaia", "indice_dipendenza_strutturale", "indice_dipendenza_anziani",
                     "indice_ricambio_popolazione_attiva", "indice_struttura_popolazione_attiva"),
                    ("residente nella fascia d'età meno numerosa", "residenti nella fascia d'età meno numerosa")),
}
DEFAULT_BASE_WORDS = ("persona, dichiarazione o evento", "persone, dichiarazioni o eventi")


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
    """The benchmark's name with its article, alone ("la") and after "a", "con" and "di"."""
    if benchmark.livello == "italia":
        return {"a": "all'Italia", "con": "con l'Italia", "di": "dell'Italia", "la": "l'Italia"}
    return {"a": f"alla {benchmark.nome}", "con": f"con la {benchmark.nome}", "di": f"della {benchmark.nome}",
            "la": f"la {benchmark.nome}"}


def _share_words(percent: float) -> str:
    """``"l'1,7 %"``, ``"il 3,5 %"``, ``"meno dello 0,1 %"``: the article follows the spoken number."""
    if percent < 0.05:
        return "meno dello 0,1 %"
    text = format_value(percent, "%")
    whole = int(round(percent, 1))
    vowel_sound = whole in (1, 8, 11) or str(whole).startswith("8")
    return ("l'" if vowel_sound else "il ") + text


def in_points(indicator: Indicator) -> bool:
    """Changes and net rates (births minus deaths, arrivals minus departures) cross zero: a
    ratio to a benchmark near zero, or below it, says nothing, a difference in points does."""
    return indicator.id.startswith("variazione_") or indicator.id in NET_RATES


def comparison_sense(indicator: Indicator, value, reference) -> tuple[int, str] | None:
    """(sense, phrase template) of ``value`` against ``reference``; None when not comparable."""
    if value is None or reference is None:
        return None
    if in_points(indicator):
        difference = value - reference
        if abs(difference) <= POINTS_IN_LINE:
            return 0, "in linea {con}"
        points = format_value(abs(difference), "").strip()
        per_thousand = " per mille" if indicator.unita == "per 1.000" else ""
        word = "sopra" if difference > 0 else "sotto"
        return (1 if difference > 0 else -1), f"{points} punti{per_thousand} {word} {{la}}"
    if reference <= 0:
        return None
    ratio = value / reference
    for upper, phrase, sense in RATIO_BANDS:
        if ratio < upper:
            return sense, phrase
    raise AssertionError("the last band is unbounded")


def beyond_chance(indicator: Indicator, value, reference, base) -> bool:
    """Whether ``value`` differs from ``reference`` by more than a count of ``base`` varies by chance.

    Values without a base, and changes and net rates compared in points, are not tested here
    (a change on fewer than ``SMALL_BASE`` people is not judged at all); a change of a mean is,
    on its growth factor against the benchmark's.
    """
    if base is None or value is None or reference is None:
        return True
    if indicator.id in MEAN_CHANGES:  # a mean over ``base`` declarations, then and now: compare growth factors
        value, reference = 1 + value / 100, 1 + reference / 100
    elif in_points(indicator) or not reference or reference <= 0:
        return True
    if base <= 0:
        return False
    return abs(value / reference - 1) > CHANCE_SIGMAS / math.sqrt(base)


def count_words(indicator: Indicator, count: float) -> str:
    """``"1 nato"``, ``"12 dichiarazioni"``: a base in words."""
    singular, plural = BASE_WORDS.get(indicator.id, DEFAULT_BASE_WORDS)
    return counted(int(round(abs(count))), singular, plural)


def small_numbers_phrase(indicator: Indicator, value, base, reference, benchmark: Territorio | None) -> str:
    """The sentence of a value resting on a handful of people or events: the absolute numbers,
    no judgement (``"Variazione della popolazione: 2 residenti in meno in un anno (-6,3 %)…"``)."""
    shown = format_value(value, indicator.unita)
    if indicator.id == "variazione_popolazione_pct":
        way = "in più" if value > 0 else "in meno"
        change = f"{count_words(indicator, base)} {way} in un anno ({shown})" if base else f"nessuna variazione ({shown})"
        return f"{indicator.etichetta}: {change}, un numero troppo piccolo per un giudizio."
    against = (f" {_forms(benchmark)['con']} ({format_value(reference, indicator.unita)})"
               if benchmark is not None and reference is not None else "")
    return (f"{indicator.etichetta} {shown}: poggia su {count_words(indicator, base)}, un numero troppo piccolo per un "
            f"confronto{against}.")


def phrase(indicator: Indicator, value, reference, benchmark: Territorio, base=None) -> str:
    """``"Indice di vecchiaia 167,2: nettamente inferiore alla Regione Emilia-Romagna (198,2)."``

    With the value's ``base``: a gap within chance says so (see the module's rules)."""
    shown = format_value(value, indicator.unita)
    if indicator.unita in EXTENSIVE_UNITS and value is not None and reference:
        share = _share_words(value / reference * 100)
        return f"{indicator.etichetta} {shown}: {share} {_forms(benchmark)['di']} ({format_value(reference, indicator.unita)})."
    compared = comparison_sense(indicator, value, reference)
    if compared is None:
        return f"{indicator.etichetta} {shown}: confronto con {benchmark.nome} non disponibile."
    sense, template = compared
    chance = "" if sense == 0 or beyond_chance(indicator, value, reference, base) else \
        f", uno scarto che su {count_words(indicator, base)} può essere dovuto al caso"
    return (f"{indicator.etichetta} {shown}: {template.format(**_forms(benchmark))} "
            f"({format_value(reference, indicator.unita)}){chance}.")


def judgement(indicator: Indicator, value, reference, base=None) -> str:
    """``favorevole`` / ``neutro`` / ``critico`` by the indicator's direction; ``neutro`` when not
    comparable, or when the gap is within what chance gives on ``base``."""
    compared = comparison_sense(indicator, value, reference)
    if compared is None or indicator.direzione == "neutro" or indicator.unita in EXTENSIVE_UNITS:
        return "neutro"
    if not beyond_chance(indicator, value, reference, base):
        return "neutro"
    sense = compared[0] if indicator.direzione == "positivo" else -compared[0]
    return JUDGEMENTS[sense]
