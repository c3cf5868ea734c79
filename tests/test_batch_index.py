"""The batch index lists every report in the output folder, with dates in Italian."""

import html
import json
from datetime import datetime

from diagnosis.batch.results import index_page, summary_table
from diagnosis.formatting import italian_timestamp


def _report(output, name: str, territory: dict, generated: str, population: int) -> None:
    folder = output / name
    folder.mkdir(parents=True)
    (folder / "fotografia.html").write_text("<html></html>", encoding="utf-8")
    manifest = {"territorio": territory, "generata_il": generated,
                "indicatori": {"popolazione": {"valore": population}}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _outcome(code: str, name: str) -> dict:
    return {"id": code, "nome": name, "livello": "comune", "stato": "ok", "cartella": code, "secondi": 1.0,
            "tentativi": 1, "errore": "", "generata_il": "2026-11-30T20:15:00+00:00"}


def test_reports_of_an_earlier_batch_stay_in_the_index(tmp_path):
    _report(tmp_path, "097055", {"id": "097055", "nome": "Morterone", "livello": "comune"},
            "2026-11-29T08:05:00+00:00", 29)
    _report(tmp_path, "097093", {"id": "097093", "nome": "Valvarrone", "livello": "comune"},
            "2026-11-30T20:15:00+00:00", 524)
    (tmp_path / "log").mkdir()  # not a report
    (tmp_path / "rotto").mkdir()
    (tmp_path / "rotto" / "fotografia.html").write_text("", encoding="utf-8")
    (tmp_path / "rotto" / "manifest.json").write_text("{non json", encoding="utf-8")

    table = summary_table([_outcome("097093", "Valvarrone")], tmp_path).set_index("id")
    assert list(table.index) == ["097093", "097055"]
    assert table.loc["097055", "stato"] == "precedente" and table.loc["097055", "popolazione"] == 29
    assert table.loc["097055", "report"] == "097055/fotografia.html"
    page = index_page(table.reset_index())
    assert 'href="097055/fotografia.html"' in page and "da un'esecuzione precedente" in html.unescape(page)
    assert italian_timestamp("2026-11-29T08:05:00+00:00") in page and ">2026-11-29T" not in page  # the ISO stamp only sorts


def test_timestamps_read_in_italian_in_local_time():
    moment = datetime(2026, 3, 1, 9, 7).astimezone()
    assert italian_timestamp(moment.isoformat()) == "1 marzo 2026, 09:07"
    assert italian_timestamp("") == ""
