"""Set up the project's environment and run its main job or its tests.

    python3 dev.py demo    # builds .venv, then the offline fotografia of the Sassuolo Città-Distretto
    python3 dev.py test    # builds .venv with the test tools, then runs the tests

Needs only Python 3.11 or newer. The environment is rebuilt only when pyproject.toml
changes; extra arguments after ``test`` go to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
DEMO_TERRITORY = "citta-distretto-sassuolo"


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _stamp(extras: str) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return f"{digest}:{extras}"


def ensure_environment(extras: str = "") -> Path:
    """Create .venv and install the project (editable) unless it is already up to date."""
    if sys.version_info < (3, 11):
        sys.exit("Serve Python 3.11 o successivo: installarlo e rilanciare con python3.11 dev.py ...")
    python = _venv_python()
    marker = VENV / ".diagnosis-installato"
    wanted = _stamp(extras)
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    if not python.exists():
        print("Creo l'ambiente virtuale in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".[{extras}]" if extras else "."
    print(f"Installo diagnosis e le sue dipendenze ({target}) ...", flush=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", target], check=True, cwd=ROOT)
    marker.write_text(wanted)
    return python


def demo() -> int:
    python = ensure_environment()
    command = [str(python), "-m", "diagnosis.cli", "fotografia", DEMO_TERRITORY, "--offline"]
    status = subprocess.run(command, cwd=ROOT).returncode
    if status == 0:
        print("Aprire nel browser il file fotografia.html indicato qui sopra.")
    return status


def test(pytest_arguments: list[str]) -> int:
    python = ensure_environment("test")
    return subprocess.run([str(python), "-m", "pytest", *pytest_arguments], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__)
        return 2
    return demo() if argv[0] == "demo" else test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
