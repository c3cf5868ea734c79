"""A finished figure as the image the report embeds: SVG when it is light, PNG when it is many shapes.

The HTML around the image (title, alt text, source) is the report's: ``report.figure``.
"""

from __future__ import annotations

import io
import re

import matplotlib
import matplotlib.image
import numpy as np

from diagnosis.viz import svg_canvas, ticks
from diagnosis.viz.layout_once import laid_out_once

# A chart with fewer path points than this is drawn as SVG: it prints sharp, weighs less and
# is made faster, its text left to the browser (fonts listed down to a generic family) instead
# of being painted. Bars, lines and bands stay well below it; a map is far above (a comune
# and its neighbours: 7,000 points, 190 KB as SVG against 18 KB as PNG).
VECTOR_LIMIT = 2_000
SVG_POINTS_PER_INCH = 72  # matplotlib writes SVG in points, whatever the figure's dpi
# No date (the same chart gives the same bytes, run after run); the canvas that measures each text once.
SVG_OPTIONS = {"metadata": {"Date": None}, "backend": svg_canvas.BACKEND}


def image_of(figure) -> tuple[bytes, str]:
    """The figure cropped to what is drawn, as SVG or, for one of many shapes, PNG; and its type."""
    ticks.provide_figure_ticks(figure)
    if _path_points(figure) > VECTOR_LIMIT:
        return _cropped_png(figure), "image/png"
    return _cropped_svg(figure), "image/svg+xml"


# ``bbox_inches="tight"`` lays a figure out twice before drawing it (once to measure what it
# shows, once more to draw it moved to the crop): here the image is drawn once and framed on
# what that drawing put on the page. The SVG canvas records the extent of each thing as it
# draws it; for a PNG the crop is measured at the end of the one drawing (``draw_event``),
# with the text sizes that drawing has just computed.

def _saved(figure, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    # Fixed element ids: the same chart gives the same bytes, run after run.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "diagnosis"}), laid_out_once(figure):
        figure.savefig(buffer, format=format, **options)
    return buffer.getvalue()


def _cropped_svg(figure) -> bytes:
    """The figure as SVG, its view box on what is drawn: only the SVG's frame moves, what shows is the same."""
    drawn = []
    svg = _saved(figure, "svg", **SVG_OPTIONS, on_drawn=drawn.append)
    box = drawn[0] or figure.bbox_inches  # nothing drawn but the background: the whole figure
    return _framed(svg, box.padded(matplotlib.rcParams["savefig.pad_inches"]), figure.get_size_inches()[1])


def _drawn_once(figure, format: str) -> tuple[bytes, dict]:
    """The figure saved as ``format``; and, of that drawing, the box (in inches) of what it shows,
    the dpi and the size in pixels."""
    measured = {}

    def measure(event) -> None:  # at the end of the drawing, while the figure is at the output's dpi
        box = figure.get_tightbbox(event.renderer).padded(matplotlib.rcParams["savefig.pad_inches"])
        measured.update(box=box, dpi=figure.dpi, pixels=event.canvas.get_width_height(physical=True))

    listening = figure.canvas.mpl_connect("draw_event", measure)
    try:
        image = _saved(figure, format)
    finally:
        figure.canvas.mpl_disconnect(listening)
    return image, measured


def _cropped_png(figure) -> bytes:
    """The figure as PNG, its pixels cut to what is drawn; drawn moved, as matplotlib's own tight
    crop does, when something lies beyond the figure's edge (the cut would lose it)."""
    raw, drawing = _drawn_once(figure, "rgba")
    box, dpi, (width, height) = drawing["box"], drawing["dpi"], drawing["pixels"]
    pixels = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 4)
    left, top = round(box.x0 * dpi), round(height - box.y1 * dpi)
    right, bottom = left + int(box.width * dpi), top + int(box.height * dpi)
    buffer = io.BytesIO()
    if left < 0 or top < 0 or right > width or bottom > height:
        figure.savefig(buffer, format="png", bbox_inches="tight")
    else:
        matplotlib.image.imsave(buffer, pixels[top:bottom, left:right], format="png", dpi=dpi)
    return buffer.getvalue()


# The root element's size and view box, as matplotlib writes them: the whole figure, in points.
_FRAME = re.compile(rb'width="[^"]*pt" height="[^"]*pt" viewBox="0 0 [^"]*"')


def _framed(svg: bytes, inches, figure_height: float) -> bytes:
    """``svg`` showing only the box ``inches`` (in figure inches, from the bottom left) of the figure."""
    left, width, height = (value * SVG_POINTS_PER_INCH for value in (inches.x0, inches.width, inches.height))
    top = (figure_height - inches.y1) * SVG_POINTS_PER_INCH  # SVG counts from the top
    frame = (f'width="{_points(width)}pt" height="{_points(height)}pt" '
             f'viewBox="{_points(left)} {_points(top)} {_points(width)} {_points(height)}"')
    return _FRAME.sub(frame.encode("ascii"), svg, count=1)


def _points(value: float) -> str:
    """A length as matplotlib writes it in SVG: six decimals, without trailing zeros."""
    return f"{value:f}".rstrip("0").rstrip(".")


def _path_points(figure) -> int:
    points = 0
    for axes in figure.axes:
        points += sum(len(path.vertices) for collection in axes.collections for path in collection.get_paths())
        points += sum(len(patch.get_path().vertices) for patch in axes.patches)
        points += sum(len(line.get_xydata()) for line in axes.lines)
    return points
