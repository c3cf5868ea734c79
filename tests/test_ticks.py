"""New ticks made as copies of one matplotlib made: the same ticks, the same charts, each its own."""

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from diagnosis import viz  # noqa: E402
from diagnosis.viz import ticks  # noqa: E402
from diagnosis.viz.figure import image_of  # noqa: E402

from report_figures import ReportFigures, age_table, indicator_table  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _axes():
    _figure, axes = plt.subplots()
    axes.plot([0, 10], [0, 5])
    return axes


# The ways an analyst or a chart changes every tick of an axis before new ones are made.
TICK_SETTINGS = {
    "as they come": {},
    "larger red labels": {"labelsize": 14, "labelcolor": "red"},
    "inward, long, wide": {"direction": "in", "length": 8, "width": 2, "pad": 9},
    "rotated, marks on both sides": {"labelrotation": 45, "top": True, "right": True, "labeltop": True},
    "grid": {"grid_color": "0.8", "grid_linestyle": ":", "grid_linewidth": 0.5},
}


def test_copies_are_faithful_with_this_matplotlib():
    assert ticks.copies_are_faithful()


@pytest.mark.parametrize("settings", TICK_SETTINGS.values(), ids=TICK_SETTINGS.keys())
@pytest.mark.parametrize("which", ["xaxis", "yaxis"])
def test_a_copy_of_a_new_tick_is_the_next_tick_matplotlib_makes(which, settings):
    axes = _axes()
    axes.tick_params(axis=which[0], **settings)
    axes.grid(True)
    axis = getattr(axes, which)
    template, following = axis.get_major_ticks(4)[2:4]
    copy = ticks.copy_of_new_tick(template)
    assert ticks.same_state(copy, following)
    assert not ticks.same_state(copy, axis.majorTicks[0])  # placed and labelled: not a new tick


def test_a_different_tick_is_told_apart():
    axis = _axes().xaxis
    template, following = axis.get_major_ticks(3)[1:3]
    following.label1.set_fontsize(20)
    assert not ticks.same_state(ticks.copy_of_new_tick(template), following)


def test_a_copy_owns_what_a_tick_changes_in_place():
    axis = _axes().xaxis
    template = axis.get_major_ticks(2)[1]
    copy = ticks.copy_of_new_tick(template)
    size, colour = template.label1.get_fontsize(), template.label1.get_color()
    copy.label1.set_fontsize(size + 5)  # a tick's font is changed in place
    copy.label1.set_fontweight("bold")
    copy.tick1line.get_xdata(orig=True).append(3)
    copy.gridline.add_callback(lambda _artist: None)
    copy.label1.get_path_effects().append("an effect")
    assert template.label1.get_fontsize() == size and template.label1.get_fontweight() == "normal"
    assert template.label1.get_color() == colour
    assert len(template.tick1line.get_xdata(orig=True)) == 1
    assert not template.gridline._callbacks.callbacks
    assert template.label1.get_path_effects() == []
    assert copy.axes is template.axes and copy.label1.get_transform() is template.label1.get_transform()


def test_a_tick_holding_what_is_not_copied_is_made_by_matplotlib():
    axis = _axes().yaxis
    template = axis.get_major_ticks(2)[1]
    template.label1.set_bbox({"facecolor": "yellow"})  # a patch of its own, that a copy would share
    assert ticks.copy_of_new_tick(template) is None
    axis.majorTicks[0].label1.set_bbox({"facecolor": "yellow"})
    ticks.provide_major_ticks(axis, 6)
    assert len(axis.majorTicks) == 6
    assert all(tick.label1.get_bbox_patch() is None for tick in axis.majorTicks[2:])  # as matplotlib makes them


def test_a_polar_charts_ticks_are_made_by_matplotlib():
    _figure, axes = plt.subplots(subplot_kw={"projection": "polar"})
    template = axes.xaxis.get_major_ticks(2)[1]
    assert ticks.copy_of_new_tick(template) is None
    ticks.provide_major_ticks(axes.xaxis, 8)
    assert len(axes.xaxis.majorTicks) == 8


def test_provided_ticks_are_used_and_spare_ones_left_alone():
    axes = _axes()
    ticks.provide_figure_ticks(axes.figure)
    placed = len(axes.xaxis.get_majorticklocs())
    assert len(axes.xaxis.majorTicks) == placed
    ticks.provide_major_ticks(axes.xaxis, placed + 3)
    axes.figure.canvas.draw()
    assert len(axes.xaxis.majorTicks) == placed + 3
    assert [t.label1.get_text() for t in axes.xaxis.get_major_ticks(placed)] == \
        [label.get_text() for label in axes.get_xticklabels()]


def test_a_map_without_axes_gets_no_ticks():
    axes = _axes()
    axes.set_axis_off()
    ticks.provide_figure_ticks(axes.figure)
    assert len(axes.xaxis.majorTicks) == 1


@pytest.fixture(scope="module")
def sassuolo_district():
    return ReportFigures.of("citta-distretto-sassuolo", 2023)


def _charts(district) -> dict:
    observed = district.observed_population()
    return {
        "piramide": lambda: viz.piramide(age_table(district.counts), confronto=age_table(district.benchmark_counts),
                                         nome_confronto="Regione"),
        "confronto_indicatori": lambda: viz.confronto_indicatori(
            indicator_table(district.result, district.benchmark), nome_confronto="Emilia-Romagna"),
        "ventaglio_proiezione": lambda: viz.ventaglio_proiezione(
            pd.DataFrame({"anno": list(observed), "valore": list(observed.values())}),
            pd.DataFrame(district.projection["proiezioni"]["popolazione"])),
        "presenze_ora_giorno": lambda: viz.presenze_ora_giorno(pd.DataFrame(
            {"ora": range(24), **{day: np.arange(24.0) * (n + 1) for n, day in enumerate(
                ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"])}})),
        "many automatic ticks": lambda: plt.subplots(figsize=(9, 3))[1].plot(np.arange(40), np.arange(40) ** 2)[0].axes,
    }


@pytest.mark.parametrize("chart", ["piramide", "confronto_indicatori", "ventaglio_proiezione",
                                   "presenze_ora_giorno", "many automatic ticks"])
def test_a_chart_with_copied_ticks_is_the_same_bytes(chart, sassuolo_district, monkeypatch):
    make = _charts(sassuolo_district)[chart]
    made_copies = []
    copy = ticks.TickCopier.copy
    monkeypatch.setattr(ticks.TickCopier, "copy", lambda self: made_copies.append(1) or copy(self))
    copied = image_of(make().figure)
    assert made_copies  # the chart has new ticks, made as copies
    monkeypatch.setattr(ticks, "copies_are_faithful", lambda: False)  # every tick made by matplotlib
    made = image_of(make().figure)
    assert copied == made
