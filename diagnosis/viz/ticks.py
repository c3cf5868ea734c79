"""New ticks for an axis as copies of one matplotlib made, instead of each made from scratch.

A chart's axis holds a tick object per label shown, and matplotlib makes each new one the
same way: it builds a tick (two marks, a grid line, two labels, each reading dozens of
settings) and then copies the first tick's look onto it. About a millisecond each, and a
report makes about a hundred of them (an age pyramid alone has 21 classes): a tenth of a
report's time. Every new tick of an axis starts out the same, so matplotlib makes the first
new one here, and the others are copies of it, with their own copy of everything a tick
changes in place (its font, its data, its callbacks); position and label are set on each
afterwards, as on matplotlib's own.

Whether a copy is the same as a tick matplotlib makes is checked once per process, on ticks
of a throwaway axis (``copies_are_faithful``): with a matplotlib whose ticks hold something
this module does not know how to copy, every tick is made by matplotlib again.
"""

from __future__ import annotations

import copy
import functools
import types

import numpy as np
from matplotlib import cbook
from matplotlib._enums import CapStyle, JoinStyle
from matplotlib.artist import Artist
from matplotlib.axis import Tick, XTick, YTick
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import TransformNode

# The parts of a tick, each an artist of its own.
PARTS = ("tick1line", "tick2line", "gridline", "label1", "label2")
# The ticks of a plain chart's axes. Others (a polar chart's) move their labels by changing a
# transform in place, which a copy would share: those are made by matplotlib.
COPIED_KINDS = (XTick, YTick)
# The artists a tick or its parts refer to without owning them: shared by every tick.
SHARED_ARTISTS = ("_axes", "_parent_figure", "figure")


def provide_major_ticks(axis, count: int) -> None:
    """Give ``axis`` at least ``count`` major ticks (matplotlib keeps the extra ones unused)."""
    missing = count - len(axis.majorTicks)
    if missing <= 0:
        return
    template = axis.get_major_ticks(len(axis.majorTicks) + 1)[-1]  # made by matplotlib
    copier = TickCopier.of(template) if missing > 1 and copies_are_faithful() else None
    if copier is None:  # something in this tick that is not copied: matplotlib makes the rest
        axis.get_major_ticks(count)
        return
    axis.majorTicks.extend(copier.copy() for _ in range(missing - 1))


def provide_figure_ticks(figure) -> None:
    """Every axis of ``figure`` with as many major ticks as its locator will place when drawn."""
    for axes in figure.axes:
        if not axes.axison:  # a map without axes: no tick is drawn
            continue
        for axis in (axes.xaxis, axes.yaxis):
            if axis.get_visible():
                provide_major_ticks(axis, len(axis.get_majorticklocs()))


class TickCopier:
    """Makes copies of one new tick: which of its values each copy needs its own of is found
    once, when the copier is made."""

    def __init__(self, tick, owned: dict[str, list[tuple[str, object]]]):
        self._tick = tick
        self._owned = owned  # part ("" for the tick itself) -> [(attribute, how to own it)]

    @classmethod
    def of(cls, tick) -> TickCopier | None:
        """The copier of ``tick``; ``None`` when it holds something this module does not copy."""
        if type(tick) not in COPIED_KINDS:
            return None
        owned = {}
        for part in ("",) + PARTS:
            artist = getattr(tick, part) if part else tick
            found = _owned_values(artist, PARTS if not part else ())
            if found is None:
                return None
            owned[part] = found
        return cls(tick, owned)

    def copy(self):
        """A tick like the copied one, owning what a tick changes in place."""
        twin = self._copy_of(self._tick, self._owned[""])
        for part in PARTS:
            setattr(twin, part, self._copy_of(getattr(self._tick, part), self._owned[part]))
        return twin

    @staticmethod
    def _copy_of(artist, owned: list):
        twin = object.__new__(type(artist))
        held = dict(artist.__dict__)
        for name, own in owned:
            held[name] = own(held[name])
        twin.__dict__.update(held)
        return twin


def copy_of_new_tick(tick):
    """A copy of ``tick``, a new one not yet placed; ``None`` when it holds something this
    module does not copy."""
    copier = TickCopier.of(tick)
    return copier.copy() if copier is not None else None


def _owned_values(artist, parts) -> list | None:
    """The attributes of ``artist`` a copy needs its own of, each with how to make it."""
    owned = []
    for name, value in artist.__dict__.items():
        if name in parts:
            continue
        kind = type(value)
        rule = _RULES.get(kind) or _RULES.setdefault(kind, _rule_for(kind))
        if rule is _COPY:
            owned.append((name, _copied))
        elif rule is _OWN:
            own = _own_copy(name, value)
            if own is None:
                return None
            owned.append((name, own))
    return owned


_SHARE, _COPY, _OWN = "share", "copy", "own"
_RULES: dict[type, str] = {}  # a value's type -> how a copied tick holds it, found once per type
# Values a tick shares with every other (matplotlib's own ticks share them too) or that are
# replaced, never changed in place: a cap or join style, a marker, a transform, a function.
_SHARED_VALUES = (str, int, float, bool, type(None), tuple, frozenset, np.generic, TransformNode,
                  CapStyle, JoinStyle, MarkerStyle, types.FunctionType, types.MethodType,
                  types.BuiltinFunctionType, functools.partial)


def _rule_for(kind: type) -> str:
    if issubclass(kind, (list, dict, set, Path, FontProperties, np.ndarray)):
        return _COPY
    if issubclass(kind, Artist) or not issubclass(kind, _SHARED_VALUES):
        return _OWN
    return _SHARE


def _own_copy(name: str, value):
    """How a copy owns ``value``: new callbacks in place of none, the same axes and figure;
    ``None`` for anything else."""
    if isinstance(value, cbook.CallbackRegistry):
        return _new_callbacks if not value.callbacks else None
    if isinstance(value, Artist) and name in SHARED_ARTISTS:
        return _same
    return None


def _new_callbacks(_registry):
    return cbook.CallbackRegistry(signals=["pchanged"])


def _copied(value):
    return copy.copy(value)  # a font's or an array's own ``copy``, a container's shallow one


def _same(value):
    return value


@functools.cache
def copies_are_faithful() -> bool:
    """Whether, with this matplotlib, a copy of a new tick is the same as the next tick it makes."""
    axes = Figure(figsize=(2, 2)).add_subplot()  # outside pyplot: nothing to close
    axes.plot([0, 1], [0, 1])
    for axis in (axes.xaxis, axes.yaxis):
        first, second = axis.get_major_ticks(3)[1:3]
        twin = copy_of_new_tick(first)
        if twin is None or not same_state(twin, second):
            return False
    return True


def same_state(one, other, _seen=None) -> bool:
    """Whether two ticks (or parts, or values in them) hold the same things: artists and
    containers compared member by member, transforms by what they do, the rest by value."""
    seen = _seen if _seen is not None else set()
    if (id(one), id(other)) in seen or one is other:
        return True
    seen.add((id(one), id(other)))
    if type(one) is not type(other):
        return False
    if isinstance(one, Artist) and not isinstance(one, (Tick, Line2D, Text)):
        return True  # an axes or figure: the one both ticks belong to
    if isinstance(one, np.ndarray):
        return one.shape == other.shape and bool(np.array_equal(one, other, equal_nan=True))
    if isinstance(one, TransformNode):
        return _same_transform(one, other)
    if isinstance(one, cbook.CallbackRegistry):
        return not one.callbacks and not other.callbacks
    if isinstance(one, (list, tuple)):
        return len(one) == len(other) and all(same_state(a, b, seen) for a, b in zip(one, other))
    if isinstance(one, dict):
        return one.keys() == other.keys() and all(same_state(one[k], other[k], seen) for k in one)
    if isinstance(one, types.MethodType):
        return one.__func__ is other.__func__ and same_state(one.__self__, other.__self__, seen)
    if hasattr(one, "__dict__") and not callable(one):
        return same_state(vars(one), vars(other), seen)
    return one == other


def _same_transform(one, other) -> bool:
    try:
        return bool(np.array_equal(one.get_matrix(), other.get_matrix()))
    except NotImplementedError:  # a transform without a matrix: the same object only
        return one is other


def set_major_ticks(axis, positions, labels=None, **text) -> None:
    """``axis.set_ticks(positions, labels, **text)``, its new ticks made as copies."""
    provide_major_ticks(axis, len(positions))
    axis.set_ticks(positions, labels, **text)
