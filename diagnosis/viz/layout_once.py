"""While the report draws a figure, what matplotlib lays out several times is laid out once.

To draw an axis, matplotlib places its ticks (locator, formatter, one label per tick) and
measures their labels; it draws them; then, to put the axis title clear of the labels, it
places and measures them all over again, as it does for the axes whose titles
``Figure.align_labels`` lines up with it. A legend is a box of boxes (columns of rows of a
sample and a text), and each box measures the ones inside it whenever it is asked for its own
size, which the legend, its frame and the drawing of each box ask for in turn: every text of a
legend was laid out five times. Within one drawing nothing moves in between: the same view
limits, ticks and texts, the same box sizes. Over the charts of a fotografia the repeats were
about 3 % of a report's work.

While the report saves a figure, each axis keeps its first placing and measuring of its
ticks, and each box of a legend (or of a box added to the axes, a scale bar) its first size
for its width, height and the renderer; when the drawing ends, they are as matplotlib left them.
"""

from __future__ import annotations

import contextlib

from matplotlib.offsetbox import DrawingArea, OffsetBox, PackerBase, TextArea

# The boxes a legend is made of, and the method each measures itself with.
MEASURED_BY = ((PackerBase, "_get_bbox_and_child_offsets"), (TextArea, "get_bbox"), (DrawingArea, "get_bbox"))


@contextlib.contextmanager
def laid_out_once(figure):
    """While ``figure`` is drawn (one ``savefig``), its axes and legends reuse their first layout."""
    kept = []  # (artist, method name): instance attributes in front of the class's methods
    for ax in figure.axes:
        for axis in ax._axis_map.values():
            kept += [(axis, "_update_ticks"), (axis, "_get_ticklabel_bboxes")]
            axis._update_ticks = _remembered(axis._update_ticks, lambda: ())
            axis._get_ticklabel_bboxes = _remembered(axis._get_ticklabel_bboxes, _same_ticks)
    for box in _boxes(figure):
        for kind, name in MEASURED_BY:
            if isinstance(box, kind):
                kept.append((box, name))
                setattr(box, name, _remembered(getattr(box, name), _same_size_of(box)))
                break
    try:
        yield
    finally:
        for artist, name in kept:
            delattr(artist, name)


def _boxes(figure) -> list[OffsetBox]:
    """Every box of the figure's legends and of the boxes its axes hold, all the way down."""
    legends = [*figure.legends, *(ax.get_legend() for ax in figure.axes)]
    found = [legend._legend_box for legend in legends if legend is not None]
    found += [artist for ax in figure.axes for artist in ax.artists if isinstance(artist, OffsetBox)]
    boxes = {}  # by identity: a box is given its first size once, however many hold it
    while found:
        box = found.pop()
        if id(box) not in boxes:
            boxes[id(box)] = box
            found += [child for child in box.get_children() if isinstance(child, OffsetBox)]
    return list(boxes.values())


def _remembered(compute, key):
    """``compute``, run again only for arguments of another ``key``."""
    kept = {}

    def remembered(*arguments):
        found = key(*arguments)
        if found not in kept:
            kept[found] = compute(*arguments)
        return kept[found]
    return remembered


def _same_ticks(ticks, renderer) -> tuple:
    return tuple(map(id, ticks)), id(renderer)


def _same_size_of(box: OffsetBox):
    """A box is measured again when it was given another width or height (a legend spread over
    its axes is) or is drawn by another renderer."""
    return lambda renderer: (id(renderer), getattr(box, "width", None), getattr(box, "height", None))
