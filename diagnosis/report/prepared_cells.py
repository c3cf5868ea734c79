"""What IPython prepares from a cell's source before running it, kept for the sources that come back.

Every report of a batch runs the same cells; only the parameters cell differs. Before running
a cell, IPython rewrites its ``%magic`` and ``!shell`` lines (tokenising the cell several
times), compiles it once to find a top-level ``await``, parses it, and compiles each of its
statements: a tenth of a second per report, the same work each time. Each step here gives
what IPython's own step gives, from the work done the first time a source was seen:

- the rewritten text, for as long as the rewriting rules are the ones it was made with;
- whether a cell may need an event loop, answered without compiling when no ``await`` or
  ``async`` appears in it (only those words make a cell a coroutine);
- the syntax tree and the byte code of a cell run by the shell, named by its cell;
- whether a cell ends with ``;`` (its value then not shown), which IPython finds by
  tokenising the whole cell whenever it has a value to show.

The kept results are bounded: a batch has few distinct sources, and the parameters cell
of each report, seen once, makes room.
"""

from __future__ import annotations

import __future__
import ast
import functools

from IPython.core.compilerop import CachingCompiler
from IPython.core.displayhook import DisplayHook
from IPython.core.inputtransformer2 import TransformerManager

SOURCES_KEPT = 1024  # several notebooks' cells; a report has about seventy
STATEMENTS_KEPT = 4096  # a cell holds a few top-level statements
FUTURE_FLAGS = functools.reduce(
    lambda flags, name: flags | getattr(__future__, name).compiler_flag, __future__.all_feature_names, 0,
)


def may_await(source: str) -> bool:
    """False when ``source`` cannot hold a top-level ``await``, ``async for`` or ``async with``.

    A cell runs in an event loop only if one of these makes its code a coroutine; without the
    two words, IPython's check (compiling the whole cell) can only say no."""
    return "await" in source or "async" in source


@functools.lru_cache(maxsize=SOURCES_KEPT)
def ends_with_semicolon(transformed: str) -> bool:
    """IPython's own answer for a rewritten cell, found once per source."""
    return DisplayHook.semicolon_at_end_of_expression(transformed)


class ReusingTransformerManager(TransformerManager):
    """IPython's rewriting of ``%magic`` and ``!shell`` lines, done once per source.

    The rewriting depends only on the text and on the rules in the manager's lists, which an
    extension may change: the kept texts are dropped whenever the rules are no longer those
    they were made with."""

    def __init__(self):
        super().__init__()
        self._rules_used = self._rules()
        self._rewritten = functools.lru_cache(maxsize=SOURCES_KEPT)(super().transform_cell)

    def transform_cell(self, cell: str) -> str:
        rules = self._rules()
        if rules != self._rules_used:
            self._rewritten.cache_clear()
            self._rules_used = rules
        return self._rewritten(cell)

    def _rules(self) -> tuple:
        return tuple(self.cleanup_transforms), tuple(self.line_transforms), tuple(self.token_transformers)


class ReusingCompiler(CachingCompiler):
    """IPython's compiler, keeping the syntax tree and byte code of each cell it has named.

    Only a cell the shell runs (its name made by :meth:`cache`) is kept: magics such as
    ``%time`` parse pieces of code under a generic name. The flags in force are part of what
    is kept, so a ``from __future__`` import still changes how later cells are compiled, and
    takes effect when its cell's code is reused as when it is compiled."""

    def __init__(self):
        super().__init__()
        self._parsed = functools.lru_cache(maxsize=SOURCES_KEPT)(self._parse)
        self._compiled = functools.lru_cache(maxsize=STATEMENTS_KEPT)(self._compile_statement)

    def ast_parse(self, source: str, filename: str = "<unknown>", symbol: str = "exec") -> ast.AST:
        if filename not in self._filename_map:
            return super().ast_parse(source, filename, symbol)
        tree = self._parsed(source, filename, symbol, self.flags)
        # A new statement list each time: IPython appends to it when it shows an assignment's value.
        return ast.Module(body=list(tree.body), type_ignores=list(tree.type_ignores)) \
            if isinstance(tree, ast.Module) else tree

    def _parse(self, source: str, filename: str, symbol: str, flags: int) -> ast.AST:
        # ``flags`` (those in force now) is only part of the key.
        return super().ast_parse(source, filename, symbol)

    def __call__(self, source, filename, symbol, **kwargs):
        # IPython compiles a cell one top-level statement at a time, each wrapped anew.
        statement = _only_statement(source)
        if kwargs or statement is None or filename not in self._filename_map:
            return super().__call__(source, filename, symbol, **kwargs)
        code = self._compiled(statement, type(source), filename, symbol, self.flags)
        self.flags |= code.co_flags & FUTURE_FLAGS  # what IPython's compiler remembers of a future import
        return code

    def _compile_statement(self, statement: ast.stmt, wrapper: type, filename: str, symbol: str, flags: int):
        # The statement itself is part of the key (a syntax tree is hashed by identity): a tree
        # kept by ``_parsed`` gives the same statement objects every time its cell runs. ``flags``
        # (those in force now) is only part of the key.
        wrapped = ast.Module([statement], []) if wrapper is ast.Module else ast.Interactive([statement])
        return super().__call__(wrapped, filename, symbol)


def _only_statement(source) -> ast.stmt | None:
    if isinstance(source, (ast.Module, ast.Interactive)) and len(source.body) == 1:
        return source.body[0]
    return None
