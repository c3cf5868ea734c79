"""Where a renderer's drawing calls put ink: boxes in display coordinates, from the calls' own arguments.

A box is ``(x0, y0, x1, y1)``, or None when the call puts nothing on the page (an empty path,
all of it clipped away). The SVG canvas adds them up while it draws, so that a chart is
framed on what it drew without laying the figure out a second time to measure it.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.path import Path

Box = tuple[float, float, float, float]


# Up to this many points (a bar, a tick, a text's corners, most of a chart's paths) plain Python
# finds a box quicker than numpy's calls, each of which costs more than the arithmetic.
FEW_POINTS = 32
_CURVES = (Path.CURVE3, Path.CURVE4)
_POINTS = (Path.MOVETO, Path.LINETO)


def path_box(path, transform) -> Box | None:
    """The box of ``path`` under ``transform``: of its curves' extremes, not their control points;
    gaps in a line (NaN vertices) left out."""
    codes = path.codes
    if codes is not None and _has_curves(codes):
        return _finite(path.get_extents(transform).extents)
    vertices = path.vertices if codes is None else path.vertices[_drawn_points(codes)]
    return points_box(transform.transform(vertices))


def _has_curves(codes) -> bool:
    if len(codes) <= FEW_POINTS:
        return any(code in _CURVES for code in codes.tolist())
    # Compared code by code: ``np.isin`` costs ten times as much.
    return bool(((codes == Path.CURVE3) | (codes == Path.CURVE4)).any())


def _drawn_points(codes):
    """Which vertices are points of the line (not the closing code's placeholder)."""
    if len(codes) <= FEW_POINTS:
        return [index for index, code in enumerate(codes.tolist()) if code in _POINTS]
    return (codes == Path.MOVETO) | (codes == Path.LINETO)


def points_box(points) -> Box | None:
    if len(points) <= FEW_POINTS and (not isinstance(points, np.ndarray) or points.ndim == 2):
        return _few_points_box(points.tolist() if isinstance(points, np.ndarray) else points)
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    points = points[np.isfinite(points).all(axis=1)]
    if not len(points):
        return None
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def _few_points_box(points) -> Box | None:
    finite = [(float(x), float(y)) for x, y in points if math.isfinite(x) and math.isfinite(y)]
    if not finite:
        return None
    xs, ys = zip(*finite)
    return min(xs), min(ys), max(xs), max(ys)


def widened(box: Box | None, by: float) -> Box | None:
    return None if box is None else (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def stroke_half_width(gc) -> float:
    """How far a stroke reaches beyond its path (display units are points in an SVG)."""
    return gc.get_linewidth() / 2


def clipped(box: Box | None, gc) -> Box | None:
    """``box`` cut to the clip rectangle and clip path of ``gc``; None when nothing is left."""
    rectangle = gc.get_clip_rectangle()
    if rectangle is not None:
        box = _intersection(box, tuple(rectangle.extents))
    clip_path, clip_transform = gc.get_clip_path()
    if clip_path is not None:
        box = _intersection(box, path_box(clip_path, clip_transform))
    return box


def text_box(x: float, y: float, width: float, ascent: float, descent: float, angle: float) -> Box:
    """The box of a text whose baseline starts at ``x, y``, turned by ``angle`` degrees about that point."""
    turn = math.radians(angle)
    cos, sin = math.cos(turn), math.sin(turn)
    corners = [(dx * cos - dy * sin + x, dx * sin + dy * cos + y)
               for dx in (0, width) for dy in (-descent, ascent)]
    return points_box(corners)


def union(boxes) -> Box | None:
    boxes = [box for box in boxes if box is not None]
    if not boxes:
        return None
    x0s, y0s, x1s, y1s = zip(*boxes)
    return min(x0s), min(y0s), max(x1s), max(y1s)


def _intersection(box: Box | None, other: Box | None) -> Box | None:
    if box is None or other is None:
        return None
    x0, y0, x1, y1 = max(box[0], other[0]), max(box[1], other[1]), min(box[2], other[2]), min(box[3], other[3])
    return (x0, y0, x1, y1) if x0 <= x1 and y0 <= y1 else None


def _finite(extents) -> Box | None:
    return tuple(float(value) for value in extents) if np.isfinite(extents).all() else None


def collection_box(raw_paths, offsets) -> Box | None:
    """The box of a path collection: path ``i`` at offset ``i``, each list cycled up to the longer,
    as matplotlib draws it (no offsets: the paths where they are)."""
    boxes = [path_box(path, transform) for path, transform in raw_paths]
    boxes = np.array([box if box is not None else (np.nan,) * 4 for box in boxes], dtype=float).reshape(-1, 4)
    offsets = np.asarray(offsets, dtype=float).reshape(-1, 2)
    if not len(boxes):
        return None
    if not len(offsets):
        offsets = np.zeros((1, 2))
    drawn = np.arange(max(len(boxes), len(offsets)))
    placed = boxes[drawn % len(boxes)] + np.tile(offsets[drawn % len(offsets)], 2)
    placed = placed[np.isfinite(placed).all(axis=1)]
    if not len(placed):
        return None
    (x0, y0), (x1, y1) = placed[:, :2].min(axis=0), placed[:, 2:].max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)
