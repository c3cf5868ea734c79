"""The package's layers only look down, and no modules import each other in a circle.

Every import counts, at the top of a module or inside a function: an import placed inside
a function still ties the two modules together. The layers are those ARCHITECTURE.md
draws; a module may import its own layer and those below it. An import is put inside a
function only to spare start-up time, and says so.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "diagnosis"

# Lowest first. A module in layer N may import layers 0..N.
LAYERS = (
    {"errors", "config", "formatting", "hashing", "http", "notices", "statuses", "string_storage", "text", "threads", "unused_imports"},
    {"store"},
    {"sources"},
    {"snapshot"},
    {"territory"},
    {"tables"},
    {"intake"},
    {"indicators", "models"},
    {"downloads"},
    # The package's face (``diagnosis/__init__.py``) hands out the API on first use; every
    # module may still read ``diagnosis.__version__``, since reaching one's own package is no edge.
    {"api", "diagnosis"},
    {"viz"},
    {"report"},
    {"batch"},
    {"commands"},
    {"cli"},
)


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _owner(name: str) -> str | None:
    """The module a dotted import name lands in (``a.b.c`` may be the attribute c of a.b)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported_names(module: str, path: Path) -> list[tuple[str, int]]:
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names] + [(base, node.lineno)]
    return found


def _edges() -> dict[str, dict[str, int]]:
    """Module → {imported module: line}, for the package's own modules."""
    edges: dict[str, dict[str, int]] = {}
    for module, path in MODULES.items():
        targets = edges.setdefault(module, {})
        for name, line in _imported_names(module, path):
            target = _owner(name) if name.split(".")[0] == "diagnosis" else None
            # A module reaching its own package's face is the package loading it, not a loop.
            if target and target != module and not module.startswith(target + "."):
                targets.setdefault(target, line)
    return edges


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else module
    for level, names in enumerate(LAYERS):
        if top in names:
            return level
    raise AssertionError(f"{module} belongs to no layer: add its package to LAYERS and ARCHITECTURE.md")


def _cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_module_belongs_to_a_layer():
    for module in MODULES:
        _layer(module)


def test_no_module_imports_a_layer_above_its_own():
    upward = [
        f"{module} (riga {line}) importa {target}"
        for module, targets in _edges().items()
        for target, line in targets.items()
        if _layer(target) > _layer(module)
    ]
    assert upward == []


def test_no_import_cycles():
    assert _cycles(_edges()) == []


# A module whose every function-level import has the same reason says it once, at the top.
MODULE_REASON = "# Imports inside functions:"


def _explained(lines: list[str], number: int) -> bool:
    """A comment on the import's line, or just above the block of imports it belongs to."""
    if "#" in lines[number - 1]:
        return True
    above = number - 2
    while above >= 0 and lines[above].strip().startswith(("import ", "from ")):
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def _unexplained_function_imports(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if any(line.startswith(MODULE_REASON) for line in lines):
        return []
    found = []
    for function in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not _explained(lines, node.lineno):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return found


def test_imports_inside_functions_say_why():
    assert [found for path in MODULES.values() for found in _unexplained_function_imports(path)] == []


@pytest.mark.parametrize("edges, expected", [
    ({"a": {"b": 1}, "b": {"a": 1}, "c": {}}, [["a", "b"]]),
    ({"a": {"b": 1}, "b": {"c": 1}, "c": {}}, []),
])
def test_the_cycle_finder_finds_cycles(edges, expected):
    assert _cycles(edges) == expected
