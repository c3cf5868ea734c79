"""A chart as the report shows it: title, image with alt text, source-and-vintage line.

The image is made by ``viz.figure``; the HTML around it is the ``grafico`` piece, escaped
like every other piece of the report.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import matplotlib.pyplot as plt

from diagnosis.report.markup import render
from diagnosis.viz.figure import image_of


@dataclass(frozen=True)
class Chart:
    title: str
    alt: str
    source: str
    image: bytes
    mime: str = "image/png"

    def to_html(self) -> str:
        return render("grafico.html.j2", title=self.title, alt=self.alt, source=self.source, mime=self.mime,
                      image=base64.b64encode(self.image).decode("ascii"))

    def _repr_html_(self) -> str:
        return self.to_html()


def chart_from_figure(figure, *, title: str, alt: str, source: str) -> Chart:
    image, mime = image_of(figure)
    plt.close(figure)
    return Chart(title=title, alt=alt, source=source, image=image, mime=mime)
