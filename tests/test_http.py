"""The shared HTTP session: cache, limiter, retries, offline switch, dry run. No network:
``responses`` mocks the transport, and the cross-process test uses a local server."""

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import responses

from diagnosis import http
from diagnosis.errors import ChiamataSimulata, DownloadNonValido, RisorsaOffline, ServizioNonRaggiungibile

PROJECT_ROOT = Path(__file__).resolve().parent.parent
URL = "https://dati.example/serie.csv"
SDMX_URL = "https://esploradati.istat.it/SDMXWS/rest/data/22_289/A.015175.JAN.9.TOTAL.99"


@pytest.fixture
def online(monkeypatch, tmp_path):
    """A fresh data directory, offline and dry run off, no spacing for the mock hosts."""
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DIAGNOSIS_OFFLINE", "0")
    monkeypatch.delenv(http.DRY_RUN_VARIABLE, raising=False)
    monkeypatch.setattr(http, "HOST_INTERVALS", {**http.HOST_INTERVALS, "dati.example": 0.0})
    http.reset_sessions()
    yield tmp_path
    http.reset_sessions()


class Sleeps(list):
    """An injected sleep that records the pauses instead of taking them."""

    def __call__(self, seconds):
        self.append(seconds)


# --- cache ---------------------------------------------------------------------------------

@responses.activate
def test_cache_hit_needs_no_network_and_no_wait(online, monkeypatch):
    responses.get(URL, body=b"a;b\r\n1;2\r\n")
    first = http.fetch(URL)
    monkeypatch.setitem(http.HOST_INTERVALS, "dati.example", 60.0)

    started = time.monotonic()
    second = http.fetch(URL)

    assert time.monotonic() - started < 5
    assert len(responses.calls) == 1
    assert second.from_cache and not first.from_cache
    assert second.content == b"a;b\r\n1;2\r\n"
    assert (online / "cache" / "http_cache.sqlite").exists()


@responses.activate
def test_cache_hit_is_served_offline(online, monkeypatch):
    responses.get(URL, body=b"dati")
    http.fetch(URL)
    monkeypatch.setenv("DIAGNOSIS_OFFLINE", "1")
    assert http.fetch(URL).content == b"dati"
    assert len(responses.calls) == 1


@responses.activate
def test_error_answers_are_not_cached(online):
    responses.get(URL, status=404, body="Not Found")
    responses.get(URL, body=b"ora c'e'")
    assert http.fetch(URL).status_code == 404
    assert http.fetch(URL).content == b"ora c'e'"


@responses.activate
def test_accept_header_is_part_of_the_cache_key(online, monkeypatch):
    """esploradati serves SDMX-ML or SDMX-CSV at the same URL depending on Accept."""
    responses.get(SDMX_URL, body=b"<xml/>", match=[responses.matchers.header_matcher({"Accept": "application/xml"})])
    responses.get(SDMX_URL, body=b"DATAFLOW,FREQ\n")
    monkeypatch.setitem(http.HOST_INTERVALS, "esploradati.istat.it", 0.0)
    assert http.fetch(SDMX_URL, headers={"Accept": "application/xml"}).content == b"<xml/>"
    assert http.fetch(SDMX_URL, headers={"Accept": "text/csv"}).content == b"DATAFLOW,FREQ\n"


@responses.activate
def test_use_cache_false_neither_reads_nor_writes(online):
    responses.get(URL, body=b"uno")
    http.fetch(URL, use_cache=False)
    http.fetch(URL, use_cache=False)
    assert len(responses.calls) == 2


# --- offline and dry run -----------------------------------------------------------------

@responses.activate
def test_offline_raises_naming_the_url_and_the_fix(online, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_OFFLINE", "1")
    responses.get(URL, body=b"mai servito")
    with pytest.raises(RisorsaOffline) as raised:
        http.fetch(URL, params={"anno": 2025})
    message = str(raised.value)
    assert URL + "?anno=2025" in message
    assert "--offline" in message and "diagnosis dati aggiungi" in message
    assert len(responses.calls) == 0


@responses.activate
def test_dry_run_from_the_environment_shows_the_url(online, monkeypatch, capsys):
    monkeypatch.setenv(http.DRY_RUN_VARIABLE, "1")
    responses.get(URL, body=b"mai servito")
    with pytest.raises(ChiamataSimulata) as raised:
        http.fetch(URL, params={"anno": 2025})
    assert raised.value.url == URL + "?anno=2025"
    assert URL + "?anno=2025" in capsys.readouterr().err
    assert len(responses.calls) == 0


@responses.activate
def test_dry_run_parameter_overrides_the_environment(online, monkeypatch):
    responses.get(URL, body=b"dati")
    with pytest.raises(ChiamataSimulata):
        http.fetch(URL, dry_run=True)
    monkeypatch.setenv(http.DRY_RUN_VARIABLE, "1")
    assert http.fetch(URL, dry_run=False).content == b"dati"
    assert len(responses.calls) == 1


def test_dry_run_stops_readers_like_offline():
    """Readers that stop at once on RisorsaOffline also stop at once in a dry run."""
    assert issubclass(ChiamataSimulata, RisorsaOffline)


def test_request_url_is_what_would_be_called():
    assert http.request_url(SDMX_URL, {"startPeriod": 2024}) == SDMX_URL + "?startPeriod=2024"


# --- headers and timeouts ----------------------------------------------------------------

@responses.activate
def test_user_agent_and_default_timeouts(online):
    responses.get(URL, body=b"x")
    http.fetch(URL)
    call = responses.calls[0]
    assert call.request.headers["User-Agent"] == f"diagnosis/{http.__version__} (+fotografia di partenza; dati aperti)"
    assert call.request.req_kwargs["timeout"] == (10.0, 300.0)


@responses.activate
def test_caller_headers_and_timeout_win(online):
    responses.get(URL, body=b"x")
    http.fetch(URL, headers={"User-Agent": "Mozilla/5.0"}, timeout=(5, 60))
    call = responses.calls[0]
    assert call.request.headers["User-Agent"] == "Mozilla/5.0"
    assert call.request.req_kwargs["timeout"] == (5, 60)


# --- retries -------------------------------------------------------------------------------

@responses.activate
@pytest.mark.parametrize("status", [400, 404, 429])
def test_4xx_is_returned_at_once_never_retried(online, status):
    responses.get(URL, status=status, body="NoRecordsFound", content_type="text/plain")
    sleeps = Sleeps()
    response = http.fetch(URL, sleep=sleeps)
    assert response.status_code == status
    assert response.text == "NoRecordsFound"
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_5xx_is_retried_after_long_pauses(online):
    responses.get(URL, status=503)
    responses.get(URL, status=500)
    responses.get(URL, body=b"finalmente")
    sleeps = Sleeps()
    response = http.fetch(URL, sleep=sleeps)
    assert response.content == b"finalmente"
    assert len(responses.calls) == 3
    assert sleeps == [30.0, 120.0]


@responses.activate
def test_persistent_5xx_returns_the_last_answer(online):
    responses.get(URL, status=502, body="Bad Gateway")
    sleeps = Sleeps()
    assert http.fetch(URL, sleep=sleeps).status_code == 502
    assert len(responses.calls) == 3 and sleeps == [30.0, 120.0]


@responses.activate
def test_timeout_is_retried_only_after_a_long_pause(online):
    responses.get(URL, body=requests.ConnectTimeout("connessione scaduta"))
    responses.get(URL, body=b"dati")
    sleeps = Sleeps()
    assert http.fetch(URL, sleep=sleeps).content == b"dati"
    assert sleeps == [30.0]
    assert min(sleeps) >= 30


@responses.activate
def test_persistent_timeout_explains_a_possible_ban(online, monkeypatch):
    responses.get(SDMX_URL, body=requests.ConnectTimeout("connessione scaduta"))
    monkeypatch.setitem(http.HOST_INTERVALS, "esploradati.istat.it", 0.0)
    sleeps = Sleeps()
    with pytest.raises(ServizioNonRaggiungibile) as raised:
        http.fetch(SDMX_URL, sleep=sleeps)
    assert SDMX_URL in str(raised.value) and "qualche ora" in str(raised.value)
    assert len(responses.calls) == 3 and sleeps == [30.0, 120.0]


@responses.activate
def test_refused_connection_is_not_retried(online):
    responses.get(URL, body=requests.ConnectionError("connessione rifiutata"))
    sleeps = Sleeps()
    with pytest.raises(ServizioNonRaggiungibile):
        http.fetch(URL, sleep=sleeps)
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_fetch_bytes_refuses_a_404_with_the_fix(online):
    responses.get(URL, status=404)
    with pytest.raises(DownloadNonValido) as raised:
        http.fetch_bytes(URL)
    assert "404" in str(raised.value) and "diagnosis dati aggiungi" in str(raised.value)


# --- limiter -------------------------------------------------------------------------------

def test_intervals_are_declared_per_host():
    assert http.interval_for("esploradati.istat.it") >= 13
    assert http.interval_for("sdmx.istat.it") >= 13
    assert http.interval_for("overpass-api.de") >= 30
    assert http.interval_for("www.istat.it") == http.DEFAULT_INTERVAL


def test_limiter_waits_the_rest_of_the_interval(tmp_path):
    now = [1000.0]
    sleeps = Sleeps()
    limiter = http.HostLimiter(tmp_path, {"esploradati.istat.it": 13.0}, clock=lambda: now[0], sleep=sleeps)
    with limiter.turn("esploradati.istat.it") as waited:
        assert waited == 0.0
        now[0] += 2.0  # the answer took 2 s: the interval counts from its end
    now[0] += 4.0
    with limiter.turn("esploradati.istat.it") as waited:
        assert waited == pytest.approx(9.0)
    assert sleeps == [pytest.approx(9.0)]


def test_limiter_treats_an_unreadable_stamp_as_just_now(tmp_path):
    (tmp_path / "esploradati.istat.it.last").write_text("mezza scrit")
    sleeps = Sleeps()
    limiter = http.HostLimiter(tmp_path, {"esploradati.istat.it": 13.0}, clock=lambda: 50.0, sleep=sleeps)
    with limiter.turn("esploradati.istat.it"):
        pass
    assert sleeps == [13.0]


class _Recorder(BaseHTTPRequestHandler):
    arrivals: list = []

    def do_GET(self):
        type(self).arrivals.append(time.time())
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        return None


CHILD = textwrap.dedent("""
    import sys
    from diagnosis import http
    http.HOST_INTERVALS["127.0.0.1"] = 1.0
    print(http.fetch(sys.argv[1]).text)
""")


@pytest.mark.slow
def test_limiter_spaces_calls_from_two_processes(tmp_path):
    _Recorder.arrivals = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    env = {
        **os.environ, "DIAGNOSIS_DATA_DIR": str(tmp_path), "DIAGNOSIS_OFFLINE": "0",
        "PYTHONPATH": str(PROJECT_ROOT), "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
    }
    env.pop(http.DRY_RUN_VARIABLE, None)
    try:
        children = [
            subprocess.Popen([sys.executable, "-c", CHILD, f"{base}/{name}"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for name in ("primo", "secondo")
        ]
        outputs = [child.communicate(timeout=60) for child in children]
    finally:
        server.shutdown()
        server.server_close()
    assert all(child.returncode == 0 for child in children), outputs
    assert [out.strip() for out, _ in outputs] == [b"ok", b"ok"]
    first, second = sorted(_Recorder.arrivals)
    assert second - first >= 1.0
    assert json.dumps(sorted(p.name for p in (tmp_path / "cache" / "limiter").iterdir())) == json.dumps(
        ["127.0.0.1.last", "127.0.0.1.lock"]
    )
