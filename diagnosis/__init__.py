"""diagnosis — la fotografia di partenza di comuni e Distretti del Commercio.

``import diagnosis as dg`` gives the public API of ``diagnosis.api`` (``dg.popolazione``,
``dg.indicatori``…), loaded on first use (PEP 562): the command line imports this package
first and must start at once.
"""

__version__ = "0.1.0"

_API = ("aperture_chiusure", "ascolto", "bilancio", "capacita_di_spesa", "categorie_nel_perimetro",
        "ciclabilita", "collegamenti_ciclabili", "commercio", "dentro_perimetro", "desertificazione",
        "famiglie", "imprese", "indicatori", "luoghi_nel_perimetro", "negozi_nel_perimetro", "osm", "pari",
        "pendolarismo", "pendolarismo_flussi", "pendolarismo_mezzi", "popolazione", "presenze", "proiezioni",
        "redditi", "rete_ciclabile", "rilevazione", "serie", "sezioni_perimetro", "strade", "stranieri",
        "territorio", "turismo", "variazioni_perimetro")
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'diagnosis' has no attribute {name!r}")
    from diagnosis import api  # the tables behind the API take a second to import: loaded on first use

    function = getattr(api, name)
    globals()[name] = function
    return function


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
