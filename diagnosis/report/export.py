"""Executed notebook → one self-contained HTML page, through the ``fotografia`` template.

The template ships inside the package (``diagnosis/templates/fotografia``). Plain
``jupyter nbconvert`` finds it when given its folder, as ``diagnosis lab --percorso-modelli``
prints it (the README shows the whole command).
"""

from __future__ import annotations

import functools

import nbformat

from diagnosis.config import TEMPLATES_DIR

TEMPLATE_NAME = "fotografia"


@functools.cache
def _exporter():
    """One exporter per process: loading nbconvert's templates costs more than a report."""
    from nbconvert import HTMLExporter  # the commands that export no HTML do not load nbconvert

    # What only the analyst needs (the notebook's own title, notes on how to run it) is tagged
    # ``remove-cell``: the template's conf.json removes it, for plain nbconvert too.
    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        language_code="it",
    )


def export_html(notebook: nbformat.NotebookNode, title: str) -> str:
    """The report page: no code, no prompts, every image inline, Italian page language."""
    notebook.metadata["title"] = title
    body, _resources = _exporter().from_notebook_node(notebook)
    return body
