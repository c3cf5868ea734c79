"""Population, demographic balance, foreign residents and households of a territory.

Each function sums the territory's comuni with the ``tables`` function the fotografia
uses, year by year, each year from its most final edition; stocks are dated 1 January.
"""

from __future__ import annotations

from diagnosis.api.common import (
    Provenance,
    chosen_years,
    first_of_january,
    territory_of,
    tidy,
    value_of,
)
from diagnosis.tables import balance, measures, residents
from diagnosis.tables.editions import AGE_COLUMNS
from diagnosis.territory import registry

SEXES = {"T": "totale", "M": "maschi", "F": "femmine"}
POPULATION_COLUMNS = ["territorio", "anno", "data", "sesso", "valore", "stato", "fonte"]
AGE_TABLE_COLUMNS = ["territorio", "anno", "data", "sesso", "eta", "valore", "stato", "fonte"]
COMUNE_COLUMNS = ["codice", "nome"]
STOCK_COLUMNS = ["territorio", "anno", "data", "variabile", "valore", "stato", "fonte"]
FLOW_COLUMNS = ["territorio", "anno", "variabile", "valore", "stato", "fonte"]


def popolazione(territorio, anni=None, per_eta: bool = False, per_comune: bool = False):
    """Residents on 1 January, summed over the territory's comuni.

    ``territorio`` is what the command line accepts (a comune's name or ISTAT code, a
    district id, ``provincia:XX``, ``regione:NN``, ``italia``) or a ``Territorio``.
    ``anni`` is a year, a list of years, or None for every year held. With
    ``per_eta=True`` the table is by sex and single year of age (``eta`` 100 means 100
    and over), from the age tables held (fewer years than the totals). With
    ``per_comune=True`` each comune of the territory has its own rows (``codice``,
    ``nome``), each from its most final figure.

    A province, a region or Italy is summed as the fotografia's benchmarks are: the
    embedded age tables lack a few comuni (new ones, or moved across regions), and up to
    1 % of the comuni may lack; the values are then the sum of the others, the missing
    comuni are named in ``attrs["comuni_mancanti"]`` and the years in
    ``attrs["somme_parziali"]``. Beyond, and for a comune or a district, the year's values
    stay NaN.

    Columns: ``territorio``, [``codice``, ``nome``], ``anno``, ``data`` (1 January),
    ``sesso`` (``totale``, ``maschi``, ``femmine``), [``eta``], ``valore``, ``stato``,
    ``fonte``. A figure a source does not give (the sexes of a total-only source) is NaN.

    >>> import diagnosis as dg
    >>> dg.popolazione("Pioltello").head()[["anno", "sesso", "valore", "stato"]]
       anno    sesso   valore       stato
    0  2022   totale  36202.0  definitivo
    1  2022   maschi      NaN  definitivo
    2  2022  femmine      NaN  definitivo
    3  2023   totale  36271.0  definitivo
    4  2023   maschi      NaN  definitivo
    >>> dg.popolazione("Pioltello", anni=2026)[["anno", "sesso", "valore", "stato"]]
       anno    sesso   valore        stato
    0  2026   totale  37709.0  provvisorio
    1  2026   maschi  19389.0  provvisorio
    2  2026  femmine  18320.0  provvisorio
    >>> eta = dg.popolazione("Pioltello", anni=2023, per_eta=True)
    >>> int(eta.loc[eta["eta"] >= 65, "valore"].sum())
    7035
    >>> regione = dg.popolazione("regione:08", anni=2023, per_eta=True)
    >>> regione.attrs["comuni_mancanti"], regione.attrs["somme_parziali"]
    ({'2023': ['099030', '099031']}, ['2023'])
    >>> comuni = dg.popolazione("citta-distretto-sassuolo", anni=2026, per_comune=True)
    >>> comuni[comuni["sesso"] == "totale"][["codice", "nome", "valore"]].head(2)
       codice              nome   valore
    0  036040          Sassuolo  41123.0
    3  036013  Fiorano Modenese  16610.0
    """
    territory = territory_of(territorio)
    measure = "popolazione_eta" if per_eta else "popolazione"
    provenance = Provenance(territory)
    names = registry.names()
    parts = [(code, (code,)) for code in territory.comuni] if per_comune else [(None, territory.comuni)]
    rows = []
    for year in chosen_years(measure, anni, territory):
        resolved = measures.resolve(measure, year)
        for code, comuni in parts:
            summed = resolved.sum_for(comuni)
            whole = provenance.add(summed, year if code is None else f"{year} {code}")
            common = {"territorio": territory.id, "anno": year, "data": first_of_january(year),
                      "stato": summed.stato, "fonte": summed.fonte}
            if code is not None:
                common |= {"codice": code, "nome": names.get(code, code)}
            rows += _population_rows(common, summed, whole, per_eta)
    columns = AGE_TABLE_COLUMNS if per_eta else POPULATION_COLUMNS
    if per_comune:
        columns = columns[:1] + COMUNE_COLUMNS + columns[1:]
    return tidy(rows, columns, provenance)


def _population_rows(common: dict, summed, whole: bool, per_eta: bool) -> list[dict]:
    known = summed.known() if whole else {}  # every column at once: two hundred by age
    if per_eta:
        return [common | {"sesso": SEXES[column[0]], "eta": int(column[1:]), "valore": value_of(known.get(column))}
                for column in AGE_COLUMNS]
    return [common | {"sesso": name, "valore": value_of(known.get(column))} for column, name in SEXES.items()]


def bilancio(territorio, anni=None, stranieri: bool = False):
    """The demographic balance of each calendar year (ISTAT P2; P3 with ``stranieri=True``).

    One row per variable of the balance, both sexes: ``popolazione_1_gennaio``,
    ``nati_vivi``, ``morti``, the registrations and cancellations, ``popolazione_31_dicembre``…

    Columns: ``territorio``, ``anno`` (the calendar year), ``variabile``, ``valore``,
    ``stato``, ``fonte``.

    >>> import diagnosis as dg
    >>> b = dg.bilancio("Pioltello")
    >>> b.set_index("variabile").loc[["nati_vivi", "morti"], ["anno", "valore", "stato"]]
               anno  valore        stato
    variabile
    nati_vivi  2025   282.0  provvisorio
    morti      2025   313.0  provvisorio
    """
    territory = territory_of(territorio)
    who = "stranieri" if stranieri else "residenti"
    provenance = Provenance(territory)
    rows = []
    for year in chosen_years(balance.MEASURES[who], anni, territory):
        found = balance.totals(territory.comuni, year, who)
        whole = provenance.add(found, year)
        rows += [{"territorio": territory.id, "anno": year, "variabile": variable,
                  "valore": value_of(value) if whole else None, "stato": found.stato, "fonte": found.fonte}
                 for variable, value in found.valori.items()]
    return tidy(rows, FLOW_COLUMNS, provenance)


def _stocks(territory, measure: str, anni, read):
    provenance = Provenance(territory)
    rows = []
    for year in chosen_years(measure, anni, territory):
        found = read(territory.comuni, year)
        whole = provenance.add(found, year)
        rows += [{"territorio": territory.id, "anno": year, "data": first_of_january(year), "variabile": variable,
                  "valore": value_of(value) if whole else None, "stato": found.stato, "fonte": found.fonte}
                 for variable, value in found.valori.items()]
    return tidy(rows, STOCK_COLUMNS, provenance)


def stranieri(territorio, anni=None):
    """Foreign residents on 1 January (ISTAT), summed over the territory's comuni.

    Columns: ``territorio``, ``anno``, ``data``, ``variabile`` (``stranieri``), ``valore``,
    ``stato``, ``fonte``. The share of residents is ``dg.indicatori``' ``quota_stranieri``.

    >>> import diagnosis as dg
    >>> dg.stranieri("Pioltello", anni=[2024, 2025])[["anno", "valore", "stato"]]
       anno  valore       stato
    0  2024  9322.0  definitivo
    1  2025  9636.0  definitivo
    """
    return _stocks(territory_of(territorio), "stranieri", anni, residents.foreigners)


def famiglie(territorio, anni=None):
    """Households and the people living in them on 1 January (ISTAT 22_315).

    Columns: ``territorio``, ``anno``, ``data``, ``variabile`` (``famiglie``,
    ``popolazione_in_famiglia``), ``valore``, ``stato``, ``fonte``. The embedded data
    hold no households: without a download the error says which command gets them.

    >>> import diagnosis as dg
    >>> dg.famiglie("Pioltello")
    Traceback (most recent call last):
    ...
    diagnosis.errors.DatiNonDisponibili: Nessun anno disponibile. Dati mancanti: le famiglie ISTAT (22_315)...
    """
    return _stocks(territory_of(territorio), "famiglie", anni, residents.households)
