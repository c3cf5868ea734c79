"""Every notebook runs for a comune, a district across two provinces, a province and the smallest comune."""

from pathlib import Path

import pytest

from diagnosis.config import NOTEBOOKS_DIR
from diagnosis.report.runner import run_notebook

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
TERRITORIES = ["Pioltello", "citta-distretto-sassuolo", "provincia:LC", "Morterone"]


def test_each_notebook_has_exactly_one_parameters_cell_and_no_outputs():
    import nbformat

    assert len(NOTEBOOKS) >= 5
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        tagged = [c for c in notebook.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, path.name
        assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code"), path.name


@pytest.mark.parametrize("territory", TERRITORIES)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_shows_something(path: Path, territory):
    executed = run_notebook(path, None, {"territorio": territory, "anno": 2023}, in_process=True)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    shown = [o for o in outputs if o.get("output_type") in ("display_data", "execute_result")]
    assert shown, f"{path.name} non mostra nulla per {territory}"
    assert not any(o.get("name") == "stderr" and "Traceback" in o.get("text", "") for o in outputs)
