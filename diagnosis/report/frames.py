"""Tables and charts as a notebook shows them: Italian numbers, a caption, the data as CSV.

In a notebook::

    from diagnosis.report.frames import grafico, tabella

    tabella(quadro, titolo="Indicatori a confronto", decimali={"Pioltello": 1}, csv="indicatori.csv")
    grafico(fig, titolo="Piramide delle età", alt="...", fonte="ISTAT")

``tabella`` keeps the DataFrame as it is (the analyst can still change it) and shows it
as an HTML table; ``grafico`` turns a matplotlib figure into the report's image with
its title, a sentence for readers who cannot see it and the source line.
"""

from __future__ import annotations

import html

import jinja2
import pandas as pd

from diagnosis.formatting import MISSING, format_interval, format_number, format_value
from diagnosis.report.sections import csv_link
from diagnosis.viz.figure import Chart, chart_from_figure


class Tabella:
    """A DataFrame shown with Italian number formatting; ``dati`` is the frame itself."""

    def __init__(self, dati: pd.DataFrame, titolo: str | None, decimali: dict[str, int], csv: str | None,
                 unita: str | None):
        self.dati, self.titolo, self.decimali, self.csv, self.unita = dati, titolo, decimali, csv, unita

    def _numeric(self) -> list[str]:
        return [c for c in self.dati.columns if pd.api.types.is_numeric_dtype(self.dati[c])
                and not pd.api.types.is_bool_dtype(self.dati[c]) and not _is_year(c)]

    def _shown(self) -> pd.DataFrame:
        """Every cell as the reader sees it: numbers in Italian, by their row's unit when there is one;
        years as written (2023, not 2.023), yes or no in words."""
        shown = self.dati.astype(object).where(self.dati.notna(), MISSING)
        for column in self.dati.columns:
            if _is_year(column) and pd.api.types.is_numeric_dtype(self.dati[column]):
                shown[column] = [MISSING if pd.isna(v) else str(int(v)) for v in self.dati[column]]
            elif pd.api.types.is_bool_dtype(self.dati[column]) or set(self.dati[column].dropna().map(type)) == {bool}:
                shown[column] = [MISSING if pd.isna(v) else "sì" if v else "no" for v in self.dati[column]]
        for column in self._numeric():
            if self.unita:
                shown[column] = [format_value(v, u) for v, u in zip(self.dati[column], self.dati[self.unita])]
            else:
                decimals = self.decimali.get(column, _default_decimals(self.dati[column]))
                shown[column] = [format_number(v, decimals) for v in self.dati[column]]
        return shown.drop(columns=[self.unita]) if self.unita else shown

    def _repr_html_(self) -> str:
        shown = self._shown()
        numeric = set(self._numeric())
        page = TABLE_TEMPLATE.render(caption=self.titolo, columns=list(shown.columns),
                                     numeric=[column in numeric for column in shown.columns],
                                     rows=shown.itertuples(index=False, name=None))
        if self.csv:
            page += csv_link(self.dati.to_dict("records"), self.csv)
        return page


# The report's table, escaped once by Jinja. A pandas Styler gave the same page at several
# times the cost (a report shows a dozen tables) and a random id per table.
TABLE_TEMPLATE = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string("""\
<table class="tabella">
{% if caption %}<caption>{{ caption }}</caption>
{% endif %}
<thead><tr>{% for column in columns %}<th>{{ column }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}
<tr>{% for cell in row %}<td{% if numeric[loop.index0] %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
""")


def _is_year(column) -> bool:
    """A column of years by its heading: ``anno``, ``anno d'imposta``, ``1° gennaio``."""
    name = str(column).lower()
    return name.startswith("anno") or name == "1° gennaio"


def _default_decimals(column: pd.Series) -> int:
    values = column.dropna()
    return 0 if values.empty or (values.round() == values).all() else 1


def tabella(dati: pd.DataFrame, *, titolo: str | None = None, decimali: dict[str, int] | None = None,
            csv: str | None = None, unita: str | None = None) -> Tabella:
    """``dati`` shown with numbers as an Italian reader writes them (``1.234,5``), ``n.d.`` for
    what is missing, no index; ``decimali`` per column (whole numbers by default), or
    ``unita``: the column naming each row's unit (``%``, ``euro``…), which then formats the
    row and is not shown; ``csv`` names the download of the table's data under it."""
    return Tabella(dati.reset_index(drop=True), titolo, decimali or {}, csv, unita)


def intervallo(basso, alto, unita: str) -> str:
    """``3,9–4,9 %``: a value known within bounds, as the report writes it; empty when there are none."""
    if pd.isna(basso) or pd.isna(alto):
        return ""
    return format_interval(basso, alto, unita)


class Nota:
    """A short remark in the report's small grey type: what is missing and how to get it."""

    def __init__(self, testo: str):
        self.testo = testo

    def _repr_html_(self) -> str:
        return f'<p class="nota">{html.escape(self.testo)}</p>'

    def __repr__(self) -> str:
        return self.testo


def nota(testo: str) -> Nota:
    return Nota(testo)


def grafico(figura, *, titolo: str, alt: str, fonte: str) -> Chart:
    """The figure as the report's image: title above, ``alt`` for screen readers, source below.

    The figure is closed, so that the notebook shows it once."""
    return chart_from_figure(figura, title=titolo, alt=alt, source=fonte)
