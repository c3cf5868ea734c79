"""Population projections of a territory: the cohort model summed over its comuni, and the
series models of population, income and local units, with calibrated intervals."""

from __future__ import annotations

from diagnosis.api.common import Provenance, fotografia_year, territory_of, tidy
from diagnosis.models.territory_projection import check_horizon, projectable, territory_projection
from diagnosis.tables import measures

COLUMNS = ["territorio", "misura", "anno", "valore", "basso_80", "alto_80", "basso_95", "alto_95", "modello",
           "errore_backtest", "stato", "fonte"]
# Projected values have no publisher's status: they are the model's.
PROJECTED = "proiezione"
# The series models' measures and the key of the note on the series each was fitted to.
SERIES_NOTES = {"popolazione_serie": "serie", "reddito_imponibile_per_contribuente": "serie_reddito",
                "unita_locali": "serie_unita_locali"}


def proiezioni(territorio, orizzonte: int = 5, anno=None):
    """Projected population, age groups and indices from 1 January ``anno`` (None: the default year).

    The first row of ``popolazione`` is the official starting figure (its publisher's
    ``stato``); the other rows are projected (``stato`` ``proiezione``), each with its
    80% and 95% intervals measured on past projections and the model's back-test error
    (%). ``misura`` is ``popolazione``, ``popolazione_0_14``, ``popolazione_15_64``,
    ``popolazione_65_piu``, ``popolazione_80_piu``, ``indice_vecchiaia``,
    ``indice_dipendenza_strutturale``, and, when enough years are held, the series
    models (``popolazione_serie``, ``reddito_imponibile_per_contribuente``,
    ``unita_locali``). ``orizzonte`` is 1 to 10 years.

    Columns: ``territorio``, ``misura``, ``anno``, ``valore``, ``basso_80``, ``alto_80``,
    ``basso_95``, ``alto_95``, ``modello``, ``errore_backtest``, ``stato``, ``fonte``.
    ``attrs`` adds the method (``metodo``), the base and the check against the figures
    published since (``verifica``).

    >>> import diagnosis as dg
    >>> p = dg.proiezioni("Pioltello", orizzonte=3)
    >>> p[p["misura"] == "popolazione"][["anno", "valore", "basso_80", "alto_80", "stato"]]
       anno   valore  basso_80  alto_80        stato
    0  2026  37709.0       NaN      NaN  provvisorio
    1  2027  37691.4   37472.1  37913.1   proiezione
    2  2028  37667.7   37236.9  38108.6   proiezione
    3  2029  37633.3   36998.1  38290.8   proiezione
    """
    territory = territory_of(territorio)
    year = fotografia_year(anno)
    result = territory_projection(territory, horizon=check_horizon(int(orizzonte)), base_year=year)
    base = result["base"]
    provenance = Provenance(territory)
    start = measures.resolve("popolazione", base["anno"])
    provenance.add(start.sum_for(projectable(territory, year)[0]), base["anno"])
    provenance.extra |= {key: result[key] for key in ("anno_base", "base", "metodo", "verifica", "avvisi", "serie",
                                                      "serie_reddito", "serie_unita_locali") if key in result}
    rows = [{"territorio": territory.id, "misura": "popolazione", "anno": base["anno"],
             "valore": float(base["valore_popolazione"]), "stato": base["stato"], "fonte": base["fonte"]}]
    for measure, records in result["proiezioni"].items():
        rows += [{"territorio": territory.id, "misura": measure, **record, "stato": PROJECTED,
                  "fonte": result[SERIES_NOTES[measure]]["nota"] if measure in SERIES_NOTES else result["metodo"]}
                 for record in records]
    return tidy(rows, COLUMNS, provenance)

