"""Each axis places and measures its ticks once per drawing: the same bytes, half the measuring."""

import io

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axis import Axis  # noqa: E402

from diagnosis.viz.tick_layout import laid_out_once  # noqa: E402


def _chart():
    figure, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
    left.barh([0, 1, 2], [3.5, -1.25, 2])
    left.set_yticks([0, 1, 2], ["0-4", "5-9", "100+"])
    left.set_xlabel("Quota sul totale dei residenti (%)")
    left.set_ylabel("Classe di età (anni)")
    right.plot([2015, 2020, 2025], [31000, 30500, 29800])
    right.set_ylabel("Residenti al 1° gennaio")
    right.xaxis.set_label_position("top")
    right.set_xlabel("Anno")
    figure.align_ylabels()  # the title of an axis placed clear of its siblings' labels too
    return figure


def _svg(figure, once: bool) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "prova"}):
        if once:
            with laid_out_once(figure):
                figure.savefig(buffer, format="svg", metadata={"Date": None})
        else:
            figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def test_the_drawing_is_the_same_bytes_as_matplotlibs_own():
    own = _svg(_chart(), once=False)
    assert _svg(_chart(), once=True) == own
    assert b"Classe di et" in own and b"Anno" in own


def test_each_axis_measures_its_tick_labels_once_per_drawing(monkeypatch):
    measured = []
    measure = Axis._get_ticklabel_bboxes

    def counted(self, ticks, renderer):
        measured.append(self)
        return measure(self, ticks, renderer)

    monkeypatch.setattr(Axis, "_get_ticklabel_bboxes", counted)
    figure = _chart()
    _svg(figure, once=False)
    twice = len(measured)
    measured.clear()
    _svg(figure, once=True)
    axes = [axis for ax in figure.axes for axis in (ax.xaxis, ax.yaxis)]
    assert sorted(map(id, measured)) == sorted(map(id, axes))  # each axis once
    assert twice > len(measured)


def test_after_the_drawing_the_axes_are_as_matplotlib_made_them():
    figure = _chart()
    _svg(figure, once=True)
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            assert "_update_ticks" not in vars(axis) and "_get_ticklabel_bboxes" not in vars(axis)
    figure.axes[0].set_xlim(-5, 5)  # a later change is drawn: nothing kept from the first drawing
    assert _svg(figure, once=True) == _svg(figure, once=False)
