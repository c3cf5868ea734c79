"""An optional library the command line never uses, kept from being imported: it costs seconds.

``nbformat`` (which reads and writes the notebooks) imports ``jsonschema``, and ``jsonschema``
imports ``rfc3987_syntax`` when it is installed (JupyterLab's dependencies install it) to check
IRIs, building that library's grammar on import: about three seconds at every start of a
command that makes or reads a notebook, for a check the notebook format never asks for (it
has no IRI field). Marked as absent, it is skipped by ``jsonschema`` as where it is not
installed. Only the command line's own process does so (JupyterLab runs in a process of its
own); a Python session that imports ``diagnosis`` keeps it.
"""

from __future__ import annotations

import sys

IRI_GRAMMAR = "rfc3987_syntax"


def skip_iri_grammar() -> None:
    """Before ``nbformat`` is imported; once the library is loaded, something uses it: it stays."""
    if IRI_GRAMMAR not in sys.modules:
        sys.modules[IRI_GRAMMAR] = None  # Python's own mark of a module not to import
