"""A chart as the report shows it: title, image with alt text, source-and-vintage line."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import matplotlib.pyplot as plt

from diagnosis.viz import style


@dataclass(frozen=True)
class Chart:
    title: str
    alt: str
    source: str
    png: bytes

    def to_html(self) -> str:
        encoded = base64.b64encode(self.png).decode("ascii")
        return (
            '<figure class="grafico">'
            f'<figcaption class="titolo-grafico">{html.escape(self.title)}</figcaption>'
            f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(self.alt, quote=True)}">'
            f'<p class="fonte">Fonte: {html.escape(self.source)}</p>'
            "</figure>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def chart_from_figure(figure, *, title: str, alt: str, source: str) -> Chart:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    return Chart(title=title, alt=alt, source=source, png=buffer.getvalue())


def drawn_chart(draw, size: tuple[float, float], *, title: str, alt: str, source: str) -> Chart:
    """``draw(axes)`` on a new figure in the house style, kept as the report's image.

    The style holds for the whole drawing and the saving, and is lifted afterwards, so that
    building a report leaves a notebook's own settings as they were."""
    with style.in_stile():
        figure, axes = plt.subplots(figsize=size)
        draw(axes)
        return chart_from_figure(figure, title=title, alt=alt, source=source)
