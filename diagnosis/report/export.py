"""Executed notebook → one self-contained HTML page, through the ``fotografia`` template.

The template ships inside the package (``diagnosis/templates/fotografia``). Plain
``jupyter nbconvert`` finds it when given its folder, as ``diagnosis lab --percorso-modelli``
prints it (the README shows the whole command).
"""

from __future__ import annotations

import copy
import functools
import html
import re
from datetime import date

import nbformat
from jinja2 import pass_context

from diagnosis.config import TEMPLATES_DIR
from diagnosis.formatting import MONTHS
from diagnosis.report.brand import Brand
from diagnosis.report.markup import render

TEMPLATE_NAME = "fotografia"
MARKDOWN_KEPT = 512  # a notebook's markdown cells (about eighty), and a few other notebooks'
# What nbconvert embeds from a file or an attachment: a markdown image, an HTML <img>.
_MAY_EMBED_IMAGE = re.compile(r"!\[|<img", re.IGNORECASE)


@functools.cache
def _exporter():
    """One exporter per process: loading nbconvert's templates costs more than a report."""
    # The commands that export no HTML do not load nbconvert.
    from nbconvert import HTMLExporter
    from nbconvert.exporters import TemplateExporter
    from nbconvert.filters import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        """nbconvert's lab page without its closing pass, which parses the finished page again
        (half the export's time) to give every output a tabindex and every image without alt
        text a placeholder: :func:`_accessible` does both on the text.

        Every report has the same markdown cells, a third of the export's time to render: the
        HTML of a text is kept, unless it may embed an image, whose file is read anew."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._markdown_html = functools.lru_cache(maxsize=MARKDOWN_KEPT)(self._render_markdown)

        @pass_context
        def markdown2html(self, context, source):
            if _MAY_EMBED_IMAGE.search(source):  # also the only way to a cell's attachments
                return super().markdown2html(context, source)
            return self._markdown_html(source, context.get("resources", {}).get("metadata", {}).get("path", ""))

        def _render_markdown(self, source: str, path: str) -> str:
            # nbconvert's filter reads in its context only a cell's attachments (for images) and the notebook's folder.
            return super().markdown2html({"resources": {"metadata": {"path": path}}}, source)

        def from_notebook_node(self, nb, resources=None, **kw):
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name"))
            self.register_filter("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                           parent=self))
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return page_contents(_accessible(body)), resources

        def _preprocess(self, nb, resources):
            # The notebook is already the exporter's own copy (``from_notebook_node`` made it):
            # nbconvert would copy it again, then repair it against the schema, a third of the
            # export's time for a notebook papermill has just read and written valid. One that
            # is not valid goes nbconvert's whole way.
            try:
                nbformat.validate(nb, relax_add_props=True)
            except nbformat.ValidationError:
                return super()._preprocess(nb, resources)
            resources = copy.deepcopy(resources)
            for preprocessor in self._preprocessors:
                nb, resources = preprocessor(nb, resources)
            self._validate_preprocessor(nb, preprocessor)  # once at the end, as optimistic_validation asks
            return nb, resources

    # What only the analyst needs (the notebook's own title, notes on how to run it) is tagged
    # ``remove-cell``: the template's conf.json removes it, for plain nbconvert too.
    return PageExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        language_code="it",
        # The notebook is checked against its schema once, when every preprocessor has run,
        # not once after each of them (a dozen times, most of the export's time).
        optimistic_validation=True,
    )


# The page's cells and outputs, reachable by keyboard (a wide table scrolls); an image an
# analyst added without a description says so to a screen reader, in the page's language.
_FOCUSABLE = re.compile(r'(<div class="(?:[^"]*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?:\s[^"]*)?"[^>]*)>')
_IMAGE_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")
NO_DESCRIPTION = "Immagine senza descrizione"


def _accessible(page: str) -> str:
    page = _FOCUSABLE.sub(r'\1 tabindex="0">', page)
    return _IMAGE_WITHOUT_ALT.sub(f'<img alt="{NO_DESCRIPTION}"', page)


# The notebook's contents list every section a fotografia can have; the page lists those it
# holds: a section left out for want of data, or one only some territories have (a perimeter,
# flows), must neither leave a dead link nor go unlisted.
_CONTENTS = re.compile(r"(<h2[^>]*>Indice</h2>\s*<ol>)(.*?)(</ol>)", re.S)
_SECTION = re.compile(r'<h2[^>]*>([^<]+?)\s*<a id="([^"]+)"></a>')


def page_contents(page: str) -> str:
    found = _CONTENTS.search(page)
    if not found:
        return page
    entries = [(html.unescape(title), anchor) for title, anchor in _SECTION.findall(page, found.end())]
    if not entries:
        return page
    listed = str(render("sommario.html.j2", voci=entries))  # plain text: the page around it is already HTML
    return page[:found.start(2)] + "\n" + listed + page[found.end(2):]


def export_html(notebook: nbformat.NotebookNode, title: str, territory_name: str | None = None,
                brand: Brand | None = None, printed_on: date | None = None) -> str:
    """The report page: no code, no prompts, every image inline, Italian page language.

    With ``territory_name`` the printed pages carry a running head (territory, client, date)
    and ``brand`` its logo, texts and colours; without, the page is what plain nbconvert gives.
    """
    notebook.metadata["title"] = title
    resources = {"pagina": page_head(territory_name, brand, printed_on or date.today())} if territory_name else None
    body, _resources = _exporter().from_notebook_node(notebook, resources=resources)
    return body


def page_head(territory_name: str, brand: Brand | None, printed_on: date) -> dict:
    """What the template puts in the page margins and on the cover; the margin texts as CSS strings."""
    client = f" · per {brand.cliente}" if brand and brand.cliente else ""
    return {
        "intestazione": css_string(f"Fotografia di partenza · {territory_name}{client}"),
        "data": css_string(f"{printed_on.day} {MONTHS[printed_on.month - 1]} {printed_on.year}"),
        "piede": css_string(f"A cura di {brand.autore}" if brand and brand.autore else ""),
        "marchio": brand.as_template() if brand else None,
    }


_CSS_PLAIN = re.compile(r"[A-Za-z0-9]")


def css_string(text: str) -> str:
    """``text`` as the inside of a double-quoted CSS string, safe inside a <style> element too.

    Every character but ASCII letters and digits becomes a six-digit escape (``à`` →
    ``\\0000e0``, a space → ``\\000020``: CSS would swallow a plain space after an escape),
    so no quote, backslash or ``</style>`` in a territory's name can end the string or the
    element. Line breaks become spaces: a page margin holds one line.
    """
    flat = " ".join(text.split())
    return "".join(char if _CSS_PLAIN.fullmatch(char) else f"\\{ord(char):06x}" for char in flat)
