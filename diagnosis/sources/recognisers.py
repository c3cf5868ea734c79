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
    from diagnosis.sources.mef_irpef import recognise_mef

    found = recognise_mef(sample.data, sample.name)
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
