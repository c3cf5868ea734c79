"""``diagnosis batch``: expansion, resume, failures isolated, index and summary, Dask, brand and PDFs."""

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from diagnosis.batch import worker
from diagnosis.batch.engine import run_batch
from diagnosis.batch.targets import plan
from diagnosis.config import TEMPLATES_DIR
from diagnosis.errors import StampaPdfFallita
from diagnosis.report import fotografia
from diagnosis.report.brand import load_brand
from diagnosis.territory.model import comune_territory

from browser import chromium
from conftest import PROJECT_ROOT
from pdf_checks import numbering_faults, page_texts

pytestmark = pytest.mark.slow

SMALL = ["097055", "097093"]  # Morterone and Valvarrone: the smallest comuni, quick to draw
FOLDERS = {"097055": "Morterone-097055", "097093": "Valvarrone-097093", "097090": "Vigano-097090"}


def _reports(output: Path) -> dict[str, set[str]]:
    return {
        folder.name: {p.name for p in folder.iterdir()}
        for folder in output.iterdir() if folder.is_dir() and not folder.name.startswith(".") and folder.name != "log"
    }


def test_province_expands_into_its_comuni_and_duplicates_collapse():
    territories = plan(["provincia:LC", "097055", "duc-pioltello"])
    ids = [t.id for t in territories]
    assert len(ids) == 85 and len(set(ids)) == 85
    assert all(t.livello == "comune" for t in territories[:84]) and ids[-1] == "duc-pioltello"


def test_batch_writes_reports_index_and_summary_then_resumes(tmp_path):
    output = tmp_path / "out"
    territories = [comune_territory(code) for code in SMALL]
    first = run_batch(territories, output, year=2023, workers=2)
    assert [o["stato"] for o in first.outcomes] == ["ok", "ok"]
    reports = _reports(output)
    assert set(reports) == {FOLDERS[code] for code in SMALL}
    for files in reports.values():
        assert {"fotografia.html", "fotografia.ipynb", "manifest.json", ".impronta"} <= files
    summary = json.loads((output / "riepilogo.json").read_text(encoding="utf-8"))
    assert [row["id"] for row in summary] == SMALL
    for row in summary:
        manifest = json.loads((output / row["cartella"] / "manifest.json").read_text(encoding="utf-8"))
        assert row["popolazione"] == manifest["indicatori"]["popolazione"]["valore"]
    index = (output / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{FOLDERS[code]}/fotografia.html"' in index for code in SMALL) and "Morterone" in index
    assert (output / "riepilogo.csv").read_text(encoding="utf-8-sig").count("\n") == 3

    again = run_batch(territories, output, year=2023, workers=2)
    assert [o["stato"] for o in again.outcomes] == ["saltato", "saltato"]
    forced = run_batch(territories, output, year=2023, workers=1, force=True)
    assert [o["stato"] for o in forced.outcomes] == ["ok", "ok"]
    # a batch of one comune into the same folder keeps the other in the index
    run_batch(territories[:1], output, year=2023, workers=1)
    index = (output / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{FOLDERS[code]}/fotografia.html"' in index for code in SMALL)


def test_a_failing_territory_does_not_stop_the_others(tmp_path, monkeypatch):
    real_build = worker.build_fotografia

    def failing_for_morterone(territory, **kwargs):
        if territory.id == "097055":
            raise RuntimeError("guasto simulato")
        return real_build(territory, **kwargs)

    monkeypatch.setattr(worker, "build_fotografia", failing_for_morterone)  # inherited by forked workers
    result = run_batch([comune_territory(c) for c in SMALL], tmp_path, year=2023, workers=2)
    by_id = {o["id"]: o for o in result.outcomes}
    assert by_id["097055"]["stato"] == "errore" and by_id["097055"]["tentativi"] == 2
    assert "guasto simulato" in by_id["097055"]["errore"]
    assert by_id["097093"]["stato"] == "ok"
    assert "guasto simulato" in (tmp_path / "log" / "Morterone-097055.log").read_text(encoding="utf-8")
    assert set(_reports(tmp_path)) == {"Valvarrone-097093"}


def test_cli_exit_code_is_non_zero_when_a_district_fails(tmp_path, capsys):
    from diagnosis.cli import main

    folder = tmp_path / "distretti"
    folder.mkdir()
    (folder / "buono.yaml").write_text("id: buono\nnome: Buono\ncomuni:\n  - Morterone\n", encoding="utf-8")
    (folder / "rotto.yaml").write_text("id: rotto\nnome: Rotto\ncomuni:\n  - Nessunluogo\n", encoding="utf-8")
    assert main(["batch", "--distretti", str(folder / "rotto.yaml"), "--output", str(tmp_path / "o")]) == 2
    assert "Nessunluogo" in capsys.readouterr().err


def test_resume_after_a_run_killed_midway(tmp_path):
    output = tmp_path / "out"
    codes = ["097055", "097093", "097001", "097002", "097003", "097004"]
    command = [sys.executable, "-m", "diagnosis.cli", "batch", *codes, "--output", str(output), "--workers", "1"]
    log = (tmp_path / "batch.log").open("w")
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=os.environ.copy(), start_new_session=True,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and process.poll() is None and not list(output.glob("*/.impronta")):
            time.sleep(0.2)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.close()
    finished_before = {p.parent.name.rsplit("-", 1)[1] for p in output.glob("*/.impronta")}  # Nome-codice
    assert 1 <= len(finished_before) < len(codes), (tmp_path / "batch.log").read_text()[-3000:]
    result = run_batch([comune_territory(c) for c in codes], output, workers=2)  # the CLI's default year too
    statuses = {o["id"]: o["stato"] for o in result.outcomes}
    assert all(statuses[code] == "saltato" for code in finished_before)
    assert all(statuses[code] == "ok" for code in set(codes) - finished_before)
    assert not [p for p in output.iterdir() if p.name.startswith(".") and p.is_dir()]
    for files in _reports(output).values():
        assert {"fotografia.html", "manifest.json", ".impronta"} <= files


def _figures(folder: Path) -> dict:
    """The indicators a report's manifest records, with their values, dates and sources."""
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["indicatori"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_batch_runs_on_a_dask_cluster_as_it_runs_here(tmp_path):
    """Two reports on one Dask worker of two threads (they take turns in its one notebook
    shell): the same reports as a local run, which then resumes them instead of rebuilding."""
    pytest.importorskip("distributed")
    port, dashboard = _free_port(), _free_port()
    address = f"tcp://127.0.0.1:{port}"
    bin_dir = Path(sys.executable).parent
    env = os.environ.copy() | {"PYTHONPATH": str(PROJECT_ROOT)}
    scheduler = subprocess.Popen([str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--dashboard-address", f"127.0.0.1:{dashboard}"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = [
        subprocess.Popen([str(bin_dir / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "2",
                          "--no-dashboard", "--host", "127.0.0.1"], cwd=PROJECT_ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ]
    territories = [comune_territory(c) for c in SMALL]
    try:
        result = run_batch(territories, tmp_path / "dask", year=2023, scheduler=address)
        assert sorted(o["stato"] for o in result.outcomes) == ["ok", "ok"]
        local = run_batch(territories, tmp_path / "locale", year=2023, workers=1)
        for on_cluster, here in zip(result.outcomes, local.outcomes):
            assert _figures(tmp_path / "dask" / on_cluster["cartella"]) == _figures(tmp_path / "locale" / here["cartella"])
        resumed = run_batch(territories, tmp_path / "dask", year=2023, workers=1)
        assert [o["stato"] for o in resumed.outcomes] == ["saltato", "saltato"]
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_batch_against_a_baseline_writes_a_comparison_per_territory(tmp_path):
    territories = [comune_territory("097055")]
    run_batch(territories, tmp_path / "partenza", year=2022, workers=1)
    # the baseline as an earlier release named it: by the code alone
    (tmp_path / "partenza" / "Morterone-097055").rename(tmp_path / "partenza" / "097055")
    run_batch(territories, tmp_path / "oggi", year=2023, workers=1, baseline=tmp_path / "partenza")
    folder = tmp_path / "oggi" / "Morterone-097055" / "confronto"
    assert {p.name for p in folder.iterdir()} == {"confronto.html", "confronto.csv", "confronto.xlsx"}
    page = (folder / "confronto.html").read_text(encoding="utf-8")
    assert "Morterone" in page and "Variazioni reali" in page


def test_a_branded_batch_of_three_comuni_with_pdfs_resumes_and_takes_over_old_folders(tmp_path, monkeypatch):
    chromium()
    codes = [*SMALL, "097090"]  # Viganò: a name with an accent
    territories = [comune_territory(code) for code in codes]
    brand = load_brand(TEMPLATES_DIR / "marchio.yaml")
    output = tmp_path / "consegna"

    first = run_batch(territories, output, year=2023, workers=2, brand=brand, pdf=True)
    assert [o["stato"] for o in first.outcomes] == ["ok", "ok", "ok"]
    assert set(_reports(output)) == set(FOLDERS.values())
    for territory in territories:
        folder = output / FOLDERS[territory.id]
        assert {"fotografia.html", "fotografia.pdf", "manifest.json", ".impronta"} <= {p.name for p in folder.iterdir()}
        page = (folder / "fotografia.html").read_text(encoding="utf-8")
        assert brand.logo in page and f"--colore-territorio: {brand.colore_primario};" in page
        texts = [" ".join(text.split()) for text in page_texts(folder / "fotografia.pdf")]  # lines rejoined
        assert numbering_faults(texts) == []
        assert brand.cliente in texts[0] and brand.autore in texts[0]  # the cover
        head = f"Fotografia di partenza · {territory.nome} · per {brand.cliente}"
        assert all(head in text and f"A cura di {brand.autore}" in text for text in texts[1:])

    # An earlier release's folder (named by the code) is taken over, not rebuilt; a missing PDF is
    # printed again; a report of a territory not in this batch stays listed under its old name.
    (output / FOLDERS["097055"]).rename(output / "097055")
    (output / FOLDERS["097093"] / "fotografia.pdf").unlink()
    fotografia.build_fotografia(comune_territory("097001"), year=2023, output_dir=tmp_path / "altro")
    (tmp_path / "altro" / "Abbadia-Lariana-097001").rename(output / "097001")
    again = run_batch(territories, output, year=2023, workers=2, brand=brand, pdf=True)
    assert [o["stato"] for o in again.outcomes] == ["saltato", "ok", "saltato"]
    assert set(_reports(output)) == set(FOLDERS.values()) | {"097001"}
    assert (output / FOLDERS["097093"] / "fotografia.pdf").read_bytes()[:5] == b"%PDF-"
    index = (output / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{folder}/fotografia.html"' in index for folder in FOLDERS.values())
    assert 'href="097001/fotografia.html"' in index and index.count("<tr><td") == 4  # one row each

    # A new brand makes the reports again; a print that fails is its territory's error only,
    # and its earlier report stays whole.
    real_print = fotografia.print_pdf

    def failing_for_morterone(html, *args, **kwargs):
        if "Morterone-097055" in str(html):  # the report's staging folder
            raise StampaPdfFallita("stampa simulata non riuscita")
        return real_print(html, *args, **kwargs)

    monkeypatch.setattr(fotografia, "print_pdf", failing_for_morterone)  # inherited by forked workers
    rebranded = dataclasses.replace(brand, colore_primario="#123456")
    before = (output / FOLDERS["097055"] / "fotografia.html").read_bytes()
    third = run_batch(territories[:2], output, year=2023, workers=2, brand=rebranded, pdf=True)
    by_id = {o["id"]: o for o in third.outcomes}
    assert by_id["097055"]["stato"] == "errore" and "stampa simulata non riuscita" in by_id["097055"]["errore"]
    assert by_id["097093"]["stato"] == "ok"
    assert "--colore-territorio: #123456;" in (output / FOLDERS["097093"] / "fotografia.html").read_text(encoding="utf-8")
    assert (output / FOLDERS["097055"] / "fotografia.html").read_bytes() == before
    assert not [p for p in output.iterdir() if p.name.startswith(".")]
