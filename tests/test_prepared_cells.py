"""What IPython prepares from a cell is reused for a source that comes back, and gives what
IPython's own steps would give: an extension's rules and transformers still act on every run."""

import __future__
import ast

import pytest

from diagnosis.report.prepared_cells import ReusingCompiler, may_await
from diagnosis.report.shell import report_shell


@pytest.fixture
def shell():
    shell = report_shell()
    shell.start_notebook()
    return shell


def _value(shell, source: str) -> str:
    run = shell.run_for_notebook(source, 1)
    assert not run.failed, run.outputs
    return run.outputs[-1].data["text/plain"]


class _TimesTen(ast.NodeTransformer):
    """Changes the tree it visits, as most transformers do."""

    def visit_Constant(self, node):
        if isinstance(node.value, int):
            node.value *= 10
        return node


def test_an_ast_transformer_acts_once_on_each_run_of_a_source(shell):
    transformer = _TimesTen()
    shell.ast_transformers.append(transformer)
    try:
        values = [_value(shell, "7 + 1") for _ in range(3)]
    finally:
        shell.ast_transformers.remove(transformer)
    assert values == ["80", "80", "80"]
    assert _value(shell, "7 + 1") == "8"  # once removed, the source runs as written


def test_a_rewriting_rule_added_later_applies_to_a_source_already_seen(shell):
    source = "QUANTI = 3\nquanti"
    assert shell.run_for_notebook(source, 1).failed  # no name ``quanti``

    def lower(lines):
        return [line.lower() for line in lines]

    shell.input_transformers_cleanup.append(lower)
    try:
        assert _value(shell, source) == "3"
    finally:
        shell.input_transformers_cleanup.remove(lower)
    shell.start_notebook()
    assert shell.run_for_notebook(source, 1).failed  # the rule removed, the source runs as written


def test_a_shown_assignment_is_shown_once_on_each_run(shell):
    shell.ast_node_interactivity = "last_expr_or_assign"
    try:
        runs = [shell.run_for_notebook("totale = 40 + 2", 1) for _ in range(3)]
    finally:
        shell.ast_node_interactivity = "last_expr"
    assert [[o.data["text/plain"] for o in run.outputs] for run in runs] == [["42"]] * 3
    assert shell.run_for_notebook("totale = 40 + 2", 1).outputs == []  # back to showing expressions only


def _compile_cell(compiler, source: str) -> list:
    name = compiler.cache(source, 1)
    return [compiler(ast.Module([statement], []), name, "exec") for statement in compiler.ast_parse(source, name).body]


def test_a_future_import_takes_effect_also_when_its_code_is_reused():
    compiler = ReusingCompiler()  # its own, so that the future import stays out of the shell
    future, flags_at_start = "from __future__ import annotations", compiler.flags
    first = _compile_cell(compiler, future)
    assert compiler.flags & __future__.annotations.compiler_flag
    compiler.flags = flags_at_start  # as a new notebook would find them
    again = _compile_cell(compiler, future)
    assert len(again) == 1 and again[0] is first[0]  # the same code object, reused
    assert compiler.flags & __future__.annotations.compiler_flag


def test_code_compiled_under_other_flags_is_not_reused():
    compiler = ReusingCompiler()
    source = "def f(x: int): pass\nf.__annotations__"
    plain = _compile_cell(compiler, source)
    _compile_cell(compiler, "from __future__ import annotations")
    postponed = _compile_cell(compiler, source)
    assert plain[0] is not postponed[0]
    namespace = {}
    for code in postponed:
        exec(code, namespace)
    assert namespace["f"].__annotations__ == {"x": "int"}


@pytest.mark.parametrize("source, needs_loop", [
    ("x = 1\nx", False),
    ("import asyncio\nawait asyncio.sleep(0)", True),
    ("async with lock:\n    pass", True),
    ("[v async for v in valori()]", True),
    ("def f():\n    return 'await'", False),  # the word alone, in a string: compiled to be sure
    ("async def f():\n    await g()", False),  # an await inside a function leaves the cell plain
])
def test_only_a_top_level_await_makes_a_cell_run_in_an_event_loop(shell, source, needs_loop):
    assert shell.should_run_async(source, transformed_cell=source) is needs_loop


def test_a_cell_without_the_words_is_not_compiled_to_know_it():
    assert not may_await("totale = sum(valori)\nprint(totale)")
    assert may_await("risultato = await calcolo()")
