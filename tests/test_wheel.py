"""A regular install: the wheel, installed apart from the source tree, builds reports from any folder.

The wheel is built from a copy of the project's files (the checkout is left untouched) and
installed with ``pip --target`` into a folder of its own, which comes first on the path: the
dependencies are this environment's, the package is the wheel's (the test checks where
``diagnosis`` is imported from). Commands run from a third folder, offline, on the embedded
snapshot, with the tests' temporary store.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from diagnosis import config
from diagnosis.formatting import shown_value
from diagnosis.indicators.compute import compute_indicators
from diagnosis.report.folder_names import folder_name
from diagnosis.territory import resolve_territory

from conftest import PROJECT_ROOT, _session_data_dir

pytestmark = pytest.mark.slow

SETUPTOOLS_NEEDED = (77,)  # pyproject.toml's build-system.requires; the test extra installs it
BUILT_FROM = ("pyproject.toml", "README.md", "LICENSE", "diagnosis")
MORTERONE, VALVARRONE = "097055", "097093"  # the smallest comuni: quick to draw


def _setuptools_is_recent() -> bool:
    return tuple(int(part) for part in version("setuptools").split(".")[:1]) >= SETUPTOOLS_NEEDED


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(environment, folder to run from, install folder) of the wheel installed apart."""
    if not _setuptools_is_recent():
        pytest.skip(f"per costruire la wheel senza rete serve setuptools>=77 (c'è {version('setuptools')}): "
                    "pip install -e '.[test]'")
    base = tmp_path_factory.mktemp("wheel")
    source = base / "sorgente"
    source.mkdir()
    for name in BUILT_FROM:
        origin = PROJECT_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    built = subprocess.run([*pip, "wheel", str(source), "--no-deps", "--no-build-isolation", "--no-index",
                            "-w", str(base / "dist")], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = (base / "dist").glob("diagnosis-*.whl")
    target = base / "installato"
    done = subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    environment = os.environ | {"PYTHONPATH": str(target), config.OFFLINE_VARIABLE: "1",
                                config.DATA_DIR_VARIABLE: str(_session_data_dir(tmp_path_factory))}
    environment.pop(config.DISTRICTS_DIR_VARIABLE, None)
    elsewhere = base / "altrove"
    elsewhere.mkdir()
    return environment, elsewhere, target


def _diagnosis(installed, *arguments) -> subprocess.CompletedProcess:
    environment, folder, _ = installed
    return subprocess.run([sys.executable, "-m", "diagnosis.cli", *arguments], cwd=folder, env=environment,
                          capture_output=True, text=True, timeout=900)


def test_the_installed_package_is_the_wheels_with_its_notebooks_templates_and_districts(installed):
    environment, folder, target = installed
    code = ("import diagnosis, diagnosis.config as c; print(diagnosis.__file__); "
            "print(sorted(p.name for p in c.NOTEBOOKS_DIR.glob('*.ipynb'))); "
            "print((c.TEMPLATES_DIR / 'fotografia' / 'index.html.j2').is_file())")
    shown = subprocess.run([sys.executable, "-c", code], cwd=folder, env=environment, capture_output=True,
                           text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr[-3000:]
    where, notebooks, template = shown.stdout.splitlines()
    assert Path(where).is_relative_to(target)
    assert notebooks == str(sorted(p.name for p in (PROJECT_ROOT / "diagnosis" / "notebooks").glob("*.ipynb")))
    assert template == "True"
    districts = _diagnosis(installed, "territori", "distretti")
    assert "citta-distretto-sassuolo [DID]" in districts.stdout, districts.stderr[-3000:]


def _figures(page: str) -> int:
    return len(re.findall(r'src="data:image/(?:png|svg\+xml);base64,', page))


def test_fotografia_from_another_folder(installed):
    completed = _diagnosis(installed, "fotografia", "Morterone", "--anno", "2023", "--output", "uscita")
    assert completed.returncode == 0, completed.stderr[-3000:]
    folder = installed[1] / "uscita" / folder_name("Morterone", MORTERONE)
    page = (folder / "fotografia.html").read_text(encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    # The same figure, computed here from the source tree on the same embedded snapshot.
    expected = compute_indicators(resolve_territory("Morterone"), 2023)["indicatori"]["popolazione"]
    assert manifest["indicatori"]["popolazione"]["valore"] == expected["valore"] > 0
    assert shown_value(expected) in page and "Piramide delle età" in page
    assert _figures(page) >= 2


def test_batch_of_two_comuni_from_another_folder(installed):
    completed = _diagnosis(installed, "batch", MORTERONE, VALVARRONE, "--anno", "2023", "--workers", "2",
                           "--output", "lotto")
    assert completed.returncode == 0, completed.stderr[-3000:]
    output = installed[1] / "lotto"
    summary = json.loads((output / "riepilogo.json").read_text(encoding="utf-8"))
    assert [row["id"] for row in summary] == [MORTERONE, VALVARRONE]
    for row in summary:
        page = (output / row["cartella"] / "fotografia.html").read_text(encoding="utf-8")
        assert row["stato"] == "ok" and row["popolazione"] > 0 and row["nome"] in page
        assert _figures(page) >= 2
