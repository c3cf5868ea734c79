"""The canvas the report saves its SVG charts with: matplotlib's, each text and font measured
once per process, and what it draws measured as it draws it.

To lay a chart out, matplotlib measures every text with the font's glyphs, and keeps the
measures for one drawing only. The charts of a batch repeat the same texts (tick values, age
classes, legends, axis titles) report after report, and measuring them again was about
7 % of a report's time. An SVG is laid out at 72 dpi whatever the figure's, so a text's
measure depends only on the text, its font properties and the font settings: kept in the
process on those, it is measured once. So are the font's line metrics (ascent, descent, gap),
which matplotlib reads from the font's tables each time it lays a text out.

The report frames a chart on what it shows. Asking the figure for it afterwards
(``get_tightbbox``) lays every label, legend and patch out a second time, about 9 % of a
report's time: instead the renderer adds up the extent of each path, marker, collection, text
and image as it draws it (``drawn_extent``), all but the figure's background, and hands the
box to the caller. A chart drawn with this canvas is the same, byte for byte, as with
matplotlib's own.

Used as ``figure.savefig(..., format="svg", backend=BACKEND, on_drawn=...)``; an analyst's
``savefig`` keeps matplotlib's canvas.
"""

from __future__ import annotations

import io
import operator

import matplotlib
import numpy as np
from matplotlib import cbook
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.font_manager import fontManager, get_font
from matplotlib.transforms import Bbox

from diagnosis.viz import drawn_extent

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

# The group matplotlib opens for the figure's background, directly inside the figure's own.
FIGURE_BACKGROUND = ["figure", "patch"]

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
        self._groups: list[str] = []
        self._drawn: list[drawn_extent.Box | None] = []
        self._inside_collection = False

    def drawn_box(self) -> drawn_extent.Box | None:
        """The box, in points from the bottom left, of all this renderer has drawn; None for nothing."""
        return drawn_extent.union(self._drawn)

    # What is drawn is recorded before matplotlib writes it, with the arguments matplotlib
    # receives, all of them passed on: the bytes are those of matplotlib's own renderer.

    def open_group(self, s, *args, **kwargs):
        self._groups.append(s)
        super().open_group(s, *args, **kwargs)

    def close_group(self, s, *args, **kwargs):
        self._groups.pop()
        super().close_group(s, *args, **kwargs)

    def _counts(self) -> bool:
        """Whether what is drawn now frames the chart: not the figure's background, which covers
        the whole canvas, nor the paths matplotlib's fallback draws one by one for a collection
        already recorded whole."""
        return not self._inside_collection and self._groups != FIGURE_BACKGROUND

    def _record(self, box, gc) -> None:
        if self._counts():
            self._drawn.append(drawn_extent.clipped(box, gc))

    def draw_path(self, gc, path, transform, rgbFace=None, *args, **kwargs):
        stroke = drawn_extent.stroke_half_width(gc)
        if rgbFace is not None or stroke or gc.get_hatch() is not None:
            self._record(drawn_extent.widened(drawn_extent.path_box(path, transform), stroke), gc)
        super().draw_path(gc, path, transform, rgbFace, *args, **kwargs)

    def draw_markers(self, gc, marker_path, marker_trans, path, trans, *args, **kwargs):
        marker = drawn_extent.widened(drawn_extent.path_box(marker_path, marker_trans),
                                      drawn_extent.stroke_half_width(gc))
        centres = drawn_extent.path_box(path, trans)
        if marker is not None and centres is not None:
            self._record((centres[0] + marker[0], centres[1] + marker[1],
                          centres[2] + marker[2], centres[3] + marker[3]), gc)
        super().draw_markers(gc, marker_path, marker_trans, path, trans, *args, **kwargs)

    def draw_path_collection(self, gc, master_transform, paths, all_transforms, offsets, offset_trans,
                             facecolors, edgecolors, linewidths, *args, **kwargs):
        # matplotlib may write the collection itself, as paths defined once and used at each offset:
        # its extent comes from the arguments, as matplotlib cycles them.
        if len(facecolors) or len(edgecolors) or len(kwargs.get("hatchcolors") or ()):
            placed = offset_trans.transform(offsets) if len(offsets) else offsets
            box = drawn_extent.collection_box(
                self._iter_collection_raw_paths(master_transform, paths, all_transforms), placed)
            stroke = max(linewidths, default=0) / 2 if len(edgecolors) else 0
            self._record(drawn_extent.widened(box, stroke), gc)
        self._inside_collection = True
        try:
            super().draw_path_collection(gc, master_transform, paths, all_transforms, offsets, offset_trans,
                                         facecolors, edgecolors, linewidths, *args, **kwargs)
        finally:
            self._inside_collection = False

    def draw_text(self, gc, x, y, s, prop, angle, *args, **kwargs):
        ismath = args[0] if args else kwargs.get("ismath", False)
        width, ascent, descent = self._line_extent(s, prop, ismath)
        # A text comes with its y from the top, the SVG's way (``flipy``); the rest, from the bottom.
        self._record(drawn_extent.text_box(x, self.height - y, width, ascent, descent, angle), gc)
        super().draw_text(gc, x, y, s, prop, angle, *args, **kwargs)

    def _line_extent(self, s, prop, ismath) -> tuple[float, float, float]:
        """A text's width, ascent and descent as matplotlib lays a line out: at least as tall as its
        font, whatever its letters (so the frame leaves a browser's font the room a line takes)."""
        width, height, descent = self.get_text_width_height_descent(s, prop, ismath)
        ascent = height - descent
        font_ascent, font_descent, _ = self._get_font_height_metrics(prop)
        if font_ascent is None:
            return width, ascent, descent
        return width, max(ascent, font_ascent), max(descent, font_descent)

    def draw_image(self, gc, x, y, im, transform=None, *args, **kwargs):
        height, width = im.shape[:2]
        if transform is None:  # the image's pixels at the renderer's image dpi
            scale = SVG_DPI / self.image_dpi
            corners = [(x, y), (x + width * scale, y + height * scale)]
        else:  # the unit square under ``transform``, from ``x, y``
            corners = transform.transform([(0, 0), (0, 1), (1, 0), (1, 1)]) + (x, y)
        if width and height:
            self._record(drawn_extent.points_box(corners), gc)
        super().draw_image(gc, x, y, im, transform, *args, **kwargs)

    def draw_gouraud_triangles(self, gc, triangles_array, colors_array, transform, *args, **kwargs):
        self._record(drawn_extent.points_box(transform.transform(np.reshape(triangles_array, (-1, 2)))), gc)
        super().draw_gouraud_triangles(gc, triangles_array, colors_array, transform, *args, **kwargs)

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


class _ForwardingRenderer(MixedModeRenderer):
    """matplotlib's renderer for a vector file with rasterized parts: it hands each drawing call
    to the renderer it draws with at that moment (the vector one, or the raster one inside a
    rasterized artist) from ``__getattr__``, so that every call first failed an ordinary lookup
    and built its error message, thousands of times a chart. Here the renderer's methods are
    found on the class, and handed on the same way, to whichever renderer draws at that moment."""


def _forwarded(name: str) -> property:
    return property(operator.attrgetter(f"_renderer.{name}"))


for _name in dir(_RendererMeasuringOnce):
    if not _name.startswith("__") and _name not in vars(MixedModeRenderer) \
            and callable(getattr(_RendererMeasuringOnce, _name)):
        setattr(_ForwardingRenderer, _name, _forwarded(_name))


class FigureCanvas(FigureCanvasSVG):
    def print_svg(self, filename, *, bbox_inches_restore=None, metadata=None, on_drawn=None, **_set_by_savefig):
        """The figure as SVG, as matplotlib's canvas writes it, through the renderer above; and,
        to ``on_drawn`` when given, the box of what the drawing put on the page, in inches from
        the figure's bottom left (None when it drew nothing but the background).

        ``savefig`` hands a canvas of its own also the dpi and colours, which it has already
        set on the figure for the drawing: an SVG has nothing more to do with them; and passes
        on the keywords it does not know, as ``on_drawn``."""
        # The renderer writes a chart in thousands of small pieces: into a string, encoded once at
        # the end, rather than each through an encoding writer (to a file of bytes, as a report's).
        text = io.StringIO()
        image_dpi = self.figure.dpi
        self.figure.dpi = SVG_DPI  # the caller, ``savefig``, puts the figure's dpi back
        width, height = self.figure.get_size_inches()
        vector = _RendererMeasuringOnce(width * SVG_DPI, height * SVG_DPI, text, image_dpi=image_dpi,
                                        metadata=metadata, settings=font_settings())
        renderer = _ForwardingRenderer(self.figure, width, height, image_dpi, vector,
                                       bbox_inches_restore=bbox_inches_restore)
        self.figure.draw(renderer)
        renderer.finalize()
        with cbook.open_file_cm(filename, "w", encoding="utf-8") as handle:
            handle.write(text.getvalue() if cbook.file_requires_unicode(handle) else text.getvalue().encode("utf-8"))
        if on_drawn is not None:
            on_drawn(_in_inches(vector.drawn_box()))


def _in_inches(points: drawn_extent.Box | None) -> Bbox | None:
    return None if points is None else Bbox.from_extents(*(value / SVG_DPI for value in points))
