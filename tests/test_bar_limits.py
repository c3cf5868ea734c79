"""Bars whose axes limits are widened once give the chart matplotlib gives bar by bar."""

import io

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle, Rectangle  # noqa: E402

from diagnosis.viz.bar_limits import limits_widened_once  # noqa: E402


def _drawn(draw, once: bool) -> tuple[np.ndarray, tuple, tuple, bytes]:
    figure, ax = plt.subplots()
    if once:
        with limits_widened_once(ax):
            draw(ax)
    else:
        draw(ax)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "prova"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    return ax.dataLim.get_points().copy(), ax.get_xlim(), ax.get_ylim(), buffer.getvalue()


def _same(draw) -> None:
    by_bar, once = _drawn(draw, once=False), _drawn(draw, once=True)
    assert np.array_equal(by_bar[0], once[0])
    assert by_bar[1:] == once[1:]


@pytest.mark.parametrize("seed", range(20))
def test_random_bars_give_the_same_limits_and_the_same_svg(seed):
    rng = np.random.default_rng(seed)
    count = int(rng.integers(3, 25))
    positions = np.arange(count) * rng.uniform(0.3, 3)
    values = rng.normal(0, 10, count) * 10 ** rng.uniform(-3, 5)
    base, thickness = rng.uniform(-50, 50), rng.uniform(0.1, 1.5)

    def draw(ax):
        ax.barh(positions, values, left=base, height=thickness, label="orizzontali")
        ax.bar(positions, values, bottom=base, width=thickness, label="verticali")

    _same(draw)


def test_bars_of_no_size_missing_values_and_other_patches_follow_matplotlibs_rule():
    def draw(ax):
        ax.barh([0, 1, 2, 3], [0.0, np.nan, 2.5, -1.0], height=[0.0, 0.5, 0.5, 0.5])
        ax.add_patch(Circle((8, 8), 1.5))
        ax.add_patch(Rectangle((-4, -4), 2, 1, angle=30))

    _same(draw)


def test_the_axes_widens_its_limits_by_itself_again_afterwards():
    figure, ax = plt.subplots()
    with pytest.raises(RuntimeError), limits_widened_once(ax):
        ax.barh([0, 1], [3, 4])
        raise RuntimeError("interrotto")
    assert ax.dataLim.x1 == 4  # the bars drawn before the error still count
    ax.barh([5], [9])
    assert "_update_patch_limits" not in vars(ax)
    assert ax.dataLim.x1 == 9 and ax.dataLim.y1 == pytest.approx(5.4)
    plt.close(figure)
