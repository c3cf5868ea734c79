"""Tables and charts as a notebook shows them: Italian numbers, a caption, the data as CSV.

In a notebook::

    from diagnosis.report.frames import grafico, tabella

    tabella(quadro, titolo="Indicatori a confronto", decimali={"Pioltello": 1}, csv="indicatori.csv")
    grafico(fig, titolo="Piramide delle età", alt="...", fonte="ISTAT")
    elenco(sintesi["frase"], giudizi=sintesi["giudizio"], titolo="Sintesi")

``tabella`` keeps the DataFrame as it is (the analyst can still change it) and shows it
as an HTML table; ``grafico`` turns a matplotlib figure into the report's image with
its title, a sentence for readers who cannot see it and the source line; ``elenco`` shows
sentences as a list, each with its judgement when it has one.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from diagnosis.formatting import MISSING, format_interval, format_number, format_value
from diagnosis.report.markup import Markup, render
from diagnosis.report.sections import csv_link, judgement_badge
from diagnosis.report.figure import Chart, chart_from_figure


class Tabella:
    """A DataFrame shown with Italian number formatting; ``dati`` is the frame itself."""

    def __init__(self, dati: pd.DataFrame, titolo: str | None, decimali: dict[str, int], csv: str | None,
                 unita: str | None, fonte: str | None = None):
        self.dati, self.titolo, self.decimali, self.csv, self.unita = dati, titolo, decimali, csv, unita
        self.fonte = fonte

    @staticmethod
    def _numeric(data: pd.DataFrame) -> list[str]:
        # Read from the column types: taking each column out of the frame costs more than the test.
        return [c for c, dtype in data.dtypes.items() if pd.api.types.is_numeric_dtype(dtype)
                and not pd.api.types.is_bool_dtype(dtype) and not _is_year(c)]

    @staticmethod
    def _mixed(data: pd.DataFrame) -> list[str]:
        """Columns of numbers and words (a survey's counts with "meno di 5 risposte" in place of
        the hidden ones): the numbers are formatted, the words shown as they are."""
        found = []
        for column, dtype in data.dtypes.items():
            if dtype != object:  # only a column of Python objects mixes kinds: the others are not read
                continue
            kinds = {type(v) for v in data[column].dropna()}
            numeric = {k for k in kinds if issubclass(k, numbers.Number) and not issubclass(k, bool)}
            if numeric and kinds - numeric <= {str}:
                found.append(column)
        return found

    def _shown(self, data: pd.DataFrame, numeric: list[str], mixed: list[str]) -> dict[str, list]:
        """Every cell as the reader sees it, column by column: numbers in Italian, by their row's unit
        when there is one; years as written (2023, not 2.023), yes or no in words. ``numeric`` and
        ``mixed`` are :meth:`_numeric` and :meth:`_mixed`, read once for the whole table."""
        shown = {}
        for column in data.columns:
            if column == self.unita:
                continue
            values = data[column]
            if column in mixed:
                numbers_only = pd.to_numeric(values.where(values.map(lambda v: not isinstance(v, str))),
                                             errors="coerce")
                decimals = self.decimali.get(column, _default_decimals(numbers_only))
                shown[column] = [v if isinstance(v, str) else _number(v, decimals) for v in values]
            elif column in numeric:
                shown[column] = self._numbers(data, values)
            elif _is_year(column) and pd.api.types.is_numeric_dtype(values):
                shown[column] = [MISSING if pd.isna(v) else str(int(v)) for v in values]
            elif pd.api.types.is_bool_dtype(values) or _all_yes_or_no(values):
                shown[column] = [MISSING if pd.isna(v) else "sì" if v else "no" for v in values]
            else:
                cells = values.to_numpy(dtype=object)  # Python values, as the page prints them
                shown[column] = [MISSING if missing else v for v, missing in zip(cells, pd.isna(cells))]
        return shown

    def _numbers(self, data: pd.DataFrame, values: pd.Series) -> list[str]:
        if self.unita:
            return [format_value(v, u) for v, u in zip(values, data[self.unita])]
        decimals = self.decimali.get(values.name, _default_decimals(values))
        return [_number(v, decimals) for v in values]

    @staticmethod
    def _cell_classes(data: pd.DataFrame, shown: dict[str, list], numeric: list[str],
                      mixed: list[str]) -> dict[str, list[str]]:
        """Per shown column, each cell's class: numbers aligned right, the words of a column of
        numbers in the grey of a note."""
        numeric, mixed = set(numeric), set(mixed)
        return {column: ["nota" if isinstance(v, str) else "num" for v in data[column]] if column in mixed
                else ["num" if column in numeric else ""] * len(data) for column in shown}

    def _repr_html_(self) -> str:
        # The kinds of columns are read on every showing: the analyst may have changed the frame since.
        # Read through a view without ``attrs``: pandas deep-copies a frame's attrs (the territory,
        # its comuni, the sources) into every column taken from it, dozens per table.
        data = pd.DataFrame(self.dati, copy=False)
        numeric, mixed = self._numeric(data), self._mixed(data)
        shown = self._shown(data, numeric, mixed)
        classes = self._cell_classes(data, shown, numeric, mixed)
        rows = [[(cells[number], classes[column][number]) for column, cells in shown.items()]
                for number in range(len(data))]
        page = render("tabella.html.j2", caption=self.titolo, columns=list(shown), rows=rows,
                      source=self.fonte)
        if self.csv:
            page += Markup(csv_link(data, self.csv))
        return page


def _is_year(column) -> bool:
    """A column of years by its heading: ``anno``, ``anno d'imposta``, ``1° gennaio``."""
    name = str(column).lower()
    return name.startswith("anno") or name == "1° gennaio"


def _all_yes_or_no(column: pd.Series) -> bool:
    """Python's True and False (and blanks) in a column of another type; a column of numbers
    or of text holds none, and is not read value by value."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
        return False  # a column of text, as a column of numbers, holds no True nor False
    return set(column.dropna().map(type)) == {bool}


def _number(value, decimals: int) -> str:
    """A number as the table shows it; pandas' own missing values (``pd.NA``) read n.d. too."""
    return MISSING if pd.isna(value) else format_number(value, decimals)


def _default_decimals(column: pd.Series) -> int:
    """0 when every value given is whole (or none is), else 1."""
    values = column.to_numpy(dtype=float, na_value=np.nan)  # pandas' own blanks (pd.NA) as NaN
    values = values[~np.isnan(values)]
    return 0 if (np.round(values) == values).all() else 1


def tabella(dati: pd.DataFrame, *, titolo: str | None = None, decimali: dict[str, int] | None = None,
            csv: str | None = None, unita: str | None = None, fonte: str | None = None) -> Tabella:
    """``dati`` shown with numbers as an Italian reader writes them (``1.234,5``), ``n.d.`` for
    what is missing, no index; ``decimali`` per column (whole numbers by default), or
    ``unita``: the column naming each row's unit (``%``, ``euro``…), which then formats the
    row and is not shown; ``fonte`` is the source line under the table; ``csv`` names the
    download of the table's data. A column of numbers and words (a survey's "meno di 5
    risposte") has its numbers formatted and its words kept."""
    return Tabella(dati.reset_index(drop=True), titolo, decimali or {}, csv, unita, fonte)


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
        return render("nota.html.j2", text=self.testo)

    def __repr__(self) -> str:
        return self.testo


def nota(testo: str) -> Nota:
    return Nota(testo)


class Elenco:
    """Sentences as a list under an optional heading, each after its judgement's label."""

    def __init__(self, frasi: list[str], giudizi: list, titolo: str | None):
        self.frasi, self.giudizi, self.titolo = frasi, giudizi, titolo

    def _repr_html_(self) -> str:
        items = [(sentence, Markup(judgement_badge(judgement))) for sentence, judgement in zip(self.frasi, self.giudizi)]
        return render("elenco.html.j2", items=items, title=self.titolo)

    def __repr__(self) -> str:
        lines = [self.titolo] if self.titolo and self.frasi else []
        return "\n".join(lines + [f"- {f}" for f in self.frasi])


def elenco(frasi, *, giudizi=None, titolo: str | None = None) -> Elenco:
    """``frasi`` (a list or a column) as a list; ``giudizi`` puts each judgement's label
    (favorevole, neutro, critico, non giudicato) before its sentence. Nothing is shown
    when there is no sentence, not even the ``titolo``."""
    frasi = [str(f) for f in frasi]
    giudizi = list(giudizi) if giudizi is not None else [None] * len(frasi)
    return Elenco(frasi, giudizi, titolo)


def grafico(figura, *, titolo: str, alt: str, fonte: str) -> Chart:
    """The figure as the report's image: title above, ``alt`` for screen readers, source below.

    The figure is closed, so that the notebook shows it once."""
    return chart_from_figure(figura, title=titolo, alt=alt, source=fonte)
