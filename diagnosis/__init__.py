"""diagnosis — la fotografia di partenza di comuni e Distretti del Commercio.

``import diagnosis as dg`` gives the public API of ``diagnosis.api`` (``dg.popolazione``,
``dg.indicatori``…), loaded on first use (PEP 562): the command line imports this package
first and must start at once.
"""

__version__ = "0.1.0"

_API = ("aperture_chiusure", "ascolto", "bilancio", "capacita_di_spesa", "commercio", "desertificazione",
        "famiglie", "imprese",
        "indicatori", "osm", "pari", "pendolarismo", "pendolarismo_flussi", "pendolarismo_mezzi", "popolazione",
        "proiezioni", "redditi", "rilevazione", "serie", "stranieri", "territorio", "turismo")
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
