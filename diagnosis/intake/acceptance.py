"""Whether a recognised file may enter the store, and under which name.

Recognising a file (``recognise``) looks at its head; accepting it asks the reader that will
use it to read it whole (``sources.stored``: encoding, ZIP content, columns, types, a last line cut
short) and then judges the table (``completeness``: the comuni of its date, repeated rows,
deleted columns). Only a file that passes both is stored, as the very bytes that were read:
a ZIP stays a ZIP, under a ``.zip`` name. Refusals name the cause and the fix, and nothing
is written.

A national file (POSAS, STRASA, P2, P3, MEF) must be whole. An SDMX answer of a few comuni
is partial by design: it is kept under a name of its own, beside, never in place of, the
answer for every comune.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import pandas as pd

from diagnosis.intake import completeness
from diagnosis.sources import stored
from diagnosis.intake.completeness import Coverage
from diagnosis.intake.samples import Recognised


@dataclass(frozen=True)
class Accepted:
    """A file fit for the store: the name to store it under and what its manifest entry adds."""

    filename: str
    extra: dict | None
    coverage: Coverage | None


def accept(found: Recognised, data: bytes, name: str) -> Accepted:
    """Read ``data`` whole with its dataset's reader and judge the table; raises when unfit."""
    filename = found.suggested_name or name
    if stored.reader_of(found.dataset) is None:
        return Accepted(filename, _comuni_extra(found.comuni), None)
    table = stored.parse(found.dataset, data, name)
    # The price index reads as {year: index}: only tables of comuni are judged for completeness.
    coverage = completeness.check(found.dataset, table, found.years) if isinstance(table, pd.DataFrame) else None
    if coverage is not None and not coverage.completo and not _national(found.dataset):
        filename = partial_name(filename, coverage.comuni)
    return Accepted(filename, _comuni_extra(found.comuni), coverage)


def _national(dataset: str) -> bool:
    shape = completeness.SHAPES.get(dataset)
    return shape is not None and shape.national


def _comuni_extra(comuni: tuple[str, ...]) -> dict | None:
    return {"comuni": list(comuni)} if comuni else None


def partial_name(filename: str, comuni: tuple[str, ...]) -> str:
    """The name of a partial file: its comuni in the name, so that it never takes the place of
    the whole file, and a new download of the same comuni takes the place of the old one."""
    digest = hashlib.sha256(" ".join(sorted(comuni)).encode()).hexdigest()[:8]
    path = PurePath(filename)
    return f"{path.stem}_{len(comuni)}-comuni-{digest}{path.suffix}"
