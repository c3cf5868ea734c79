"""Every error a user can meet is in one tree, in ``diagnosis.errors``, and says what it is."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import diagnosis
from diagnosis import errors

PACKAGE = Path(diagnosis.__file__).parent


def _every_module():
    for module in pkgutil.walk_packages(diagnosis.__path__, "diagnosis."):
        importlib.import_module(module.name)


def _subclasses(root: type) -> set[type]:
    """The package's subclasses of ``root`` (tests define their own, which do not count)."""
    found = set()
    for child in root.__subclasses__():
        found |= _subclasses(child)
        if child.__module__.split(".")[0] == "diagnosis":
            found.add(child)
    return found


def test_every_error_of_the_package_is_defined_in_the_error_module():
    _every_module()
    elsewhere = sorted(f"{cls.__module__}.{cls.__name__}" for cls in _subclasses(errors.DiagnosisError)
                       if cls.__module__ != errors.__name__)
    assert elsewhere == []


def test_no_module_defines_its_own_exception_outside_the_tree():
    defined = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # A ValueError that a reader raises and catches itself, to turn a cell into a
            # Problem, never reaches a user and is not part of the tree.
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and (base.id in ("Exception", "BaseException") or base.id in vars(errors))
                for base in node.bases
            ):
                defined.append(f"{path.relative_to(PACKAGE.parent)}: {node.name}")
    assert defined == []


def test_every_error_says_what_it_means_and_belongs_to_a_branch():
    branches = {errors.RichiestaNonValida, errors.DatiNonDisponibili, errors.FormatoNonRiconosciuto,
                errors.ErroreArchivio, errors.ErroreServizio, errors.ErroreReport}
    for cls in _subclasses(errors.DiagnosisError):
        assert cls.__doc__ and cls.__doc__.strip(), cls.__name__
        # Two stand alone on purpose: the snapshot build's own check, and the size limits
        # (which a reader trying another layout on a format error must not swallow).
        if cls not in (errors.SnapshotIncoerente, errors.LimiteSuperato):
            assert any(issubclass(cls, branch) for branch in branches), cls.__name__
