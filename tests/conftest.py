"""Shared test set-up: an isolated data directory, the offline switch, real data."""

import os
from pathlib import Path

import pytest

from diagnosis import threads

# Before numpy loads, as the command line does: the suite runs reports side by side too.
threads.default_to_one_thread()

from diagnosis.string_storage import keep_text_as_python_strings  # noqa: E402 — after the line above
from diagnosis.unused_imports import skip_iri_grammar  # noqa: E402

# From the start, as the command line does: the tests that call it would otherwise switch
# the storage of text columns halfway through the suite.
keep_text_as_python_strings()
skip_iri_grammar()

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def real_data_dir() -> Path:
    return Path(os.environ.get("DIAGNOSIS_REAL_DATA", PROJECT_ROOT.parent / "shared" / "data" / "real"))


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory, monkeypatch):
    """Each test sees an offline switch on and a shared, session-wide cache directory.

    The data directory is shared across the session so that the registry cache built by
    the first test serves the others; tests that need an empty store set their own.
    """
    monkeypatch.setenv("DIAGNOSIS_OFFLINE", "1")
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(_session_data_dir(tmp_path_factory)))
    monkeypatch.delenv("DIAGNOSIS_DISTRETTI_DIR", raising=False)


_DATA_DIR: list[Path] = []


def _session_data_dir(factory) -> Path:
    if not _DATA_DIR:
        _DATA_DIR.append(factory.mktemp("data"))
    return _DATA_DIR[0]


@pytest.fixture
def real_data() -> Path:
    """The folder of real published files; the test is skipped when it is absent."""
    folder = real_data_dir()
    if not folder.is_dir():
        pytest.skip(f"dati reali assenti ({folder})")
    return folder


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def online_store(tmp_path, monkeypatch):
    """An empty store with the network allowed (answers come from ``responses``) and no pacing.

    The per-host intervals are zeroed so that chunked requests do not wait 13 s each; the
    limiter itself is tested in test_http.
    """
    from diagnosis import http

    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIAGNOSIS_OFFLINE", "0")
    monkeypatch.setattr(http, "HOST_INTERVALS", {})
    monkeypatch.setattr(http, "DEFAULT_INTERVAL", 0.0)
    http.reset_sessions()
    yield tmp_path
    http.reset_sessions()
