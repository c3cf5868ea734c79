"""The territory itself: its comuni, with their codes, province, region, area and classes."""

from __future__ import annotations

from diagnosis import snapshot
from diagnosis.api.common import Provenance, first_of_january, territory_of, tidy
from diagnosis.statuses import least_final
from diagnosis.territory.lookup import comuni_table

# The registry lists the comuni of the snapshot's date (one year in ``anni``).
REGISTRY_TABLE = "comuni"


def territorio(territorio):
    """The territory's comuni as a table, one row per comune, from the registry of today's comuni.

    Columns: ``territorio`` (its id), ``codice`` (ISTAT, six characters), ``nome``,
    ``codice_catastale``, ``provincia_codice``, ``provincia_sigla``, ``provincia_nome``,
    ``regione_codice``, ``regione_nome``, ``superficie_kmq``, ISTAT's classes
    (``zona_altimetrica``, ``grado_urbanizzazione``, ``litoraneo``, ``isolano``,
    ``altitudine_m``, ``area_interna_2021_27``), ``anno`` and ``data`` (the registry's date),
    ``stato`` and ``fonte``. ``attrs["territorio"]`` holds its id, name and level, and for a
    district drawn smaller than its comuni its ``perimetro`` (source, area, WKT geometry);
    ``attrs["nota_perimetro"]`` then says that the figures are still the whole comuni's.

    >>> import diagnosis as dg
    >>> t = dg.territorio("citta-distretto-sassuolo")
    >>> t[["codice", "nome", "provincia_sigla"]]
       codice              nome provincia_sigla
    0  035012       Casalgrande              RE
    1  035040         Scandiano              RE
    2  036013  Fiorano Modenese              MO
    3  036015         Formigine              MO
    4  036019         Maranello              MO
    5  036040          Sassuolo              MO
    >>> t.attrs["territorio"]["livello"]
    'distretto'
    """
    territory = territory_of(territorio)
    described = snapshot.table_facts(REGISTRY_TABLE)
    sources = [snapshot.source(name) for name in described["fonti"]]
    provenance = Provenance(territory)
    provenance.sources.append("; ".join(source.get("titolo") or source["id"] for source in sources))
    provenance.statuses += described["stati"]
    provenance.extra["file"] = {"file": described["file"], "sha256": described["sha256"]}
    provenance.extra["licenza"] = "; ".join(sorted({s["licenza"] for s in sources if s.get("licenza")})) or None
    if territory.perimetro is not None:
        provenance.extra["nota_perimetro"] = territory.perimetro.nota
    table = comuni_table(territory.comuni)
    table.insert(0, "territorio", territory.id)
    year = max(described["anni"])
    rows = table.assign(anno=year, data=first_of_january(year), stato=least_final(described["stati"]),
                        fonte=provenance.sources[0])
    return tidy(rows.to_dict("records"), list(rows.columns), provenance)

