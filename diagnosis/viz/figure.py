"""A chart as the report shows it: title, image with alt text, source-and-vintage line."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt



# A chart with fewer path points than this is drawn as SVG: it prints sharp, weighs less and
# is made faster, its text left to the browser (fonts listed down to a generic family) instead
# of being painted. Bars, lines and bands stay well below it; a map is far above (a comune
# and its neighbours: 7,000 points, 190 KB as SVG against 18 KB as PNG).
VECTOR_LIMIT = 2_000


@dataclass(frozen=True)
class Chart:
    title: str
    alt: str
    source: str
    image: bytes
    mime: str = "image/png"

    def to_html(self) -> str:
        encoded = base64.b64encode(self.image).decode("ascii")
        return (
            '<figure class="grafico">'
            f'<figcaption class="titolo-grafico">{html.escape(self.title)}</figcaption>'
            f'<img src="data:{self.mime};base64,{encoded}" alt="{html.escape(self.alt, quote=True)}">'
            f'<p class="fonte">Fonte: {html.escape(self.source)}</p>'
            "</figure>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def chart_from_figure(figure, *, title: str, alt: str, source: str) -> Chart:
    image, mime = image_of(figure)
    plt.close(figure)
    return Chart(title=title, alt=alt, source=source, image=image, mime=mime)


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
