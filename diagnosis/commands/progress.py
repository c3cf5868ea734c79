"""Progress of a long import on the terminal: a bar on stderr, nothing for short work.

The package's long loops accept a ``progress(done, total)`` callable and know nothing of
terminals; the commands hand them a ``RowProgress``, which draws a bar only when the work
is long enough to be worth watching.
"""

from __future__ import annotations

import sys

from tqdm import tqdm

SHOWN_FROM_ROWS = 20_000  # about five seconds of row checks: below that a bar only flickers
SHOWN_FROM_BYTES = 20 * 1024 * 1024


class RowProgress:
    """A ``progress(done, total)`` callable drawing ``description: 40%|████ | 80.000/200.000 righe``."""

    def __init__(self, description: str):
        self.description = description
        self._bar = None

    def __call__(self, done: int, total: int) -> None:
        if total < SHOWN_FROM_ROWS:
            return
        if self._bar is None:
            self._bar = tqdm(total=total, desc=self.description, unit=" righe", unit_scale=False, file=sys.stderr,
                             dynamic_ncols=True, mininterval=1.0)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> RowProgress:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def announce_large_file(path, size: int) -> None:
    """One line before a large file is read, so a quiet terminal is not taken for a hang."""
    if size >= SHOWN_FROM_BYTES:
        megabytes = size / (1024 * 1024)
        print(f"{path}: {megabytes:.0f} MB, importazione in corso…", file=sys.stderr, flush=True)
