"""Batch speed: the naive loop (papermill, then nbconvert, a new kernel per report) against
the batch engine (long-lived workers running the notebook in-process), in the same run, on
comuni spread over Italy plus a district across two provinces and a province (the naive loop
on fewer, half of them before the engine and half after). Both make the default fotografia:
the latest official year, with every section the embedded snapshot feeds (demography,
balance, income, businesses, projections).

    python benchmarks/batch.py [--quick]

Both are measured in the steady state, as after the first use: the tables every report reads
are kept on disk, and so are the values of every comune, which the first batch spread over
Italy computes and saves (their cost, paid once per data and version, is printed apart).

Then every comune of one province as a batch, the way a batch of all Italy runs (province by
province); and, apart, a batch of as many of its comuni as there are workers: what a batch
costs to start (reading the tables, each worker's first report, which loads the notebook's
libraries).

Prints seconds per report for each, the ratio, the processor time per report of each (all
processes, kernels and workers included: the work itself, without the waits wall time counts,
and their ratio says how much less work the engine does), a worker's seconds per report by kind
of territory, the peak memory of a worker, the projected time for every comune of Italy on this
machine: one start, then each further report at the province batch's pace beyond its start
(from the spread comuni too, the worst case); the last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))



# Beside the comuni: a district across the provinces of Modena and Reggio Emilia, and a province.
OTHER_TERRITORIES = ("citta-distretto-sassuolo", "provincia:SO")
# A batch of all Italy goes province by province: the projection for Italy is measured on a
# whole province made as a batch, its start included. Pistoia has 20 comuni, Sondrio 77
# (Italy's provinces have 74 on average).
PROVINCE_BATCH = {"quick": "provincia:PT", "full": "provincia:SO"}


def _territories(comuni: int) -> list[str]:
    return _comuni(comuni) + list(OTHER_TERRITORIES)


def _comuni(count: int, offset: int = 0) -> list[str]:
    from diagnosis.territory import registry

    codes = registry.comuni()["codice"].tolist()
    step = max(1, len(codes) // (count + offset + 1))
    return codes[step * offset::step][:count]


def _warm_up(folder: Path, workers: int) -> float:
    """One fotografia first, so that the tables every report reads are built and kept on disk
    as after any first use: the measure is of the steady state, not of the first report ever.
    Then the values of every comune, as the first batch spread over Italy computes and saves
    them for the next ones (``diagnosis.batch.comparisons``): the seconds they took."""
    from diagnosis.batch.comparisons import save_every_comune
    from diagnosis.report.fotografia import build_fotografia
    from diagnosis.tables import measures
    from diagnosis.territory.model import comune_territory

    build_fotografia(comune_territory(_comuni(1)[0]), output_dir=folder)
    started = time.perf_counter()
    save_every_comune(measures.check_year(None), workers)
    return time.perf_counter() - started


def naive(ids: list[str], output: Path) -> tuple[float, float]:
    """Seconds, and seconds of processor time, for all ``ids``: a new kernel through papermill,
    then nbconvert, for each territory."""
    from diagnosis.report.fotografia import build_fotografia
    from diagnosis.territory import resolve_territory

    started, processor = time.perf_counter(), processor_seconds()
    for territory_id in ids:
        build_fotografia(resolve_territory(territory_id), output_dir=output)
    return time.perf_counter() - started, processor_seconds() - processor


def around_the_engine(ids: list[str]) -> tuple[list[str], list[str]]:
    """The naive loop's territories in two halves of like make-up, one run before the engine
    and one after: this machine's speed drifts by up to a fifth over minutes, and a loop run
    all before the engine would carry that drift whole into the ratio."""
    return ids[0::2], ids[1::2]


def processor_seconds() -> float:
    """Processor time of this process and of the children it has waited for (kernels, workers):
    the work done, apart from the waits in wall time (a worker idle at the end of a batch)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class WorkerMemory(threading.Thread):
    """Samples the workers' proportional memory (PSS) every ``INTERVAL_S``: the pages a worker
    shares with the parent it was forked from (the tables loaded once before the workers start)
    count for their share only, while its resident size (RSS, measured at the end) counts them
    whole in every worker."""

    # Reading a worker's PSS walks its page tables, some 15 ms of a core that the workers then
    # lack: sampled every two seconds, the measure disturbs what it measures four times less
    # than twice a second, and still sees each worker a dozen times in a short batch.
    INTERVAL_S = 2.0

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_pss = 0
        self.stopped = threading.Event()
        self.processor_s = 0.0  # its own, reading the workers' page tables: not the batch's work

    def run(self) -> None:
        import psutil  # the benchmark's own need, installed with distributed

        started = time.thread_time()
        while not self.stopped.wait(self.INTERVAL_S):
            for child in psutil.Process().children(recursive=True):
                try:
                    self.peak_pss = max(self.peak_pss, child.memory_full_info().pss)
                except psutil.Error:
                    pass  # a worker that ended between the listing and the reading
        self.processor_s = time.thread_time() - started


def engine_phase(ids: list[str], output: Path, workers: int) -> dict:
    from diagnosis.batch.engine import run_batch
    from diagnosis.territory import resolve_territory

    territories = [resolve_territory(i) for i in ids]
    memory = WorkerMemory()
    memory.start()
    started, processor = time.perf_counter(), processor_seconds()
    result = run_batch(territories, output, workers=workers, force=True)
    elapsed = time.perf_counter() - started
    memory.stopped.set()
    memory.join()
    processor = processor_seconds() - processor - memory.processor_s
    failed = [o["id"] for o in result.outcomes if o["stato"] != "ok"]
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    by_kind: dict[str, list[float]] = {}
    for outcome in result.outcomes:
        by_kind.setdefault(outcome["livello"], []).append(outcome["secondi"])
    return {"s_per_report": elapsed / len(ids), "cpu_s_per_report": processor / len(ids), "peak_rss_mb": peak_kb / 1024,
            "peak_pss_mb": memory.peak_pss / 2**20, "failed": failed,
            "worker_s_by_kind": {kind: round(sum(s) / len(s), 2) for kind, s in by_kind.items()}}


def in_child(phase: str, argument: str, output: Path, workers: int) -> dict:
    """Run a phase of the engine in a child process, so its workers' memory is measured alone
    and each batch starts as a new command would."""
    command = [sys.executable, __file__, phase, argument, str(output), str(workers)]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def province_phase(province: str, output: Path, workers: int, count: int | None = None) -> dict:
    """Seconds per report for every comune of ``province`` (its first ``count``) made as one
    batch, start included."""
    from diagnosis.batch.engine import run_batch
    from diagnosis.batch.targets import plan

    territories = plan([province])[:count]
    started = time.perf_counter()
    result = run_batch(territories, output, workers=workers, force=True)
    elapsed = time.perf_counter() - started
    failed = [o["id"] for o in result.outcomes if o["stato"] != "ok"]
    return {"province": province, "comuni": len(territories), "s_per_report": elapsed / len(territories),
            "s": elapsed, "failed": failed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="few comuni: a few minutes in all")
    parser.add_argument("--phase-engine", nargs=3, metavar=("CODES", "OUTPUT", "WORKERS"), help=argparse.SUPPRESS)
    parser.add_argument("--phase-province", nargs=3, metavar=("PROVINCE", "OUTPUT", "WORKERS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DIAGNOSIS_OFFLINE", "1")
    if args.phase_engine or args.phase_province:
        from diagnosis.string_storage import keep_text_as_python_strings
        from diagnosis.unused_imports import skip_iri_grammar

        keep_text_as_python_strings()  # as the command line does, before any table is read
        skip_iri_grammar()
    if args.phase_engine:
        codes, output, workers = args.phase_engine
        print(json.dumps(engine_phase(codes.split(","), Path(output), int(workers))))
        return
    if args.phase_province:
        province, output, workers = args.phase_province
        name, _, count = province.partition("@")  # PROVINCE@N: its first N comuni
        print(json.dumps(province_phase(name, Path(output), int(workers), int(count) if count else None)))
        return
    naive_count, engine_count = (2, 16) if args.quick else (5, 80)
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="diagnosis-bench-") as folder:
        every_comune_s = _warm_up(Path(folder) / "riscaldamento", workers)
        naive_ids, engine_ids = _territories(naive_count), _territories(engine_count)
        others = " + ".join(OTHER_TERRITORIES)
        before, after = around_the_engine(naive_ids)
        print(f"Ciclo ingenuo (papermill + nbconvert, un kernel per fotografia) su {naive_count} comuni + {others}, "
              f"metà prima e metà dopo il motore: {', '.join(before)} ...", flush=True)
        naive_before = naive(before, Path(folder) / "ingenuo")
        print(f"Motore batch ({workers} worker) su {engine_count} comuni + {others} ...", flush=True)
        measured = in_child("--phase-engine", ",".join(engine_ids), Path(folder) / "motore", workers)
        print(f"Ciclo ingenuo, l'altra metà: {', '.join(after)} ...", flush=True)
        naive_after = naive(after, Path(folder) / "ingenuo")
        naive_s, naive_cpu = ((a + b) / len(naive_ids) for a, b in zip(naive_before, naive_after))
        print(f"  ciclo ingenuo: {naive_s:.2f} s per fotografia ({naive_cpu:.2f} s di calcolo)")
        province = PROVINCE_BATCH["quick" if args.quick else "full"]
        print(f"Motore batch ({workers} worker) su tutti i comuni di {province}, come un batch dell'Italia ...",
              flush=True)
        by_province = in_child("--phase-province", province, Path(folder) / "provincia", workers)
        print(f"Avvio di un batch: i primi {workers} comuni di {province} ...", flush=True)
        start = in_child("--phase-province", f"{province}@{workers}", Path(folder) / "avvio", workers)
    failed = measured["failed"] + by_province["failed"] + start["failed"]
    if failed:
        sys.exit(f"Fotografie fallite nel motore: {failed}")
    from diagnosis.territory import registry

    italy = len(registry.comuni())
    engine_s = measured["s_per_report"]
    ratio = naive_s / engine_s
    # Italy is one batch: it starts once, then every further report goes at the pace the
    # province batch kept beyond its start.
    further = (by_province["s"] - start["s"]) / (by_province["comuni"] - start["comuni"])
    hours = (start["s"] + further * (italy - start["comuni"])) / 3600
    hours_spread = engine_s * italy / 3600
    engine_cpu = measured["cpu_s_per_report"]
    print(f"  {engine_s:.2f} s per fotografia (tempo reale, {workers} worker in parallelo; "
          f"{engine_cpu:.2f} s di calcolo in tutto)")
    print(f"Rapporto: {ratio:.1f}× più veloce del ciclo ingenuo ({naive_cpu / engine_cpu:.1f}× meno calcolo)")
    kinds = ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in measured["worker_s_by_kind"].items())
    print(f"Tempo di un worker per fotografia: {kinds}")
    print(f"Memoria massima di un worker: {measured['peak_pss_mb']:.0f} MB propri (PSS; "
          f"{measured['peak_rss_mb']:.0f} MB residenti contando per intero le tabelle condivise con il processo padre)")
    print(f"  {by_province['comuni']} comuni di {province}: {by_province['s_per_report']:.2f} s per fotografia, "
          f"avvio e confronti condivisi compresi; avvio {start['s']:.1f} s, poi {further:.2f} s per fotografia")
    print(f"Tutti i {italy} comuni su questa macchina, provincia per provincia: circa {hours:.2f} ore "
          f"({hours_spread:.2f} ore se ogni comune fosse di una provincia diversa)")
    print(f"Prima di tutto questo, una volta per dati e versione: gli indicatori di tutti i comuni, calcolati e "
          f"salvati dal primo batch sparso per l'Italia, in {every_comune_s:.1f} s")
    print(json.dumps({
        "naive_s_per_report": round(naive_s, 3),
        "engine_s_per_report": round(engine_s, 3),
        "ratio": round(ratio, 2),
        "naive_cpu_s_per_report": round(naive_cpu, 3),
        "engine_cpu_s_per_report": round(engine_cpu, 3),
        "cpu_ratio": round(naive_cpu / engine_cpu, 2),
        "worker_s_by_kind": measured["worker_s_by_kind"],
        "peak_pss_mb_per_worker": round(measured["peak_pss_mb"], 1),
        "peak_rss_mb_per_worker": round(measured["peak_rss_mb"], 1),
        "province_batch": {"provincia": province, "comuni": by_province["comuni"],
                           "s_per_report": round(by_province["s_per_report"], 3),
                           "start_s": round(start["s"], 2), "s_per_further_report": round(further, 3)},
        "italy_projected_hours": round(hours, 3),
        "italy_projected_hours_spread": round(hours_spread, 3),
        "every_comune_values_s": round(every_comune_s, 2),
        "workers": workers,
    }))


if __name__ == "__main__":
    main()
