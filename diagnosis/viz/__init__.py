"""Charts and maps in one house style, Italian labels and number format.

In a notebook::

    import matplotlib.pyplot as plt
    from diagnosis import viz

    viz.tema()
    fig, ax = plt.subplots()
    viz.piramide(tabella, ax=ax)

Each helper takes a tidy table and an ``ax`` (a new figure when none is given) and returns
the axes, to restyle, combine or annotate with plain matplotlib or seaborn.
"""

from diagnosis.viz.charts import confronto_indicatori, piramide, ventaglio_proiezione
from diagnosis.viz.commerce import densita_gruppi, mappa_negozi_perimetro, mappa_punti, quozienti_localizzazione
from diagnosis.viz.cycling import mappa_ciclabile
from diagnosis.viz.income import andamento_reddito
from diagnosis.viz.open_flows import bilancio_pendolari
from diagnosis.viz.maps import mappa_comuni, mappa_coropletica
from diagnosis.viz.perimeter import mappa_perimetro, struttura_eta
from diagnosis.viz.presences import presenze_mesi, presenze_ora_giorno, profilo_presenze
from diagnosis.viz.style import PALETTE, in_stile, tema
from diagnosis.viz.survey import bisogni, soddisfazione, descrizione_bisogni, descrizione_soddisfazione

__all__ = [
    "PALETTE",
    "andamento_reddito",
    "bilancio_pendolari",
    "bisogni",
    "confronto_indicatori",
    "densita_gruppi",
    "in_stile",
    "mappa_ciclabile",
    "mappa_comuni",
    "mappa_coropletica",
    "mappa_negozi_perimetro",
    "mappa_perimetro",
    "mappa_punti",
    "piramide",
    "presenze_mesi",
    "presenze_ora_giorno",
    "profilo_presenze",
    "quozienti_localizzazione",
    "soddisfazione",
    "struttura_eta",
    "tema",
    "descrizione_bisogni",
    "descrizione_soddisfazione",
    "ventaglio_proiezione",
]
