"""The comuni a batch's reports compare with, computed once for all its workers.

Every report of a comune or of a district inside one province ranks it among the other
comuni of its province, and so needs each of their indicator values. A worker keeps those
it computed, but the pool hands consecutive reports to different workers: a batch of a
whole province, region or of Italy would have every worker compute every province it
meets. When the batch's provinces come up again and again, their comuni are computed once
here, split among the worker processes, before the report workers are forked, which then
inherit them. When each province comes up about once (a few comuni spread over Italy),
nothing is computed here: the workers would compute the same comuni, no more often.
A report also ranks its territory among its peers (comuni of its size, mostly in its region,
often outside its province): chosen from each territory's own values, once those are shared,
they are computed in a second round, when the province members were worth sharing.

When the batch would compute half of Italy's comuni or more (spread over Italy, or all of
it), every comune is computed here instead, and the table is saved: later batches, and
this one's workers, read it (``indicators.comuni_table``) until the data or the code change.
"""

from __future__ import annotations

import multiprocessing

from diagnosis.errors import DiagnosisError
from diagnosis.indicators import comuni_table
from diagnosis.indicators.compute import comuni_values, indicator_values, share_comuni_table, share_comuni_values
from diagnosis.indicators.peers import province_members, select_peers
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio

# Sharing pays when a province's comuni would be asked for this many times over the batch:
# with the pool handing out reports in turn, a province met twice is likely met by two
# workers, each computing it; met once, it is computed once either way.
REPEATS_WORTH_SHARING = 2
CHUNKS_PER_WORKER = 4  # small enough pieces that both workers end together
# Every comune costs little more than half of them, and is computed once for every later batch.
WHOLE_TABLE_SHARE = 0.5


def compared_comuni(territories: list[Territorio]) -> tuple[list[str], int]:
    """The distinct comuni the batch's reports rank their territory among (province members),
    and how many times they are asked for in all."""
    distinct: dict[str, None] = {}
    asked = 0
    for territory in territories:
        members = province_members(territory)
        asked += len(members)
        distinct.update(dict.fromkeys(members))
    return list(distinct), asked


def worth_sharing(distinct: list[str], asked: int, workers: int) -> bool:
    """One worker keeps what it computed (up to its cache's size): only several workers repeat it."""
    return workers > 1 and bool(distinct) and asked >= REPEATS_WORTH_SHARING * len(distinct)


def comparisons_to_compute(distinct: list[str], asked: int, workers: int) -> int:
    """How many comuni the batch's reports would compute to rank theirs among (peers aside):
    each distinct one once, unless several workers repeat those that are not shared."""
    return len(distinct) if workers == 1 or worth_sharing(distinct, asked, workers) else asked


def share_comparisons(territories: list[Territorio], year: int, workers: int) -> None:
    """Compute, split among ``workers`` forked processes, the values of the comuni the batch
    compares with, and hold them for the report workers forked later (which inherit them)."""
    if comuni_table.saved(year) is not None:
        return  # every comune's values are saved, read before the workers are forked (``preload``)
    codes, asked = compared_comuni(territories)
    if comparisons_to_compute(codes, asked, workers) >= WHOLE_TABLE_SHARE * len(registry.comuni()):
        save_every_comune(year, workers)
        return
    if not worth_sharing(codes, asked, workers):
        return
    values = _computed_by(workers, codes, year)
    share_comuni_values(values, year)  # the territories' own values, which choose their peers
    others = [code for code in batch_peers(territories, year) if code not in values]
    if others:
        values.update(_computed_by(workers, others, year))
        share_comuni_values(values, year)


def save_every_comune(year: int, workers: int) -> None:
    """Compute the values of every comune, split among ``workers`` forked processes; hold them
    for the report workers forked later and save them for the next batches."""
    table = comuni_table.ComuniTable.from_values(_computed_by(workers, registry.comuni()["codice"].tolist(), year))
    share_comuni_table(table, year)
    comuni_table.save(table, year)


def batch_peers(territories: list[Territorio], year: int) -> list[str]:
    """The distinct peers of the batch's territories (see ``indicators.peers``)."""
    distinct: dict[str, None] = {}
    for territory in territories:
        try:
            peers = select_peers(territory, indicator_values(territory, year), year)
        except DiagnosisError:
            continue  # its own report says what is wrong with it; the others go on
        distinct.update(dict.fromkeys(peers["comuni"] if peers else []))
    return list(distinct)


def _computed_by(workers: int, codes: list[str], year: int) -> dict[str, dict]:
    """``comuni_values`` of ``codes``, in ``workers`` forked processes."""
    size = max(1, -(-len(codes) // (workers * CHUNKS_PER_WORKER)))
    chunks = [(codes[start:start + size], year) for start in range(0, len(codes), size)]
    values: dict[str, dict] = {}
    with multiprocessing.get_context("fork").Pool(processes=workers) as pool:
        for found in pool.imap_unordered(_chunk_values, chunks):
            values.update(found)
    return values


def _chunk_values(chunk: tuple[list[str], int]) -> dict[str, dict]:
    codes, year = chunk
    # Computed from the counts: what is computed here is shared or saved, never read back from either.
    return comuni_values(codes, year, from_tables=False)
