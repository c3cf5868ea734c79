"""The order a batch hands its territories to the workers: the biggest first."""

from diagnosis.batch import engine
from diagnosis.territory import resolve_territory
from diagnosis.territory.model import comune_territory


def test_territories_of_many_comuni_are_handed_out_first_the_comuni_as_given(tmp_path, monkeypatch):
    handed = []
    monkeypatch.setattr(engine, "preload", lambda year, territory: None)
    monkeypatch.setattr(engine, "share_comparisons", lambda territories, year, workers: None)
    monkeypatch.setattr(engine, "_run_local",
                        lambda tasks, workers, on_done: handed.extend(t.territory.id for t in tasks))
    territories = [comune_territory("097055"), resolve_territory("citta-distretto-sassuolo"),
                   comune_territory("097093"), resolve_territory("provincia:LC")]
    engine.run_batch(territories, tmp_path / "out", year=2023, workers=2)
    assert handed == ["provincia:LC", "citta-distretto-sassuolo", "097055", "097093"]
