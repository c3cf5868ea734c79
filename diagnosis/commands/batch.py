"""``diagnosis batch``: fotografie for many territories, resumable."""

from __future__ import annotations

import os
from pathlib import Path

from diagnosis import config
from diagnosis.batch.engine import run_batch
from diagnosis.batch.targets import plan
from diagnosis.errors import DiagnosisError
from diagnosis.report.brand import load_brand


def run(arguments: list[str], districts_file: str | None, output: Path, workers: int | None,
        scheduler: str | None, force: bool, year: int | None, baseline: Path | None = None,
        notebook: Path | None = None, brand_file: Path | None = None, pdf: bool = False,
        edition: str = config.DEFAULT_EDITION) -> int:
    if not arguments and not districts_file:
        raise DiagnosisError("Indicare almeno un territorio (es. provincia:MO, tutti) oppure --distretti FILE.")
    if districts_file:
        # The notebooks resolve district ids by name: they must find this file's folder too.
        folder = Path(districts_file).resolve()
        folder = folder if folder.is_dir() else folder.parent
        current = os.environ.get(config.DISTRICTS_DIR_VARIABLE)
        os.environ[config.DISTRICTS_DIR_VARIABLE] = os.pathsep.join(filter(None, [str(folder), current]))
    brand = load_brand(brand_file) if brand_file else None  # a typo stops the batch before it starts
    territories = plan(arguments, districts_file)
    print(f"Fotografie da preparare: {len(territories)} in {output}")
    result = run_batch(territories, output, year=year, workers=workers, force=force, scheduler=scheduler,
                       baseline=baseline, notebook=notebook, brand=brand, pdf=pdf, edition=edition)
    counts = {status: sum(o["stato"] == status for o in result.outcomes) for status in ("ok", "saltato", "errore")}
    print(f"Generate {counts['ok']}, già aggiornate {counts['saltato']}, con errori {counts['errore']}. "
          f"Indice: {result.index}")
    for failure in result.failed:
        print(f"  errore {failure['id']} ({failure['nome']}): {failure['errore']} — log: "
              f"{Path(output) / 'log' / (failure['cartella'] + '.log')}")
    return 1 if result.failed else 0
