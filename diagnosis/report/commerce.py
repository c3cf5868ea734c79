"""The commercial-fabric section of the fotografia: ISTAT local units, OpenStreetMap, the
analyst's register and vacancy survey. Each part shows what the store holds and, for what
it lacks, a short note with the command that gets it."""

from __future__ import annotations

from diagnosis.indicators.commerce_analysis import lq_reading
from diagnosis.sources.commerce_groups import all_groups
from diagnosis.formatting import format_number, format_value
from diagnosis.indicators import INDICATORS
from diagnosis.indicators.comparison import closest_benchmark
from diagnosis.report.sections import csv_link, esc, judgement_badge
from diagnosis.tables import analyst, local_units, osm_points
from diagnosis.territory.model import Territorio, parents
from diagnosis.viz import commerce as commerce_charts

SURVEY_KEYS = ("tasso_sfitti_rilevazione", "locali_sfitti_rilevazione", "mesi_medi_sfitto",
               "saldo_aperture_chiusure", "quota_medie_grandi_strutture")
OSM_KEYS = ("negozi_osm", "bar_ristoranti_osm", "locali_sfitti_osm", "quota_sfitti_osm")
ASIA_KEYS = ("unita_locali_per_1000_abitanti", "variazione_unita_locali_pct", "addetti_per_unita_locale")


def group_density_key(group_id: str) -> str:
    return f"unita_locali_{group_id}_per_1000_abitanti"


def _cards(result: dict, keys) -> str:
    cards = "".join(
        '<div class="cifra">'
        f'<span class="valore">{esc(format_value(result["indicatori"][k]["valore"], result["indicatori"][k]["unita"]))}</span>'
        f'<span class="etichetta">{esc(INDICATORS[k].etichetta)}</span></div>'
        for k in keys if result["indicatori"][k]["valore"] is not None
    )
    return f'<div class="cifre-chiave">{cards}</div>' if cards else ""


def _sentences(result: dict, keys) -> str:
    items = "".join(f"<li>{judgement_badge(result['indicatori'][k].get('giudizio'))} {esc(result['indicatori'][k]['frase'])}</li>"
                    for k in keys if result["indicatori"][k].get("frase") and result["indicatori"][k]["valore"] is not None)
    return f'<ul class="sintesi">{items}</ul>' if items else ""


def _missing(result: dict, key: str, what: str) -> str:
    return f'<p class="nota">{esc(what)} non disponibili. {esc(result["indicatori"][key].get("nota", ""))}</p>'


def densities(result: dict, territory_id: str | None = None) -> dict[str, float | None]:
    """Group id → local units per 1,000 inhabitants (of the territory, or of a benchmark id)."""
    found = {}
    for group in all_groups().values():
        key = group_density_key(group.id)
        if key in result["indicatori"]:
            entry = result["indicatori"][key]
            found[group.id] = entry["valore"] if territory_id is None else entry["confronti"].get(territory_id)
    return found


def asia_part(territory: Territorio, result: dict) -> str:
    if result["indicatori"]["unita_locali_per_1000_abitanti"]["valore"] is None:
        return _missing(result, "unita_locali_per_1000_abitanti", "Unità locali ISTAT (ASIA)")
    summary = result.get("commercio", {})
    group_keys = tuple(k for k in map(group_density_key, all_groups()) if k in result["indicatori"])
    parts = [_cards(result, ASIA_KEYS), _sentences(result, ASIA_KEYS + group_keys)]
    parts.append(_density_table(territory, result))
    parts.append(top_activities_table(territory, result))
    parts.append(_mix_table(summary))
    parts.append(missing_categories_table(summary))
    parts.append(f'<p class="fonte">Fonte: {esc(result["indicatori"]["unita_locali_per_1000_abitanti"]["fonte"])}</p>')
    return "".join(parts)


def _density_table(territory: Territorio, result: dict) -> str:
    benchmarks = parents(territory)
    head = "".join(f'<th scope="col">{esc(p.nome)}</th>' for p in benchmarks)
    rows, csv_rows = [], []
    for group_id, value in densities(result).items():
        entry = result["indicatori"][group_density_key(group_id)]
        cells = "".join(f'<td class="num">{esc(format_value(entry["confronti"].get(p.id), "per 1.000"))}</td>'
                        for p in benchmarks)
        rows.append(f'<tr><th scope="row">{esc(all_groups()[group_id].nome)}</th>'
                    f'<td class="num territorio">{esc(format_value(value, "per 1.000"))}</td>{cells}'
                    f"<td>{judgement_badge(entry.get('giudizio') if value is not None else None)}</td></tr>")
        csv_rows.append({"gruppo": all_groups()[group_id].nome, territory.nome: value,
                         **{p.nome: entry["confronti"].get(p.id) for p in benchmarks}})
    return (f'<table class="tabella"><caption>Unità locali per 1.000 abitanti, per gruppo</caption>'
            f'<thead><tr><th scope="col">Gruppo</th><th scope="col">{esc(territory.nome)}</th>{head}'
            f'<th scope="col">Giudizio</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            + csv_link(csv_rows, "densita_commerciale.csv"))


TOP_ACTIVITIES = 12


def top_activities_table(territory: Territorio, result: dict) -> str:
    """The most frequent activities (ATECO codes) of the territory, with their share."""
    found = local_units.by_code(territory.comuni, result["anno"])
    if found.empty:
        return ""
    whole = found["unita_locali"].sum()
    top = found.head(TOP_ACTIVITIES)
    body = "".join(
        f'<tr><th scope="row">{esc(row.ateco)}</th><td>{esc(row.descrizione or "—")}</td>'
        f'<td class="num">{esc(format_number(row.unita_locali, 0))}</td>'
        f'<td class="num">{esc(format_number(row.addetti, 0))}</td>'
        f'<td class="num">{esc(format_number(row.unita_locali / whole * 100, 1))} %</td></tr>'
        for row in top.itertuples()
    )
    return ('<table class="tabella"><caption>Le attività più presenti (codici ATECO 2007)</caption><thead><tr>'
            '<th scope="col">ATECO</th><th scope="col">Attività</th><th scope="col">Unità locali</th>'
            '<th scope="col">Addetti</th><th scope="col">Quota</th></tr></thead>'
            f'<tbody>{body}</tbody></table>' + csv_link(found.to_dict("records"), "attivita_ateco.csv"))


def _mix_table(summary: dict) -> str:
    shares = summary.get("quote") or {}
    if not shares:
        return ""
    quotients = summary.get("quozienti_localizzazione") or {}
    names = {"provincia": "provincia", "regione": "regione", "italia": "Italia"}
    head = "".join(f'<th scope="col">QL {esc(names.get(b.split(":")[0], b))}</th>' for b in quotients)
    rows, csv_rows = [], []
    for group_id, share in shares.items():
        cells = "".join(
            f'<td class="num">{esc(format_number(q.get(group_id), 2) if q.get(group_id) is not None else "—")} '
            f'<small>({esc(lq_reading(q.get(group_id)))})</small></td>' for q in quotients.values()
        )
        rows.append(f'<tr><th scope="row">{esc(all_groups()[group_id].nome)}</th>'
                    f'<td class="num">{esc(format_number(share, 1))} %</td>{cells}</tr>')
        csv_rows.append({"gruppo": all_groups()[group_id].nome, "quota_pct": share,
                         **{f"ql_{b}": q.get(group_id) for b, q in quotients.items()}})
    return (f'<table class="tabella"><caption>Composizione del tessuto commerciale e quozienti di localizzazione '
            f'(QL: 1 = stessa composizione del confronto)</caption><thead><tr><th scope="col">Gruppo</th>'
            f'<th scope="col">Quota</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            + csv_link(csv_rows, "composizione_commerciale.csv"))


def missing_categories_table(summary: dict) -> str:
    rows = summary.get("categorie_mancanti") or []
    if not rows:
        return ""
    body = "".join(
        f'<tr><th scope="row">{esc(r["nome"])}</th><td class="num">{esc(format_number(r["attese"], 1))}</td>'
        f'<td class="num">{esc(format_number(r["presenti"], 0))}</td><td class="num">{esc(format_number(r["scarto"], 1))}</td>'
        f'<td>{"da attrarre" if r["mancanti"] else "in linea" if r["scarto"] > -1 else "oltre l&#x27;atteso"}</td></tr>'
        for r in rows
    )
    return ('<table class="tabella"><caption>Categorie mancanti: unità attese al tasso dei comuni simili × '
            'popolazione, contro quelle presenti</caption><thead><tr><th scope="col">Gruppo</th>'
            '<th scope="col">Attese</th><th scope="col">Presenti</th><th scope="col">Scarto</th>'
            f'<th scope="col">Lettura</th></tr></thead><tbody>{body}</tbody></table>'
            + csv_link(rows, "categorie_mancanti.csv"))


def signals_list(result: dict) -> str:
    signals = (result.get("commercio") or {}).get("segnali_desertificazione") or []
    if not signals:
        return ""
    items = "".join(f'<li>{judgement_badge("critico")} {esc(s["testo"])}</li>' for s in signals)
    return f'<h3>Segnali di desertificazione commerciale</h3><ul class="sintesi">{items}</ul>'


def osm_part(territory: Territorio, result: dict) -> str:
    if result["indicatori"]["negozi_osm"]["valore"] is None:
        return _missing(result, "negozi_osm", "Dati OpenStreetMap")
    return (_cards(result, OSM_KEYS) + osm_groups_table(territory)
            + '<p class="nota">OpenStreetMap è mappato da volontari: i conteggi sono un minimo e la copertura '
              "varia da comune a comune; servono a localizzare, non a contare con precisione.</p>"
            + f'<p class="fonte">Fonte: {esc(result["indicatori"]["negozi_osm"]["fonte"])}</p>')


def osm_groups_table(territory: Territorio) -> str:
    """Active places mapped in OpenStreetMap per group (a place counts in each of its groups)."""
    totals = osm_points.totals(territory.comuni)
    if totals is None or not totals.attivi_per_gruppo:
        return ""
    rows = [(all_groups()[g].nome, n) for g, n in sorted(totals.attivi_per_gruppo.items(), key=lambda kv: -kv[1])]
    body = "".join(f'<tr><th scope="row">{esc(name)}</th><td class="num">{esc(format_number(n, 0))}</td></tr>'
                   for name, n in rows)
    return ('<table class="tabella"><caption>Attività mappate in OpenStreetMap, per gruppo</caption>'
            '<thead><tr><th scope="col">Gruppo</th><th scope="col">Attive</th></tr></thead>'
            f'<tbody>{body}</tbody></table>'
            + csv_link([{"gruppo": name, "attive": n} for name, n in rows], "osm_per_gruppo.csv"))


RECENT_YEARS = 10


def _recent_movements(flows: dict) -> dict:
    """The last ten years, plus any older year with an opening or a closing."""
    if not flows:
        return {}
    last = max(flows)
    return {y: v for y, v in flows.items() if y > last - RECENT_YEARS or v["aperture"] or v["chiusure"]}


def survey_part(territory: Territorio, result: dict) -> str:
    if result["indicatori"]["tasso_sfitti_rilevazione"]["valore"] is None and \
            result["indicatori"]["saldo_aperture_chiusure"]["valore"] is None:
        return _missing(result, "tasso_sfitti_rilevazione", "Registro dei negozi e rilevazione degli sfitti")

    figures = analyst.figures(territory.id) or {}
    parts = [_cards(result, SURVEY_KEYS)]
    flows = _recent_movements(figures.get("aperture_chiusure") or {})
    if flows:
        rows = "".join(f'<tr><th scope="row">{y}</th><td class="num">{v["aperture"]}</td>'
                       f'<td class="num">{v["chiusure"]}</td><td class="num">{v["saldo"]:+d}</td></tr>'
                       for y, v in sorted(flows.items()))
        parts.append('<table class="tabella"><caption>Aperture e chiusure per anno (registro dei negozi)</caption>'
                     '<thead><tr><th scope="col">Anno</th><th scope="col">Aperture</th><th scope="col">Chiusure</th>'
                     f'<th scope="col">Saldo</th></tr></thead><tbody>{rows}</tbody></table>'
                     + csv_link([{"anno": y, **v} for y, v in sorted(flows.items())], "aperture_chiusure.csv"))
    notes = figures.get("note") or []
    if notes:
        parts.append('<ul class="mancanti">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    parts.append(f'<p class="fonte">Fonte: {esc(figures.get("fonte", ""))}</p>')
    return "".join(parts)


def _heading3(text: str) -> str:
    return f"<h3>{esc(text)}</h3>"


def commerce_blocks(territory: Territorio, result: dict) -> list:
    """The section in display order: HTML strings and charts (a chart only when it has data)."""
    blocks: list = [_heading3("Imprese e unità locali (ISTAT ASIA)"), asia_part(territory, result)]
    benchmark = closest_benchmark(parents(territory))
    own = densities(result)
    if benchmark is not None and any(v is not None for v in own.values()):
        year = (result.get("commercio") or {}).get("anno_asia", result["anno"])
        blocks.append(commerce_charts.group_density_bars(territory, own, benchmark.nome,
                                                         densities(result, benchmark.id), year))
        quotients = (result.get("commercio") or {}).get("quozienti_localizzazione", {}).get(benchmark.id)
        if quotients and any(v is not None for v in quotients.values()):
            blocks.append(commerce_charts.location_quotient_bars(territory, quotients, benchmark.nome, year))
    blocks.append(signals_list(result))
    blocks += [_heading3("Negozi e locali sfitti in OpenStreetMap"), osm_part(territory, result)]
    points = osm_points.points(territory.comuni)
    if not points.dropna(subset=["lat", "lon"]).empty:
        blocks.append(commerce_charts.points_map(territory, points, result["indicatori"]["negozi_osm"]["fonte"]))
    blocks += [_heading3("Rilevazione sul campo: registro dei negozi e locali sfitti"), survey_part(territory, result)]

    surveyed = analyst.points(territory.id)
    if not surveyed.empty:
        source = (analyst.figures(territory.id) or {}).get("fonte", "Rilevazione dell'analista")
        blocks.append(commerce_charts.points_map(territory, surveyed, source, "negozi attivi e locali sfitti rilevati"))
    return [block for block in blocks if block]
