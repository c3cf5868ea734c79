"""Projections of a territory: every comune projected, then summed.

Each comune is projected by Hamilton–Perry with its ratios shrunk toward its own
province, so a district across two provinces borrows from the right neighbours;
the territory is the sum of its comuni, like every other value.

Intervals. The total population's 80/95% bands come from the errors measured on
every comune against the real 2025–2026 populations (``cohort_errors.yaml``), for
the size class of the territory's base population. Age groups and indices were not
measurable (the outcome files have no ages): their bands scale the total's relative
error by ``sqrt(total / group)`` — smaller groups are noisier, as counts are — and an
index combines its two groups' relative errors in quadrature. That derivation is
stated in each record's ``modello``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnosis.errors import DatiNonDisponibili
from diagnosis.models.calibration import OUTPUT_COLUMNS, band_from_relative_error, cohort_bands, to_records
from diagnosis.models.cohort import METHOD_NAME, project_cohorts
from diagnosis.tables import population
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio

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


def _base_years() -> tuple[int, int]:
    years = population.available_years()
    if len(years) < 2:
        raise DatiNonDisponibili(
            "Per proiettare servono due anni di popolazione per età: "
            "diagnosis dati scarica --fonte posas --anni 2022-2023"
        )
    return years[-2], years[-1]


def _counts(codes: list[str], year: int) -> np.ndarray:
    cube = population.cube(year)
    return cube.values[pd.Index(cube.codes).get_indexer(codes)]


def _province_references(codes: list[str], previous: int, base: int) -> tuple[np.ndarray, np.ndarray]:
    table = registry.comuni().set_index("codice")
    provinces = table.loc[codes, "provincia_codice"].to_numpy()
    members = table.reset_index().groupby("provincia_codice")["codice"].apply(list)
    sums = {
        year: {p: population.cube(year).total_for(members[p]) for p in set(provinces)}
        for year in (previous, base)
    }
    return (np.stack([sums[previous][p] for p in provinces]), np.stack([sums[base][p] for p in provinces]))


def projectable(territory: Territorio) -> tuple[list[str], list[str]]:
    """The territory's comuni with population in both base years, and those without."""
    previous, base = _base_years()
    both = set(population.cube(previous).covered(territory.comuni)) & set(population.cube(base).covered(territory.comuni))
    kept = [code for code in territory.comuni if code in both]
    return kept, [code for code in territory.comuni if code not in both]


def project_comuni(codes: list[str], horizon: int):
    """Hamilton–Perry for each comune (batch), ratios shrunk toward its province."""
    previous, base = _base_years()
    reference = _province_references(codes, previous, base)
    return project_cohorts(
        _counts(codes, previous), _counts(codes, base), step=base - previous,
        horizon=horizon, reference=reference, base_year=base,
    )


def _derived_records(values, years, relative_q80, relative_q95, mape, scale):
    frame = pd.DataFrame({"anno": years[1:].astype(int), "valore": values[1:]})
    for suffix, quantile in (("80", relative_q80), ("95", relative_q95)):
        frame[f"basso_{suffix}"], frame[f"alto_{suffix}"] = band_from_relative_error(values[1:], quantile * scale)
    frame["modello"] = f"{METHOD_NAME}; {DERIVED_NOTE}"
    frame["errore_backtest"] = mape * scale
    return frame[OUTPUT_COLUMNS]


def _rounded_records(frame: pd.DataFrame) -> list[dict]:
    """JSON rows with values to one decimal and back-test errors (%) to two."""
    records = to_records(frame)
    for record in records:
        for key in ("valore", "basso_80", "alto_80", "basso_95", "alto_95"):
            if record[key] is not None:
                record[key] = round(float(record[key]), 1)
        if record["errore_backtest"] is not None:
            record["errore_backtest"] = round(float(record["errore_backtest"]), 2)
    return records


def _relative_quantiles(total_frame: pd.DataFrame) -> dict[str, np.ndarray]:
    value = total_frame["valore"].to_numpy()
    return {
        # Half-width of the band, as a share of the value (the band is nearly symmetric).
        "q80": (total_frame["alto_80"].to_numpy() - total_frame["basso_80"].to_numpy()) / (2 * value),
        "q95": (total_frame["alto_95"].to_numpy() - total_frame["basso_95"].to_numpy()) / (2 * value),
        "mape": total_frame["errore_backtest"].to_numpy(dtype=float),
    }


def territory_projection(territory: Territorio, horizon: int = 5, *, summed=None) -> dict:
    """The projection JSON of one territory (see ``diagnosis proiezioni``)."""
    codes, missing = projectable(territory)
    if not codes:
        raise DatiNonDisponibili(f"Nessun comune di {territory.nome} ha la popolazione per età nei due anni di base.")
    result = summed if summed is not None else project_comuni(codes, horizon)
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
        projections[measure] = _rounded_records(_derived_records(values, years, relative["q80"], relative["q95"], relative["mape"], scale))
    for measure, (numerator, denominator) in INDEX_MEASURES.items():
        top = sum(groups[m] for m in numerator)
        bottom = sum(groups[m] for m in denominator)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(bottom > 0, top / bottom * 100, np.nan)
        scale = np.sqrt(totals[1:] / np.maximum(top[1:], 1) + totals[1:] / np.maximum(bottom[1:], 1))
        projections[measure] = _rounded_records(_derived_records(values, years, relative["q80"], relative["q95"], relative["mape"], scale))
    output = {
        "territorio": territory.as_json(),
        "anno_base": int(years[0]),
        "base": {"valore_popolazione": int(totals[0]), "stato": population.cube(int(years[0])).provenance.stato},
        "metodo": (f"{METHOD_NAME} per singolo anno di età e sesso, rapporti {years[0] - 1}-{years[0]} "
                   "stabilizzati verso la provincia; intervalli calibrati sugli errori misurati (vedi metodologia)."),
        "proiezioni": projections,
    }
    series = series_projection(codes, horizon)
    if series is not None:
        output["proiezioni"]["popolazione_serie"], output["serie"] = series
    income = income_projection(codes, horizon)
    if income is not None:
        output["proiezioni"]["reddito_imponibile_per_contribuente"], output["serie_reddito"] = income
    units = local_units_projection(territory.comuni, horizon)
    if units is not None:
        output["proiezioni"]["unita_locali"], output["serie_unita_locali"] = units
    if missing:
        output["avvisi"] = [f"Comuni esclusi (senza popolazione per età in entrambi gli anni di base): {', '.join(missing)}"]
    return output


MIN_SERIES_YEARS = 6  # below this a trend is noise: the cohort projection stands alone


def _forecast_records(series: pd.Series, horizon: int, breaks) -> tuple[list[dict], dict]:
    from diagnosis.models.calibration import calibrate
    from diagnosis.models.series import forecast_series

    result = forecast_series(series, horizon, breaks=breaks)
    records = _rounded_records(calibrate(result.forecast, result.errors_of_chosen_model()))
    note = {"anni": [int(y) for y in result.segment.index], "modello": result.model, "nota": result.note,
            "mape_backtest": {k: round(v, 2) for k, v in result.scores.items()}}
    return records, note


def income_projection(codes: list[str], horizon: int) -> tuple[list[dict], dict] | None:
    """Taxable income per taxpayer (MEF) as a series, never fitted across the 2003-2006 redefinition."""
    from diagnosis.models.series import KNOWN_BREAKS
    from diagnosis.tables import income

    values = income.per_taxpayer_series(codes)
    if len(values) < MIN_SERIES_YEARS:
        return None
    return _forecast_records(pd.Series(values), horizon, KNOWN_BREAKS["reddito_imponibile_mef"])


def series_projection(codes: list[str], horizon: int) -> tuple[list[dict], dict] | None:
    """The total population as a series (when the store holds enough years), projected by the
    model a rolling-origin back-test chooses, never fitted across ISTAT's 2019 re-basing.

    Returns the records and a note on the series, or None with fewer than
    ``MIN_SERIES_YEARS`` years.
    """
    from diagnosis.models.series import KNOWN_BREAKS
    from diagnosis.tables.population_series import total_series

    series = total_series(codes)
    if len(series) < MIN_SERIES_YEARS:
        return None
    totals = pd.Series(series["popolazione"].astype(float).to_numpy(), index=series["anno"].to_numpy())
    return _forecast_records(totals, horizon, KNOWN_BREAKS["popolazione_istat"])


def local_units_projection(codes, horizon: int) -> tuple[list[dict], dict] | None:
    """Total local units (ISTAT ASIA) as a series, over years covering every comune."""
    from diagnosis.tables import local_units

    values = local_units.series(codes)
    if len(values) < MIN_SERIES_YEARS:
        return None
    return _forecast_records(pd.Series(values, dtype=float), horizon, ())


def _group_bounds(label: str) -> tuple[int, int]:
    if label.endswith("+"):
        return int(label[:-1]), 101
    low, high = label.split("-")
    return int(low), int(high) + 1


def per_comune_projection(territory: Territorio, horizon: int = 5) -> dict:
    """``{code: projection JSON}`` for every comune of the territory, in one batch."""
    from diagnosis.territory.model import comune_territory

    codes, _missing = projectable(territory)
    batch = project_comuni(codes, horizon)
    output = {}
    for position, code in enumerate(codes):
        single = _Single(batch.years, batch.population[position])
        output[code] = territory_projection(comune_territory(code), horizon, summed=single)
    return output


class _Single:
    """One comune's slice of a batch projection, shaped like a projection result."""

    def __init__(self, years, population_by_year):
        self.years = years
        self.population = population_by_year
