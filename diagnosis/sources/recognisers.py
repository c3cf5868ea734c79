"""Recognisers for the files of every reader beyond demo.istat.it, registered with the store.

Each one looks at the content only (header cells, title line), never the file name, and
returns ``None`` for anything that is not its dataset. Importing this module registers
them; ``diagnosis.store.recognise.recognise`` imports it before asking.
"""

from __future__ import annotations

from diagnosis.store.recognise import Recognised, Sample, recogniser


def _header(sample: Sample) -> list[str]:
    rows = sample.lines
    return [cell.strip().casefold() for cell in rows[0]] if rows else []


@recogniser("mef_irpef", "MEF, Redditi e principali variabili IRPEF su base comunale (CSV o ZIP, un anno d'imposta)")
def recognise_mef_irpef(sample: Sample) -> Recognised | None:
    from diagnosis.sources.mef_irpef import recognise_mef_table

    if sample.container == "xlsx":
        return None
    found = recognise_mef_table(sample.head, sample.member, sample.name)
    if found is None or found["year"] is None:
        return None
    year = int(found["year"])
    suffix = "zip" if found["container"] == "zip" else "csv"
    return Recognised(
        dataset="mef_irpef", years=(year,), status="definitivo", container=found["container"],
        member=found["member"], description=f"MEF IRPEF anno d'imposta {year}",
        suggested_name=f"Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_{year}.{suffix}",
    )


@recogniser("comuni_soppressi", "ISTAT, Elenco dei comuni soppressi (CSV o ZIP)")
def recognise_soppressi(sample: Sample) -> Recognised | None:
    header = _header(sample)
    wanted = ("codice comune", "denominazione comune", "data evento")
    if not all(any(cell.startswith(w) for cell in header) for w in wanted):
        return None
    if not any("associato alla variazione" in cell for cell in header):
        return None
    return Recognised(
        dataset="comuni_soppressi", years=(_latest_year(sample),), status="definitivo",
        container=sample.container, member=sample.member, description="Elenco comuni soppressi",
        suggested_name=f"Elenco-comuni-soppressi.{'zip' if sample.container == 'zip' else 'csv'}",
    )


@recogniser("variazioni_comuni", "ISTAT, Variazioni amministrative e territoriali dal 1991 (CSV o ZIP)")
def recognise_variazioni(sample: Sample) -> Recognised | None:
    header = _header(sample)
    if not any(cell.startswith("tipo variazione") for cell in header):
        return None
    if not any("associat" in cell or "nuovo codice" in cell for cell in header):
        return None
    return Recognised(
        dataset="variazioni_comuni", years=(_latest_year(sample),), status="definitivo",
        container=sample.container, member=sample.member, description="Variazioni amministrative e territoriali",
        suggested_name=f"Variazioni-amministrative-e-territoriali.{'zip' if sample.container == 'zip' else 'csv'}",
    )


@recogniser("ricodifica_sardegna", "ISTAT, ricodifica dei comuni della Sardegna del 2026 (CSV o ZIP)")
def recognise_sardegna(sample: Sample) -> Recognised | None:
    import re

    rows = [row for row in sample.lines if len(row) >= 3]
    codes = [row for row in rows if re.fullmatch(r"\d{6}", row[0].strip()) and re.fullmatch(r"\d{6}", row[2].strip())]
    if len(codes) < 3 or not all(row[0].strip()[:3] in {str(p) for p in range(112, 120)} for row in codes):
        return None
    return Recognised(
        dataset="ricodifica_sardegna", years=(2026,), status="definitivo", container=sample.container,
        member=sample.member, description="Ricodifica dei comuni della Sardegna (1° gennaio 2026)",
        suggested_name=f"Codici-Sardegna.{'zip' if sample.container == 'zip' else 'csv'}",
    )


@recogniser("elenco_comuni", "ISTAT, Elenco dei comuni italiani (CSV)")
def recognise_elenco_comuni(sample: Sample) -> Recognised | None:
    text = " ".join(" ".join(row) for row in sample.lines[:3]).casefold()
    if "codice comune formato alfanumerico" not in text or "codice catastale" not in text:
        return None
    return Recognised(
        dataset="elenco_comuni", years=(_latest_year(sample),), status="definitivo",
        container=sample.container, member=sample.member, description="Elenco comuni italiani",
        suggested_name="Elenco-comuni-italiani.csv",
    )


def _latest_year(sample: Sample) -> int:
    """The most recent year written in the first rows (the list's reference year)."""
    import re
    from datetime import date

    years = [int(y) for row in sample.lines[1:] for cell in row for y in re.findall(r"\b(19\d\d|20\d\d)\b", cell)]
    plausible = [y for y in years if y <= date.today().year]
    return max(plausible) if plausible else date.today().year


SDMX_DATASETS = {"183_1163": "asia_ul", "29_316": "stranieri_sdmx", "22_315": "bilancio_sdmx", "22_289": "popolazione_sdmx",
                 "164_164": "popolazione_ricostruita"}


@recogniser("asia_ul / stranieri_sdmx / bilancio_sdmx / popolazione_sdmx",
            "ISTAT, risposta SDMX-CSV dei dataflow 183_1163 (unità locali), 29_316 (stranieri), "
            "22_315 (bilancio e famiglie), 22_289 (popolazione)")
def recognise_sdmx_csv(sample: Sample) -> Recognised | None:
    if sample.container == "xlsx" or not sample.header_cells or sample.header_cells[0] != "DATAFLOW":
        return None
    from diagnosis.sources.istat_sdmx import parse_sdmx_csv

    first_row = sample.head.decode("utf-8-sig", errors="replace").split("\n", 2)[1:2]
    flow = next((flow for flow in SDMX_DATASETS if first_row and f":{flow}" in first_row[0].split(",")[0]), None)
    if flow is None:
        return None
    from diagnosis.sources.demo_istat import csv_payload
    from diagnosis.tables.editions import least_final

    frame = parse_sdmx_csv(csv_payload(sample.data))
    codes = sorted(c for c in frame["REF_AREA"].unique() if c.isdigit() and len(c) == 6)
    years = tuple(sorted(int(y) for y in frame["anno"].unique()))
    status = least_final(set(frame["stato"]))
    dataset = SDMX_DATASETS[flow]
    return Recognised(
        dataset=dataset, years=years, status=status, container=sample.container, member=sample.member,
        description=f"ISTAT SDMX {flow}",
        suggested_name=f"importato_{flow}_{_span(years)}.{'zip' if sample.container == 'zip' else 'csv'}",
        comuni=tuple(codes),
    )


def _span(years: tuple[int, ...]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


@recogniser("osm", "OpenStreetMap, risposta JSON di Overpass o GeoJSON (osmtogeojson) di un comune, con --territorio")
def recognise_osm(sample: Sample) -> Recognised | None:
    if sample.container != "csv":
        return None
    from datetime import date

    from diagnosis.sources.overpass import data_date, looks_like_osm

    kind = looks_like_osm(sample.data)
    if kind is None:
        return None
    taken = data_date(sample.data) or date.today().isoformat()
    return Recognised(
        dataset="osm", years=(int(taken[:4]),), status="definitivo", container="csv",
        description=f"OpenStreetMap ({'Overpass' if kind == 'overpass' else 'GeoJSON'})",
        suggested_name="osm.geojson" if kind == "geojson" else "osm.json", per_territorio=True,
    )


@recogniser("registro_negozi / rilevazione_sfitti",
            "registro dei negozi o rilevazione dei locali sfitti compilati dall'analista "
            "(modelli in templates/, CSV o XLSX), con --territorio")
def recognise_analyst_file(sample: Sample) -> Recognised | None:
    from diagnosis.commerce.analyst_files import kind_of

    kind = kind_of(sample.header_cells) if sample.header_cells else None
    if kind is None:
        return None
    description = "registro dei negozi" if kind == "registro_negozi" else "rilevazione dei locali sfitti"
    return _field_file(sample, kind, description)


def _field_file(sample: Sample, dataset: str, description: str) -> Recognised:
    """A file compiled on the ground for one territory: dated today, stored as it came (CSV or XLSX)."""
    from datetime import date

    suffix = "xlsx" if sample.container == "xlsx" else "csv"
    return Recognised(
        dataset=dataset, years=(date.today().year,), status="definitivo", container=sample.container,
        description=description, suggested_name=f"{dataset}.{suffix}", per_territorio=True,
    )


@recogniser("questionario",
            "questionario di ascolto (modello templates/questionario.csv, LimeSurvey, Google Forms, "
            "Microsoft Forms), con --territorio")
def recognise_survey(sample: Sample) -> Recognised | None:
    from diagnosis.survey import looks_like_survey

    tool = looks_like_survey(sample.header_cells) if sample.header_cells else None
    return None if tool is None else _field_file(sample, "questionario", f"questionario ({tool})")


@recogniser("indice_prezzi", "indice dei prezzi al consumo per anno (colonne anno e indice, es. ISTAT FOI o NIC)")
def recognise_price_index(sample: Sample) -> Recognised | None:
    from diagnosis.sources.price_index import looks_like_index, parse_index

    if sample.container != "csv" or not sample.header_cells or not looks_like_index(sample.header_cells):
        return None
    years = tuple(sorted(parse_index(sample.data)))
    if len(years) < 2:
        return None
    return Recognised(
        dataset="indice_prezzi", years=years, status="definitivo", container="csv",
        description="indice dei prezzi al consumo", suggested_name="indice_prezzi.csv",
    )


@recogniser("classificazioni_comuni",
            "ISTAT, Classificazioni statistiche e dimensione dei comuni (XLSX: zona altimetrica, grado di urbanizzazione)")
def recognise_classifications(sample: Sample) -> Recognised | None:
    from datetime import date

    from diagnosis.sources.istat_classificazioni import looks_like_classificazioni

    if sample.container != "xlsx" or not looks_like_classificazioni(sample.header_cells):
        return None
    return Recognised(
        dataset="classificazioni_comuni", years=(date.today().year,), status="definitivo", container="xlsx",
        description="Classificazioni statistiche dei comuni", suggested_name="Classificazioni-statistiche-comuni.xlsx",
    )
