"""Each axis places its ticks and measures their labels once per drawing, not twice.

To draw an axis, matplotlib places its ticks (locator, formatter, one label per tick) and
measures their labels; it draws them; then, to put the axis title clear of the labels, it
places and measures them all over again, as it does for the axes whose titles
``Figure.align_labels`` lines up with it. Nothing moves in between: the same view limits,
ticks and texts. Over the five charts of a fotografia the second pass was about a fiftieth of
a report's time. While the report saves a figure, each axis keeps the first result for the
rest of that drawing; when the drawing ends, the axes are as matplotlib left them.
"""

from __future__ import annotations

import contextlib


@contextlib.contextmanager
def laid_out_once(figure):
    """While ``figure`` is drawn (one ``savefig``), each axis reuses its first placing and measuring of its ticks."""
    axes = [axis for ax in figure.axes for axis in ax._axis_map.values()]
    for axis in axes:
        # Instance attributes, in front of the class's methods until they are deleted.
        axis._update_ticks = _first_result(axis._update_ticks)
        axis._get_ticklabel_bboxes = _first_result_for_the_same_ticks(axis._get_ticklabel_bboxes)
    try:
        yield
    finally:
        for axis in axes:
            del axis._update_ticks, axis._get_ticklabel_bboxes


def _first_result(place):
    kept = []

    def placed():
        if not kept:
            kept.append(place())
        return kept[0]
    return placed


def _first_result_for_the_same_ticks(measure):
    kept: dict[tuple, tuple] = {}

    def measured(ticks, renderer):
        key = (tuple(map(id, ticks)), id(renderer))
        if key not in kept:
            kept[key] = measure(ticks, renderer)
        return kept[key]
    return measured
