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
