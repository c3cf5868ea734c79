"""The public API, ``import diagnosis as dg``: one call per data product, a tidy table out.

Each function takes a territory as the command line does (a comune's name or ISTAT code,
a district id, ``provincia:XX``, ``regione:NN``, ``italia``, or a ``Territorio``) and
returns a long pandas DataFrame with the reference date (or year), the status and the
source of every value; ``DataFrame.attrs`` carries the provenance (sources, published
tables with file and sha256, status, licence, comuni missing). The figures are those the
fotografia shows, from the same functions; a blank or suppressed cell stays NaN.

The package exposes these names lazily (``diagnosis/__init__.py``), so that the command
line does not pay for them.
"""

from diagnosis.api.business import imprese
from diagnosis.api.cycling import ciclabilita, collegamenti_ciclabili, rete_ciclabile, strade
from diagnosis.api.commuting import pendolarismo, pendolarismo_flussi, pendolarismo_mezzi
from diagnosis.api.commerce import aperture_chiusure, commercio, desertificazione, osm, rilevazione
from diagnosis.api.demography import bilancio, famiglie, popolazione, stranieri
from diagnosis.api.income import redditi
from diagnosis.api.perimeter_shops import categorie_nel_perimetro, luoghi_nel_perimetro, negozi_nel_perimetro
from diagnosis.api.indicators import indicatori, pari, serie
from diagnosis.api.perimeter import dentro_perimetro, sezioni_perimetro, variazioni_perimetro
from diagnosis.api.presences import presenze
from diagnosis.api.projections import proiezioni
from diagnosis.api.spending import capacita_di_spesa
from diagnosis.api.survey import ascolto
from diagnosis.api.territory import territorio
from diagnosis.api.tourism import turismo

__all__ = ["aperture_chiusure", "ascolto", "bilancio", "capacita_di_spesa", "categorie_nel_perimetro",
           "ciclabilita", "collegamenti_ciclabili", "commercio", "dentro_perimetro", "desertificazione",
           "famiglie", "imprese", "indicatori", "luoghi_nel_perimetro", "negozi_nel_perimetro", "osm", "pari",
           "pendolarismo", "pendolarismo_flussi", "pendolarismo_mezzi", "popolazione", "presenze", "proiezioni",
           "redditi", "rete_ciclabile", "rilevazione", "serie", "sezioni_perimetro", "strade", "stranieri",
           "territorio", "turismo", "variazioni_perimetro"]
