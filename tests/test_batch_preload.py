"""What a batch reads before its workers start is what each report would have read itself."""

from diagnosis.batch.preload import preload
from diagnosis.tables import editions, measures
from diagnosis.territory import boundaries
from diagnosis.territory.model import comune_territory


def test_the_preload_builds_the_lookups_workers_share_and_they_match_each_table():
    preload(measures.check_year(None), comune_territory("097055"))
    assert boundaries.map_geometries().has_sindex  # the comuni around each map, found without a new index
    checked = 0
    for measure in sorted({e.misura for e in editions.editions()}):
        for year in measures.years(measure):
            table = measures.resolve(measure, year).table
            assert "positions" in vars(table)  # built before the fork, not in every worker
            assert table.positions == {code: row for row, code in enumerate(table.codes.tolist())}
            checked += 1
    assert checked > 10  # every year of every measure, not only the latest
