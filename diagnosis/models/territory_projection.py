"""Projections of a territory: every comune projected, then summed.

Each comune is projected by Hamilton–Perry by single year of age and sex, its ratios
measured between the two latest age tables and shrunk toward its own province, so a
district across two provinces borrows from the right neighbours; the territory is the
sum of its comuni, like every other value.

Base date. The projection starts on 1 January of the base year — by default the latest
with official population totals — from those totals: the latest age structure is carried
forward to the base date with the same ratios, then each sex is scaled to its official
total of that date (``cohort.anchor_to_totals``). The age profile is the model's, the
level is the official figure. ``base_year`` projects from an earlier date instead, so the
method can be checked against the figures published since.

Intervals. The total population's 80/95% bands come from the errors measured on
every comune against the real 2025–2026 populations (``cohort_errors.yaml``), for
the size class of the territory's base population. Age groups and indices were not
measurable (the outcome files have no ages): their bands scale the total's relative
error by ``sqrt(total / group)`` — smaller groups are noisier, as counts are — and an
index combines its two groups' relative errors in quadrature. That derivation is
stated in each record's ``modello``.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnosis import store
from diagnosis.errors import DatiNonDisponibili, OrizzonteNonValido
from diagnosis.models.calibration import (
    OUTPUT_COLUMNS,
    band_from_relative_error,
    calibrate,
    cohort_bands,
    json_value,
    to_records,
)
from diagnosis.models.cohort import METHOD_NAME, anchor_to_totals, project_from, stabilised_ratios
from diagnosis.models.series import KNOWN_BREAKS, forecast_series
from diagnosis.tables import income, local_units, measures, population
from diagnosis.tables.population_series import total_series
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio, comune_territory

GROUP_MEASURES = {
    "popolazione_0_14": "0-14",
    "popolazione_15_64": "15-64",
    "popolazione_65_piu": "65+",
    "popolazione_80_piu": "80+",
}
INDEX_MEASURES = {
    "indice_vecchiaia": (("popolazione_65_piu",), ("popolazione_0_14",)),
    "indice_dipendenza_strutturale": (("popolazione_0_14", "popolazione_65_piu"), ("popolazione_15_64",)),
}
DERIVED_NOTE = "intervallo derivato dall'errore misurato sul totale (età non verificabili)"


MAX_HORIZON = 10  # beyond ten years the ratios of one year of change do not hold


def check_horizon(horizon: int) -> int:
    """The horizon in years, when the model can honestly project that far."""
    if not 1 <= horizon <= MAX_HORIZON:
        raise OrizzonteNonValido(
            f"Orizzonte {horizon} non valido: indicare da 1 a {MAX_HORIZON} anni (es. --orizzonte 3). "
            "Oltre, i rapporti di un solo anno non reggono."
        )
    return horizon


@dataclass(frozen=True)
class Bases:
    """The dates a projection stands on: ratios between ``previous`` and ``ages``, start at ``start``."""

    previous: int  # the earlier age table
    ages: int  # the latest age table not after the start
    start: int  # 1 January the projection starts from (official totals)


def bases(base_year: int | None = None) -> Bases:
    start = measures.check_year(base_year) if base_year is not None else measures.default_year()
    years = [y for y in population.age_years() if y <= start]
    if len(years) < 2:
        raise DatiNonDisponibili(
            f"Per proiettare dal 1° gennaio {start} servono due anni di popolazione per età fino a quella data: "
            "diagnosis dati scarica --fonte posas --anni A-B"
        )
    return Bases(previous=years[-2], ages=years[-1], start=start)


def _province_references(codes: list[str], chosen: Bases) -> tuple[np.ndarray, np.ndarray]:
    province_of, _members = registry.province_lookup()
    state = store.state()
    return tuple(np.stack([_province_ages(province_of[code], year, state) for code in codes])
                 for year in (chosen.previous, chosen.ages))


# Every comune of a province projects toward the same province: in a batch, summed once.
@functools.lru_cache(maxsize=256)
def _province_ages(province: str, year: int, _state: tuple) -> np.ndarray:
    """The province's residents by sex and age on 1 January ``year`` (blank comuni left out)."""
    _province_of, members_of = registry.province_lookup()
    summed = np.nansum(population.ages_by_comune(members_of[province], year), axis=0)
    summed.setflags(write=False)  # shared by every later call: nobody may change it
    return summed


def projectable(territory: Territorio, base_year: int | None = None) -> tuple[list[str], list[str]]:
    """The territory's comuni with both age tables and a total at the start, and those without."""
    chosen = bases(base_year)
    totals = population.totals_by_comune(chosen.start, territory.comuni)
    both = ~np.isnan(population.ages_by_comune(list(territory.comuni), chosen.previous)).any(axis=(1, 2))
    both &= ~np.isnan(population.ages_by_comune(list(territory.comuni), chosen.ages)).any(axis=(1, 2))
    kept = [code for code, ok in zip(territory.comuni, both) if ok and code in totals]
    return kept, [code for code in territory.comuni if code not in kept]


def _official_totals(codes: list[str], year: int) -> np.ndarray:
    resolved = measures.resolve("popolazione", year)
    out = np.full((len(codes), 3), np.nan)
    for i, code in enumerate(codes):
        row = resolved.values_of(code) if resolved else None
        if row is not None:
            out[i] = [row[resolved.table.columns.index(c)] for c in ("T", "M", "F")]
    return out


@dataclass(frozen=True)
class ComuniProjection:
    """Yearly populations ``(n_comuni, n_years, 2, 101)`` from the start year to the horizon."""

    years: np.ndarray
    population: np.ndarray
    bases: Bases


def project_comuni(codes: list[str], horizon: int, base_year: int | None = None) -> ComuniProjection:
    """Hamilton–Perry for each comune (batch): ratios shrunk toward its province, anchored at the start."""
    chosen = bases(base_year)
    previous = population.ages_by_comune(codes, chosen.previous)
    latest = population.ages_by_comune(codes, chosen.ages)
    ratios = stabilised_ratios(previous, latest, step=chosen.ages - chosen.previous,
                               reference=_province_references(codes, chosen))
    if ratios.step != 1:
        raise DatiNonDisponibili(
            f"Le due tabelle per età più recenti ({chosen.previous} e {chosen.ages}) non sono anni consecutivi: "
            f"diagnosis dati scarica --fonte posas --anni {chosen.ages - 1}"
        )
    carried = project_from(latest, ratios, chosen.start - chosen.ages)[:, -1]
    start, _factors = anchor_to_totals(carried, _official_totals(codes, chosen.start))
    trajectory = project_from(start, ratios, horizon)
    return ComuniProjection(np.arange(chosen.start, chosen.start + horizon + 1), trajectory, chosen)


def _derived_records(values, years, relative_q80, relative_q95, mape, scale) -> list[dict]:
    """JSON rows of a measure derived from the projected ages (groups, indices): its bands are the
    total's relative errors times ``scale``. Built from the arrays: a table per measure costs more
    than the projection."""
    low_80, high_80 = band_from_relative_error(values[1:], relative_q80 * scale)
    low_95, high_95 = band_from_relative_error(values[1:], relative_q95 * scale)
    model = f"{METHOD_NAME}; {DERIVED_NOTE}"
    columns = (years[1:].astype(int), values[1:], low_80, high_80, low_95, high_95, [model] * len(low_80),
               mape * scale)  # in the order of OUTPUT_COLUMNS
    return [_rounded({name: json_value(value) for name, value in zip(OUTPUT_COLUMNS, row)}) for row in zip(*columns)]


def _rounded_records(frame: pd.DataFrame) -> list[dict]:
    """JSON rows with values to one decimal and back-test errors (%) to two."""
    return [_rounded(record) for record in to_records(frame)]


def _rounded(record: dict) -> dict:
    for key in ("valore", "basso_80", "alto_80", "basso_95", "alto_95"):
        if record[key] is not None:
            record[key] = round(float(record[key]), 1)
    if record["errore_backtest"] is not None:
        record["errore_backtest"] = round(float(record["errore_backtest"]), 2)
    return record


def _relative_quantiles(total_frame: pd.DataFrame) -> dict[str, np.ndarray]:
    value = total_frame["valore"].to_numpy()
    return {
        # Half-width of the band, as a share of the value (the band is nearly symmetric).
        "q80": (total_frame["alto_80"].to_numpy() - total_frame["basso_80"].to_numpy()) / (2 * value),
        "q95": (total_frame["alto_95"].to_numpy() - total_frame["basso_95"].to_numpy()) / (2 * value),
        "mape": total_frame["errore_backtest"].to_numpy(dtype=float),
    }


def _base_record(codes: list[str], chosen: Bases, start_total: float) -> dict:
    totals = measures.resolve("popolazione", chosen.start).sum_for(codes)
    return {"anno": chosen.start, "valore_popolazione": int(round(start_total)), "stato": totals.stato,
            "fonte": totals.fonte, "struttura_per_eta": {"anno": chosen.ages,
                                                          "stato": population.age_status(chosen.ages)}}


def _method_text(chosen: Bases) -> str:
    carried = (f"; struttura per età del 1° gennaio {chosen.ages} portata al 1° gennaio {chosen.start} con gli stessi "
               "rapporti e riallineata, sesso per sesso, ai totali ufficiali di quella data") \
        if chosen.ages != chosen.start else ""
    return (f"{METHOD_NAME} per singolo anno di età e sesso, rapporti {chosen.previous}-{chosen.ages} stabilizzati "
            f"verso la provincia{carried}; intervalli calibrati sugli errori misurati (vedi metodologia).")


def territory_projection(territory: Territorio, horizon: int = 5, *, summed=None, base_year: int | None = None) -> dict:
    """The projection JSON of one territory (see ``diagnosis proiezioni``)."""
    if summed is not None:
        return _projection(territory, horizon, summed, base_year)

    return copy.deepcopy(_cached_projection(territory, horizon, base_year, store.state()))


@functools.lru_cache(maxsize=64)
def _cached_projection(territory: Territorio, horizon: int, base_year: int | None, _state: tuple) -> dict:
    """A report, its manifest and the notebook all ask for the same projection: made once."""
    return _projection(territory, horizon, None, base_year)


def _projection(territory: Territorio, horizon: int, summed, base_year: int | None) -> dict:
    codes, missing = projectable(territory, base_year)
    if not codes:
        raise DatiNonDisponibili(
            f"Nessun comune di {territory.nome} ha la popolazione per età nei due anni di base e il totale ufficiale "
            "alla data di partenza.")
    result = summed if summed is not None else project_comuni(codes, horizon, base_year)
    population_by_year = result.population.sum(axis=0) if result.population.ndim == 4 else result.population
    years = result.years
    totals = population_by_year.sum(axis=(-2, -1))
    both_sexes = population_by_year.sum(axis=-2)
    total_frame = cohort_bands(totals, years, float(totals[0]))
    relative = _relative_quantiles(total_frame)
    groups = {
        measure: both_sexes[:, slice(*_group_bounds(label))].sum(axis=-1)
        for measure, label in GROUP_MEASURES.items()
    }
    projections = {"popolazione": _rounded_records(total_frame)}
    for measure, values in groups.items():
        scale = np.sqrt(totals[1:] / np.maximum(values[1:], 1))
        projections[measure] = _derived_records(values, years, relative["q80"], relative["q95"], relative["mape"], scale)
    for measure, (numerator, denominator) in INDEX_MEASURES.items():
        top = sum(groups[m] for m in numerator)
        bottom = sum(groups[m] for m in denominator)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(bottom > 0, top / bottom * 100, np.nan)
        scale = np.sqrt(totals[1:] / np.maximum(top[1:], 1) + totals[1:] / np.maximum(bottom[1:], 1))
        projections[measure] = _derived_records(values, years, relative["q80"], relative["q95"], relative["mape"], scale)
    output = {
        "territorio": territory.as_json(),
        "anno_base": int(years[0]),
        "base": _base_record(codes, result.bases, float(totals[0])),
        "metodo": _method_text(result.bases),
        "proiezioni": projections,
    }
    series = series_projection(codes, horizon, int(years[0]))
    if series is not None:
        output["proiezioni"]["popolazione_serie"], output["serie"] = series
    income = income_projection(codes, horizon, int(years[0]))
    if income is not None:
        output["proiezioni"]["reddito_imponibile_per_contribuente"], output["serie_reddito"] = income
    units = local_units_projection(territory.comuni, horizon, int(years[0]))
    if units is not None:
        output["proiezioni"]["unita_locali"], output["serie_unita_locali"] = units
    check = published_check(codes, projections["popolazione"])
    if check:
        output["verifica"] = check
    if missing:
        output["avvisi"] = [f"Comuni esclusi (senza popolazione per età nei due anni di base o senza totale alla data "
                            f"di partenza): {', '.join(missing)}"]
    return output


def published_check(codes: list[str], records: list[dict]) -> list[dict]:
    """The projected totals against the population published since the start, year by year."""
    rows = []
    for record in records:
        resolved = measures.resolve("popolazione", record["anno"])
        summed = resolved.sum_for(codes) if resolved else None
        actual = summed.get("T") if summed is not None and not summed.mancanti else None
        if actual is None:
            continue
        rows.append({
            "anno": record["anno"], "proiettata": record["valore"], "pubblicata": actual, "stato": summed.stato,
            "errore_pct": round((record["valore"] - actual) / actual * 100, 2),
            "dentro_80": record["basso_80"] <= actual <= record["alto_80"],
            "dentro_95": record["basso_95"] <= actual <= record["alto_95"],
        })
    return rows


MIN_SERIES_YEARS = 6  # below this a trend is noise: the cohort projection stands alone


def _forecast_records(series: pd.Series, last_year: int, breaks) -> tuple[list[dict], dict]:
    """The series forecast from its last observed year to ``last_year`` (the cohort projection's end)."""
    horizon = max(1, last_year - int(series.index.max()))
    result = forecast_series(series, horizon, breaks=breaks)
    records = _rounded_records(calibrate(result.forecast, result.errors_of_chosen_model()))
    note = {"anni": [int(y) for y in result.segment.index], "modello": result.model, "nota": result.note,
            "mape_backtest": {k: round(v, 2) for k, v in result.scores.items()}}
    return records, note


def income_projection(codes: list[str], horizon: int, base_year: int) -> tuple[list[dict], dict] | None:
    """Taxable income per taxpayer (MEF) as a series up to the base year, never fitted across
    the 2003-2006 redefinition."""
    values = {year: value for year, value in income.per_taxpayer_series(codes).items() if year <= base_year}
    if len(values) < MIN_SERIES_YEARS:
        return None
    return _forecast_records(pd.Series(values), base_year + horizon, KNOWN_BREAKS["reddito_imponibile_mef"])


def series_projection(codes: list[str], horizon: int, base_year: int) -> tuple[list[dict], dict] | None:
    """The total population as a series (when the store holds enough years), projected by the
    model a rolling-origin back-test chooses, never fitted across ISTAT's 2019 re-basing.

    Returns the records and a note on the series, or None with fewer than
    ``MIN_SERIES_YEARS`` years.
    """
    series = total_series(codes)
    series = series[series["anno"] <= base_year]
    if len(series) < MIN_SERIES_YEARS:
        return None
    totals = pd.Series(series["popolazione"].astype(float).to_numpy(), index=series["anno"].to_numpy())
    return _forecast_records(totals, base_year + horizon, KNOWN_BREAKS["popolazione_istat"])


def local_units_projection(codes, horizon: int, base_year: int) -> tuple[list[dict], dict] | None:
    """Total local units (ISTAT ASIA) as a series up to the base year, over years covering every comune."""
    values = {year: value for year, value in local_units.series(codes).items() if year <= base_year}
    if len(values) < MIN_SERIES_YEARS:
        return None
    return _forecast_records(pd.Series(values, dtype=float), base_year + horizon, ())


def _group_bounds(label: str) -> tuple[int, int]:
    if label.endswith("+"):
        return int(label[:-1]), 101
    low, high = label.split("-")
    return int(low), int(high) + 1


def per_comune_projection(territory: Territorio, horizon: int = 5, base_year: int | None = None) -> dict:
    """``{code: projection JSON}`` for every comune of the territory, in one batch."""
    codes, _missing = projectable(territory, base_year)
    batch = project_comuni(codes, horizon, base_year)
    output = {}
    for position, code in enumerate(codes):
        single = ComuniProjection(batch.years, batch.population[position], batch.bases)
        output[code] = territory_projection(comune_territory(code), horizon, summed=single, base_year=base_year)
    return output
