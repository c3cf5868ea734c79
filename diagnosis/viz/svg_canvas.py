"""The canvas the report saves its SVG charts with: matplotlib's, each text and font measured once per process.

To lay a chart out, matplotlib measures every text with the font's glyphs, and keeps the
measures for one drawing only. The charts of a batch repeat the same texts (tick values, age
classes, legends, axis titles) report after report, and measuring them again was about
7 % of a report's time. An SVG is laid out at 72 dpi whatever the figure's, so a text's
measure depends only on the text, its font properties and the font settings: kept in the
process on those, it is measured once. So are the font's line metrics (ascent, descent, gap),
which matplotlib reads from the font's tables each time it lays a text out. A chart drawn with
this canvas is the same, byte for byte, as with matplotlib's own.

Used as ``figure.savefig(..., format="svg", backend=BACKEND)``; an analyst's ``savefig``
keeps matplotlib's canvas.
"""

from __future__ import annotations

import codecs

import matplotlib
from matplotlib import cbook
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.font_manager import fontManager, get_font

BACKEND = f"module://{__name__}"
SVG_DPI = 72  # matplotlib lays an SVG out in points
# What a text's measure depends on besides the text and its properties: the fonts a family
# name resolves to and how glyphs are hinted and kerned (an analyst may change any of them).
MEASURE_SETTINGS = ("text.hinting", "text.hinting_factor", "text.kerning_factor")
MEASURES_KEPT = 20_000  # a few MB; a batch's charts use a few thousand different texts

# The font's line metrics by which a text's box is as tall as its font, whatever its letters:
# read from the font's tables, in the order of preference and with the arithmetic matplotlib
# uses, so that the floats are the same.
LINE_METRIC_TABLES = (("OS/2", "sTypoAscender", "sTypoDescender", "sTypoLineGap"),
                      ("hhea", "ascent", "descent", "lineGap"))

_measures: dict[tuple, tuple[float, float, float]] = {}
_line_metrics: dict[tuple, tuple] = {}  # a handful: one per font and size


def font_settings() -> tuple:
    """The settings a text's measure depends on, as a key."""
    chosen = {key: value for key, value in matplotlib.rcParams.items()
              if key.startswith("font.") or key in MEASURE_SETTINGS}
    return tuple((key, tuple(value) if isinstance(value, list) else value) for key, value in sorted(chosen.items()))


class _RendererMeasuringOnce(RendererSVG):
    def __init__(self, *args, settings: tuple, **kwargs):
        super().__init__(*args, **kwargs)
        self._settings = settings

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:  # mathematical text is laid out by matplotlib's own rules, left as they are
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, prop.copy(), self._settings)  # a copy: font properties can be changed after
        measure = _measures.get(key)
        if measure is None:
            if len(_measures) >= MEASURES_KEPT:
                _measures.clear()
            measure = _measures[key] = super().get_text_width_height_descent(s, prop, ismath)
        return measure

    def _get_font_height_metrics(self, prop):
        """The ascent, descent and line gap of ``prop``'s font at the SVG's dpi, read from the
        font once per process. matplotlib asks a renderer for them when it has this method,
        and reads the font's tables for every text, every time it is laid out, otherwise."""
        key = (prop.copy(), self._settings)
        metrics = _line_metrics.get(key)
        if metrics is None:
            metrics = _line_metrics[key] = _font_line_metrics(prop)
        return metrics


def _font_line_metrics(prop) -> tuple:
    """As matplotlib computes them for a figure at ``SVG_DPI``; three None when the font has
    neither table (matplotlib then measures a sample text instead)."""
    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, ascent, descent, gap in LINE_METRIC_TABLES:
        table = font.get_sfnt_table(table_name)
        if table is not None:
            scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * SVG_DPI / 72
            return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    return None, None, None


class FigureCanvas(FigureCanvasSVG):
    def print_svg(self, filename, *, bbox_inches_restore=None, metadata=None, **_set_by_savefig):
        """The figure as SVG, as matplotlib's canvas writes it, through the renderer above.

        ``savefig`` hands a canvas of its own also the dpi and colours, which it has already
        set on the figure for the drawing: an SVG has nothing more to do with them."""
        with cbook.open_file_cm(filename, "w", encoding="utf-8") as handle:
            if not cbook.file_requires_unicode(handle):
                handle = codecs.getwriter("utf-8")(handle)
            image_dpi = self.figure.dpi
            self.figure.dpi = SVG_DPI  # the caller, ``savefig``, puts the figure's dpi back
            width, height = self.figure.get_size_inches()
            vector = _RendererMeasuringOnce(width * SVG_DPI, height * SVG_DPI, handle, image_dpi=image_dpi,
                                            metadata=metadata, settings=font_settings())
            renderer = MixedModeRenderer(self.figure, width, height, image_dpi, vector,
                                         bbox_inches_restore=bbox_inches_restore)
            self.figure.draw(renderer)
            renderer.finalize()
