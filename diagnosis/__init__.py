"""diagnosis — la fotografia di partenza di comuni e Distretti del Commercio."""

__version__ = "0.1.0"
