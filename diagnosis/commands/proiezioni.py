"""``diagnosis proiezioni``: projected population and ageing, with calibrated intervals."""

from __future__ import annotations

from diagnosis.formatting import format_number
from diagnosis.models.territory_projection import check_horizon, per_comune_projection, territory_projection
from diagnosis.territory import resolve_territory

MEASURE_LABELS = {
    "popolazione": "Popolazione",
    "popolazione_0_14": "Popolazione 0-14 anni",
    "popolazione_15_64": "Popolazione 15-64 anni",
    "popolazione_65_piu": "Popolazione 65 anni e più",
    "popolazione_80_piu": "Popolazione 80 anni e più",
    "indice_vecchiaia": "Indice di vecchiaia",
    "indice_dipendenza_strutturale": "Indice di dipendenza strutturale",
}


def projections_json(territory_argument: str, horizon: int, per_comune: bool, base_year: int | None = None) -> dict:
    territory = resolve_territory(territory_argument)
    check_horizon(horizon)
    if per_comune:
        return per_comune_projection(territory, horizon, base_year)
    return territory_projection(territory, horizon, base_year=base_year)


def _print_one(result: dict) -> None:
    print(f"{result['territorio']['nome']} — proiezioni dal 1° gennaio {result['anno_base']} "
          f"(base: {format_number(result['base']['valore_popolazione'], 0)} abitanti, {result['base']['stato']})")
    for measure, rows in result["proiezioni"].items():
        decimals = 0 if measure.startswith("popolazione") else 1
        print(f"\n  {MEASURE_LABELS.get(measure, measure)}")
        print(f"  {'anno':<6}{'valore':>12}{'80%':>26}{'95%':>26}{'errore medio':>14}")
        for row in rows:
            band80 = f"{format_number(row['basso_80'], decimals)} – {format_number(row['alto_80'], decimals)}"
            band95 = f"{format_number(row['basso_95'], decimals)} – {format_number(row['alto_95'], decimals)}"
            error = f"{format_number(row['errore_backtest'], 1)} %"
            print(f"  {row['anno']:<6}{format_number(row['valore'], decimals):>12}{band80:>26}{band95:>26}{error:>14}")
    _print_check(result.get("verifica", []))
    print(f"\n  Metodo: {result['metodo']}")
    for warning in result.get("avvisi", []):
        print(f"  Avviso: {warning}")


def _print_check(rows: list[dict]) -> None:
    if not rows:
        return
    print("\n  Verifica con la popolazione pubblicata dopo la data di partenza")
    print(f"  {'anno':<6}{'proiettata':>12}{'pubblicata':>12}{'errore':>10}  {'dentro 80%':<11}{'dentro 95%':<11}stato")
    for row in rows:
        print(f"  {row['anno']:<6}{format_number(row['proiettata'], 0):>12}{format_number(row['pubblicata'], 0):>12}"
              f"{format_number(row['errore_pct'], 2) + ' %':>10}  {'sì' if row['dentro_80'] else 'no':<11}"
              f"{'sì' if row['dentro_95'] else 'no':<11}{row['stato']}")


def print_projections(territory_argument: str, horizon: int, per_comune: bool, base_year: int | None = None) -> int:
    result = projections_json(territory_argument, horizon, per_comune, base_year)
    for single in (result.values() if per_comune else [result]):
        _print_one(single)
        print()
    return 0
