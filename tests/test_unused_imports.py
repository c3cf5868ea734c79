"""The command line keeps the IRI grammar, seconds to build, from loading with nbformat."""

import importlib.metadata
import subprocess
import sys

import pytest

# The suite's own process skips it too (conftest): each check runs in a new interpreter.
try:
    importlib.metadata.distribution("rfc3987-syntax")
except importlib.metadata.PackageNotFoundError:
    pytest.skip("rfc3987-syntax non installato: non c'è nulla da saltare", allow_module_level=True)


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_notebooks_are_read_and_checked_without_the_iri_grammar():
    shown = _run(
        "import sys\n"
        "from diagnosis.unused_imports import skip_iri_grammar\n"
        "skip_iri_grammar()\n"
        "import jsonschema, nbformat\n"
        "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
        "print(sys.modules['rfc3987_syntax'] is None, 'iri' in jsonschema.FormatChecker().checkers)"
    )
    assert shown == "True False"


def test_a_library_already_loaded_is_left_alone():
    shown = _run(
        "import sys, rfc3987_syntax\n"
        "from diagnosis.unused_imports import skip_iri_grammar\n"
        "skip_iri_grammar()\n"
        "print(sys.modules['rfc3987_syntax'] is rfc3987_syntax)"
    )
    assert shown == "True"


def test_the_command_line_skips_it():
    shown = _run(
        "import sys\n"
        "from diagnosis import cli\n"
        "cli.main(['territori', 'cerca', 'Pioltello'])\n"
        "import nbformat\n"
        "print(sys.modules['rfc3987_syntax'])"
    )
    assert shown.splitlines()[-1] == "None"
