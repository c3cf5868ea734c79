"""Under a consultant's brand the charts draw the territory in the brand's colour; categories keep theirs."""

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from diagnosis import viz
from diagnosis.config import ACCENT_VARIABLE, charts_in
from diagnosis.report import fotografia
from diagnosis.report.brand import Brand
from diagnosis.report.runner import run_notebook
from diagnosis.territory import resolve_territory
from diagnosis.viz import style
from diagnosis.viz.charts import JUDGEMENT_COLORS

BRAND_COLOUR = "#7a1f3d"  # a deep red, 10:1 on white
PALE_COLOUR = "#f6d365"  # a light yellow, under 2:1 on white


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_the_accent_is_the_house_blue_unless_a_readable_brand_colour_is_given(monkeypatch):
    monkeypatch.delenv(ACCENT_VARIABLE, raising=False)
    assert style.accent() == style.TERRITORY_COLOR
    with charts_in(BRAND_COLOUR):
        assert style.accent() == BRAND_COLOUR
        with charts_in(None):
            assert style.accent() == style.TERRITORY_COLOR
        assert style.accent() == BRAND_COLOUR  # the outer block's colour comes back
    with charts_in(PALE_COLOUR):
        assert style.contrast_on_white(PALE_COLOUR) < style.MIN_CONTRAST
        assert style.accent() == style.TERRITORY_COLOR  # too pale to see the territory on white
    with charts_in("non un colore"):
        assert style.accent() == style.TERRITORY_COLOR
    assert style.accent() == style.TERRITORY_COLOR


def test_maps_and_lines_take_the_brand_colour_and_judgements_keep_the_palette():
    with charts_in(BRAND_COLOUR):
        fan = viz.ventaglio_proiezione(
            pd.DataFrame({"anno": [2022, 2023], "valore": [100.0, 101.0]}),
            pd.DataFrame({"anno": [2024], "valore": [102.0], "basso_80": [100.0], "alto_80": [104.0],
                          "basso_95": [99.0], "alto_95": [105.0]}))
        territory_map = viz.mappa_comuni(["036040"])
        bars = viz.confronto_indicatori(pd.DataFrame({"indicatore": ["a", "b"], "valore": [12.0, 8.0],
                                                      "riferimento": [10.0, 10.0],
                                                      "giudizio": ["favorevole", "critico"]}))
    projection = next(line for line in fan.lines if line.get_label() == "proiezione")
    assert to_hex(projection.get_color()) == BRAND_COLOUR
    fills = {to_hex(collection.get_facecolor()[0]) for collection in territory_map.collections
             if len(collection.get_facecolor())}
    assert BRAND_COLOUR in fills and to_hex(style.TERRITORY_COLOR) not in fills
    # A judgement is a category: its colour means the same in every report, whatever the brand.
    assert [to_hex(bar.get_facecolor()) for bar in bars.patches[:2]] == \
        [to_hex(JUDGEMENT_COLORS["favorevole"]), to_hex(JUDGEMENT_COLORS["critico"])]


def test_the_notebook_kernel_sees_the_brand_colour(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("territorio = 'Prova'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from diagnosis.viz import style\nprint(style.accent())"),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "accento.ipynb"
    nbformat.write(notebook, path)
    for in_process in (True, False):  # a batch worker's run, and a kernel of its own
        with charts_in(BRAND_COLOUR):
            executed = run_notebook(path, None, {}, in_process=in_process)
        assert executed.cells[-1].outputs[0]["text"].strip() == BRAND_COLOUR, in_process


def test_a_fotografia_runs_its_notebook_in_the_brand_colour(tmp_path, monkeypatch):
    seen = []

    def record(*_args, **_kwargs):
        seen.append(style.accent())
        raise KeyboardInterrupt  # enough: the notebook would now draw its charts

    monkeypatch.setattr(fotografia, "run_notebook", record)
    monkeypatch.delenv(ACCENT_VARIABLE, raising=False)
    with pytest.raises(KeyboardInterrupt):
        fotografia.build_fotografia(resolve_territory("Sassuolo"), 2023, tmp_path / "out",
                                    brand=Brand(colore_primario=BRAND_COLOUR))
    assert seen == [BRAND_COLOUR] and style.accent() == style.TERRITORY_COLOR
