"""What a drawing lays out several times is laid out once: the same bytes, far less measuring."""

import io

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axis import Axis  # noqa: E402
from matplotlib.offsetbox import TextArea  # noqa: E402

from diagnosis.viz.layout_once import laid_out_once  # noqa: E402


@pytest.fixture(autouse=True)
def _no_figure_left():
    yield
    plt.close("all")


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
    left.legend(["Residenti"], title="Sesso", loc="lower center", bbox_to_anchor=(0.5, 1.0))
    right.plot([2015, 2025], [31000, 30000], label="Provincia")
    right.legend(mode="expand", loc="upper left", bbox_to_anchor=(0, 1.02, 1, 0.2))  # spread over the axes
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
    assert b"Classe di et" in own and b"Anno" in own and b"Residenti" in own and b"Provincia" in own


def test_each_text_of_a_legend_is_measured_once_per_drawing(monkeypatch):
    measured = []
    measure = TextArea.get_bbox
    monkeypatch.setattr(TextArea, "get_bbox", lambda self, renderer: measured.append(self) or measure(self, renderer))
    figure = _chart()
    _svg(figure, once=False)
    again = len(measured)
    measured.clear()
    _svg(figure, once=True)
    assert len(measured) == len(set(map(id, measured))) == 3  # a title and a label, a label: each once
    assert again > 2 * len(measured)


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
        box = ax.get_legend()._legend_box
        assert "_get_bbox_and_child_offsets" not in vars(box)
    figure.axes[0].set_xlim(-5, 5)  # a later change is drawn: nothing kept from the first drawing
    assert _svg(figure, once=True) == _svg(figure, once=False)
