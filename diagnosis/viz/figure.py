"""A finished figure as the image the report embeds: SVG when it is light, PNG when it is many shapes.

The HTML around the image (title, alt text, source) is the report's: ``report.figure``.
"""

from __future__ import annotations

import io

import matplotlib

# A chart with fewer path points than this is drawn as SVG: it prints sharp, weighs less and
# is made faster, its text left to the browser (fonts listed down to a generic family) instead
# of being painted. Bars, lines and bands stay well below it; a map is far above (a comune
# and its neighbours: 7,000 points, 190 KB as SVG against 18 KB as PNG).
VECTOR_LIMIT = 2_000


def image_of(figure) -> tuple[bytes, str]:
    """The figure cropped to what is drawn, as SVG or, for one of many shapes, PNG; and its type."""
    buffer = io.BytesIO()
    if _path_points(figure) > VECTOR_LIMIT:
        figure.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue(), "image/png"
    # No date and fixed element ids: the same chart gives the same bytes, run after run.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "diagnosis"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue(), "image/svg+xml"


def _path_points(figure) -> int:
    points = 0
    for axes in figure.axes:
        points += sum(len(path.vertices) for collection in axes.collections for path in collection.get_paths())
        points += sum(len(patch.get_path().vertices) for patch in axes.patches)
        points += sum(len(line.get_xydata()) for line in axes.lines)
    return points
