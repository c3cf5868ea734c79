"""Where a drawing call puts ink: a few points in plain Python, many with numpy, the same box."""

import numpy as np
import pytest
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from diagnosis.viz.drawn_extent import FEW_POINTS, path_box, points_box

TURNED = Affine2D().rotate_deg(30).scale(72, 36).translate(5, -7)


def _numpy_box(points):
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    points = points[np.isfinite(points).all(axis=1)]
    return tuple(float(v) for v in (*points.min(axis=0), *points.max(axis=0))) if len(points) else None


@pytest.mark.parametrize("count", [1, 4, FEW_POINTS, FEW_POINTS + 1, 500])
def test_a_box_is_the_same_however_many_points(count):
    points = np.random.default_rng(count).normal(size=(count, 2)) * 100
    points[::3, 1] = np.nan  # gaps in a line
    assert points_box(points) == _numpy_box(points)
    assert points_box(points.tolist()) == _numpy_box(points)


def test_no_finite_point_is_no_box():
    assert points_box(np.full((3, 2), np.nan)) is None and points_box(np.zeros((0, 2))) is None


def test_a_path_leaves_out_its_closing_code_and_its_gaps_and_takes_its_curves_whole():
    bar = Path.unit_rectangle()
    assert path_box(bar, TURNED) == _numpy_box(TURNED.transform(bar.vertices[:4]))
    line = Path([[0, 0], [1, np.nan], [2, 3], [3, 1]], [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO])
    assert path_box(line, TURNED) == _numpy_box(TURNED.transform(line.vertices))
    circle = Path.unit_circle()  # its control points reach beyond the curve: not in the box
    assert path_box(circle, TURNED) == pytest.approx(tuple(circle.get_extents(TURNED).extents))
    many = Path(np.c_[np.arange(100.0), np.sin(np.arange(100.0))], [Path.MOVETO] + [Path.LINETO] * 99)
    assert path_box(many, TURNED) == _numpy_box(TURNED.transform(many.vertices))
