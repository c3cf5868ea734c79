"""The summary page of a fotografia: the few findings that matter and what connects them.

Built from a ``dg.indicatori`` table (and the signals of ``dg.desertificazione``) by rules
the methodology section of the report repeats:

1. **Candidates** are the indicators judged favourable or critical against the closest
   benchmark: never a value on fewer than 20 people or events, never a gap that the
   chance variation of its count explains, never an indicator with no better direction
   (see :mod:`diagnosis.indicators.comparison`). A theme that no judgement tells, whose
   headline rests on a handful of people, is told by that headline's absolute numbers,
   with no judgement ("2 residenti in meno in un anno").
2. **One finding per theme** — population change, age, incomes, businesses and shops —
   told by the first judged indicator of the theme's ``HEADLINES`` (the one a reader knows:
   the population change before the migration rate), else by its indicator furthest from
   the benchmark; at most ``FINDINGS`` themes, the furthest from the benchmark first
   (relative gap; changes in points).
3. **Each finding** gives the value, the benchmark's value, what the number measures and,
   for a comune or a district, its place among the similar comuni ("il 3° valore più alto
   fra 21 comuni simili"). Each theme has its own sentence, so that the page does not read
   as one template repeated.
4. **What connects them**: the first two rules of ``CONNECTIONS`` whose conditions hold
   (an old population with low incomes and few shops; a young population with many foreign
   residents; …). The conditions read the same judgements, and the share of foreign
   residents, which has no better direction, when it is at least 1,4 times or at most 0,6
   times the benchmark's. When no rule holds the page says so, and when most values rest
   on a handful of people it says that instead.

The findings are left out of the strengths and weaknesses that follow
(``sections.strengths_and_weaknesses(..., esclusi=...)``), so each is said once.
"""

from __future__ import annotations

import pandas as pd

from diagnosis.formatting import format_value
from diagnosis.indicators import INDICATORS
from diagnosis.report.markup import Markup, render
from diagnosis.report.sections import benchmark_values, by_distance, judgement_badge, own_rows

FINDINGS = 4
THEMES = {
    "popolazione": ("variazione_popolazione", "tasso_"),
    "eta": ("eta_media", "quota_0_14", "quota_15_64", "quota_65_piu", "quota_80_piu", "indice_"),
    "redditi": ("reddito_", "quota_redditi_", "variazione_reale_reddito"),
    "imprese": ("unita_locali", "addetti", "valore_aggiunto", "variazione_unita_locali", "quota_addetti",
                "quota_dipendenti", "tasso_sfitti", "saldo_aperture", "quota_medie_grandi"),
}
HEADLINES = {
    "popolazione": ("variazione_popolazione_pct", "variazione_popolazione_lungo_periodo_pct", "tasso_crescita_naturale",
                    "tasso_migratorio_totale"),
    "eta": ("indice_vecchiaia", "eta_media", "quota_65_piu", "quota_0_14"),
    "redditi": ("reddito_imponibile_per_contribuente", "reddito_imponibile_per_abitante"),
    "imprese": ("unita_locali_dettaglio_totale_per_1000_abitanti", "unita_locali_per_1000_abitanti",
                "unita_locali_frame_per_1000_abitanti", "addetti_per_1000_abitanti"),
}
LEADS = {
    ("popolazione", "favorevole"): "La popolazione tiene meglio del confronto",
    ("popolazione", "critico"): "La popolazione perde terreno rispetto al confronto",
    ("eta", "favorevole"): "Una popolazione più giovane",
    ("eta", "critico"): "Una popolazione più anziana",
    ("redditi", "favorevole"): "Redditi più alti",
    ("redditi", "critico"): "Redditi più bassi",
    ("imprese", "favorevole"): "Imprese e negozi in vantaggio",
    ("imprese", "critico"): "Imprese e negozi in ritardo",
}
FOREIGN_MANY, FOREIGN_FEW = 1.4, 0.6  # the share of foreign residents against the benchmark's
SMALL_SHARE = 1 / 3  # beyond this share of values on small numbers, the page says so

# (conditions that must all hold, sentence): the first two that hold connect the findings.
CONNECTIONS = (
    (("anziana", "redditi_bassi", "pochi_negozi"),
     "Una popolazione anziana, con redditi bassi e pochi negozi: chi si sposta meno dipende di più dal commercio "
     "di vicinato, ma la spesa che può sostenerlo è limitata."),
    (("anziana", "pochi_negozi"),
     "Una popolazione anziana e pochi negozi: i residenti che si spostano meno sono quelli che più dipendono dal "
     "commercio di vicinato."),
    (("calo", "anziana"),
     "Meno residenti e più anziani: il bacino dei negozi si restringe e cambia, verso servizi e prodotti di "
     "prossimità."),
    (("anziana", "redditi_bassi"),
     "Età e redditi vanno letti insieme: dove gli anziani sono molti, una parte dei redditi dichiarati sono "
     "pensioni, e la capacità di spesa locale ne risente."),
    (("giovane", "stranieri_molti"),
     "Una popolazione giovane, con più residenti stranieri del confronto: famiglie arrivate da fuori che portano "
     "una domanda di negozi e servizi diversa da quella dei residenti di lunga data."),
    (("giovane", "redditi_bassi"),
     "Una popolazione giovane ma con redditi più bassi: una domanda ampia, con una capacità di spesa per persona "
     "più contenuta."),
    (("redditi_alti", "pochi_negozi"),
     "Redditi alti ma pochi negozi: una capacità di spesa che il commercio locale non sembra intercettare e che "
     "probabilmente si rivolge ad altri centri."),
    (("crescita", "giovane"),
     "Una popolazione che cresce e resta giovane: un bacino di clienti in aumento per il commercio locale."),
    (("crescita", "pochi_negozi"),
     "La popolazione cresce ma i negozi restano pochi: una domanda nuova che l'offerta non ha ancora seguito."),
    (("giovane", "redditi_alti"),
     "Una popolazione più giovane e con redditi più alti: una capacità di spesa che il commercio locale può "
     "trattenere."),
    (("anziana", "redditi_alti"),
     "Una popolazione più anziana ma con redditi più alti: una spesa stabile, attenta alla prossimità e ai "
     "servizi."),
    (("stranieri_molti", "redditi_bassi"),
     "Molti residenti stranieri e redditi più bassi: una popolazione di lavoratori, spesso in affitto, con una "
     "spesa attenta al prezzo."),
)
NO_PROFILE = ("Gli scostamenti dal confronto non compongono un profilo unico: ciascuno va letto con la sua "
              "sezione.")
SMALL_PROFILE = ("Con {residenti} residenti quasi ogni indicatore poggia su pochi casi, e una persona in più o in "
                 "meno ne cambia il valore: la fotografia riporta i numeri assoluti, non giudizi.")
IN_LINE = ("Nessun indicatore si discosta dal confronto più di quanto il caso possa spiegare: su questi dati il "
           "territorio è in linea con {confronto}.")


def theme_of(key: str) -> str | None:
    for theme, prefixes in THEMES.items():
        if key.startswith(prefixes):
            return theme
    return None


def _of(name: str) -> str:
    """``"della Provincia di Milano"``, ``"dell'Italia"``."""
    return "dell'Italia" if name == "Italia" else f"della {name}"


def rank_words(rank, out_of) -> str:
    """``", il 3° valore più alto fra 21 comuni simili"``, counted from the nearer end; empty without peers."""
    if pd.isna(rank) or pd.isna(out_of) or int(out_of) < 2:
        return ""
    rank, out_of = int(rank), int(out_of)
    if rank == 1:
        return f", il valore più alto fra {out_of} comuni simili"
    if rank == out_of:
        return f", il valore più basso fra {out_of} comuni simili"
    if rank <= out_of / 2:
        return f", {_the_nth(rank)} valore più alto fra {out_of} comuni simili"
    return f", {_the_nth(out_of - rank + 1)} più basso fra {out_of} comuni simili"


def _the_nth(number: int) -> str:
    """``"il 3°"``, ``"l'8°"``, ``"l'11°"``: the article follows the spoken number."""
    return f"l'{number}°" if number in (8, 11) or str(number).startswith("8") else f"il {number}°"


def _sentence(key: str, row, reference: float, benchmark: str) -> str:
    """The finding's sentence: its shape depends on the theme (rule 3)."""
    indicator = INDICATORS[key]
    value, against = format_value(row["valore"], indicator.unita), format_value(reference, indicator.unita)
    label = indicator.etichetta[:1].lower() + indicator.etichetta[1:]
    lead = LEADS[(theme_of(key), row["giudizio"])]
    comparison = row["frase"].rsplit(": ", 1)[-1].rstrip(".")
    rank = rank_words(row["rango_pari"], row["su_pari"])
    meaning = indicator.definizione
    theme = theme_of(key)
    if theme == "eta":
        return f"{lead}: {label} {value}, contro {against} {_of(benchmark)}{rank}. {meaning}"
    if theme == "popolazione":
        return f"{lead}. {indicator.etichetta} {value} ({row['riferimento']}): {comparison}{rank}."
    if theme == "redditi":
        return f"{lead}: {value} di {label} nell'{row['riferimento']}, {comparison}{rank}."
    return f"{lead}, con {label} a {value}: {comparison}{rank}. {meaning}"


def findings(indicators: pd.DataFrame) -> pd.DataFrame:
    """The summary's findings (rules 1-3): columns ``indicatore``, ``tema``, ``giudizio``, ``frase``."""
    ranked = by_distance(indicators)
    ranked = ranked[ranked["giudizio"].isin(("favorevole", "critico"))]
    ranked = ranked.assign(tema=[theme_of(key) for key in ranked.index]).dropna(subset=["tema"])
    chosen = ranked.loc[[_headline(ranked, theme) for theme in ranked["tema"].unique()]]
    chosen = chosen.sort_values("distanza", ascending=False, kind="stable").head(FINDINGS)
    closest = chosen["confronto"].iloc[0] if len(chosen) else None
    references = benchmark_values(indicators, closest)
    benchmark = _benchmark_name(indicators, closest)
    rows = [{"indicatore": key, "tema": row["tema"], "giudizio": row["giudizio"],
             "frase": _sentence(key, row, references[key], benchmark)} for key, row in chosen.iterrows()]
    rows += _counted(indicators, set(chosen["tema"]))
    return pd.DataFrame(rows[:FINDINGS], columns=["indicatore", "tema", "giudizio", "frase"])


def _counted(indicators: pd.DataFrame, told: set[str]) -> list[dict]:
    """For a theme no judgement tells, its headline on a handful of people: the absolute numbers (rule 1)."""
    own = own_rows(indicators)
    rows = []
    for theme, headlines in HEADLINES.items():
        small = [key for key in headlines if key in own.index and own.loc[key, "piccoli_numeri"]
                 and pd.notna(own.loc[key, "valore"])]
        if theme not in told and small:
            rows.append({"indicatore": small[0], "tema": theme, "giudizio": "non giudicato",
                         "frase": own.loc[small[0], "frase"]})
    return rows


def _headline(ranked: pd.DataFrame, theme: str) -> str:
    """The indicator that tells a theme: the first judged of its headlines, else the furthest."""
    judged = [key for key in HEADLINES[theme] if key in ranked.index]
    return judged[0] if judged else ranked.index[ranked["tema"] == theme][0]


def _benchmark_name(indicators: pd.DataFrame, benchmark_id: str | None) -> str:
    names = indicators.loc[indicators["territorio"] == benchmark_id, "nome"]
    return names.iloc[0] if len(names) else ""


def profile(indicators: pd.DataFrame, signals: pd.DataFrame | None = None) -> set[str]:
    """The conditions of ``CONNECTIONS`` that hold for the territory (rule 4)."""
    own = own_rows(indicators)
    verdict = own["giudizio"].where(own["valore"].notna())

    def any_is(keys, wanted):
        return any(verdict.get(key) == wanted for key in keys)

    age = ("indice_vecchiaia", "quota_65_piu", "eta_media")
    income = ("reddito_imponibile_per_contribuente", "reddito_imponibile_per_abitante")
    shops = ("unita_locali_dettaglio_totale_per_1000_abitanti", "unita_locali_per_1000_abitanti")
    change = own.loc["variazione_popolazione_pct"]
    growing = change["giudizio"] == "favorevole" and change["valore"] > 0  # not "falling less than the province"
    falling = change["giudizio"] == "critico" and change["valore"] < 0
    held = {name for name, holds in (
        ("anziana", any_is(age, "critico")), ("giovane", any_is(age, "favorevole")),
        ("redditi_bassi", any_is(income, "critico")), ("redditi_alti", any_is(income, "favorevole")),
        ("pochi_negozi", any_is(shops, "critico") or (signals is not None and not signals.empty)),
        ("molti_negozi", any_is(shops, "favorevole")),
        ("calo", falling), ("crescita", growing),
    ) if holds}
    return held | _foreign_residents(indicators, own)


def _foreign_residents(indicators: pd.DataFrame, own: pd.DataFrame) -> set[str]:
    row = own.loc["quota_stranieri"]
    reference = benchmark_values(indicators, row["confronto"]).get("quota_stranieri")
    if pd.isna(row["valore"]) or row["piccoli_numeri"] or not reference or pd.isna(reference):
        return set()
    ratio = row["valore"] / reference
    return {"stranieri_molti"} if ratio >= FOREIGN_MANY else {"stranieri_pochi"} if ratio <= FOREIGN_FEW else set()


def connections(indicators: pd.DataFrame, signals: pd.DataFrame | None = None,
                found: pd.DataFrame | None = None) -> list[str]:
    """What connects the findings: at most two sentences (rule 4). ``found`` is
    :func:`findings` of the same table, when already made."""
    held = profile(indicators, signals)
    sentences = [sentence for needed, sentence in CONNECTIONS if set(needed) <= held][:2]
    if sentences:
        return sentences
    own = own_rows(indicators)
    valued = own[own["valore"].notna()]
    if len(valued) and valued["piccoli_numeri"].mean() >= SMALL_SHARE:
        return [SMALL_PROFILE.format(residenti=format_value(own.loc["popolazione", "valore"], "abitanti"))]
    found = findings(indicators) if found is None else found
    if not found["giudizio"].isin(("favorevole", "critico")).any():
        closest = own["confronto"].dropna().iloc[0] if own["confronto"].notna().any() else None
        name = _benchmark_name(indicators, closest)
        return [IN_LINE.format(confronto=name)] if name else []
    return [NO_PROFILE]


class Sintesi:
    """The summary page as the notebook shows it: the findings, each after its judgement, then
    what connects them."""

    def __init__(self, trovati: pd.DataFrame, legami: list[str]):
        self.trovati, self.legami = trovati, legami

    @property
    def indicatori(self) -> list[str]:
        """The indicators the findings speak of, to be left out of the strengths and weaknesses."""
        return list(self.trovati["indicatore"])

    def _repr_html_(self) -> Markup:
        items = [(sentence, judgement_badge(judgement))
                 for sentence, judgement in zip(self.trovati["frase"], self.trovati["giudizio"])]
        return render("sintesi.html.j2", findings=items, connections=self.legami)

    def __repr__(self) -> str:
        return "\n".join([f"- {sentence}" for sentence in self.trovati["frase"]] + self.legami)


def sintesi(indicators: pd.DataFrame, signals: pd.DataFrame | None = None) -> Sintesi:
    """The summary page of a ``dg.indicatori`` table (and ``dg.desertificazione`` signals)."""
    found = findings(indicators)
    return Sintesi(found, connections(indicators, signals, found))
