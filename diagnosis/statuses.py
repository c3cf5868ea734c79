"""How final a published figure is: definitivo, provvisorio or stima, best first.

ISTAT publishes early estimates ("stima"), then provisional figures, then final ones; a
figure built from several tables is only as final as the least final of them.
"""

from __future__ import annotations

STATUSES = ("definitivo", "provvisorio", "stima")  # best first
STATUS_RANK = {status: rank for rank, status in enumerate(STATUSES)}
NOT_FINAL = STATUSES[1:]


def least_final(statuses) -> str:
    """The least final of several statuses: a sum is only as final as its weakest part."""
    return max(statuses, key=STATUS_RANK.__getitem__)
