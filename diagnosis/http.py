"""The one HTTP session of the package: cache, per-host limiter, offline switch, dry run.

Every reader fetches through ``fetch`` so that the rules that keep the package welcome on
public services hold everywhere:

- **cache first** (requests-cache, SQLite in ``<data>/cache/http_cache.sqlite``): a cached
  answer never touches the network and never waits on the limiter;
- **one call at a time per host, spaced across processes**: a lock file and a timestamp
  file per host in ``<data>/cache/limiter/``. ISTAT bans an IP for 1-2 days above about
  5 calls a minute (SOURCES.md §1.5: AgID was blocked at ~8/min on 2026-10-05), so its
  SDMX hosts get 13 s; Overpass asks for about two queries a minute;
- **explicit timeouts** ``(connect, read)``: without a read timeout a stalled ISTAT answer
  hangs for ever (istatapi issue #33);
- **retries only on timeouts and 5xx**, with long pauses. A 4xx is never retried (a
  retried 429 turns into a ban) and is returned as is: ISTAT's ``404 NoRecordsFound``
  means "no data", which only the reader can interpret;
- **offline switch** (``DIAGNOSIS_OFFLINE=1``, ``--offline``): what is not cached raises
  ``RisorsaOffline`` naming the URL and the way to get the data;
- **dry run** (``DIAGNOSIS_DRY_RUN=1`` or ``dry_run=True``): the URL is shown instead of
  being called.

The session is built on first use, never at import.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import urlsplit

import requests
import requests_cache
from filelock import FileLock
from requests.adapters import HTTPAdapter

from diagnosis import __version__, config
from diagnosis.errors import (
    ChiamataSimulata,
    DownloadNonValido,
    RisorsaOffline,
    ServizioNonRaggiungibile,
)

DRY_RUN_VARIABLE = "DIAGNOSIS_DRY_RUN"

USER_AGENT = f"diagnosis/{__version__} (+fotografia di partenza; dati aperti)"

# Minimum seconds between two calls to the same host, shared by every process using the
# same data directory. Hosts not listed get DEFAULT_INTERVAL.
HOST_INTERVALS: dict[str, float] = {
    "esploradati.istat.it": 13.0,  # ISTAT: 5 calls/min/IP, else a 1-2 day ban
    "sdmx.istat.it": 13.0,  # legacy ISTAT SDMX endpoint, same rule
    "overpass-api.de": 30.0,  # "roughly two queries a minute per address"
    "z.overpass-api.de": 30.0,
    "lz4.overpass-api.de": 30.0,
    "overpass.kumi.systems": 30.0,
}
DEFAULT_INTERVAL = 1.0

# (connect, read) seconds. ISTAT data calls have been measured at minutes (SOURCES.md §1.5).
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 300.0)

# Pause before each retry. Long on purpose: a busy or banning server must not be hammered.
RETRY_DELAYS: tuple[float, ...] = (30.0, 120.0)

CACHE_FILE_NAME = "http_cache.sqlite"
LIMITER_DIR_NAME = "limiter"

_TRUE_WORDS = {"1", "true", "si", "sì", "yes"}


# --- settings ----------------------------------------------------------------------------

def is_dry_run() -> bool:
    """The dry-run switch, read from the environment at each call (child processes see it)."""
    return os.environ.get(DRY_RUN_VARIABLE, "").strip().lower() in _TRUE_WORDS


def cache_path() -> Path:
    return config.cache_dir() / CACHE_FILE_NAME


def limiter_dir() -> Path:
    return config.cache_dir() / LIMITER_DIR_NAME


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def interval_for(host: str) -> float:
    return float(HOST_INTERVALS.get(host.lower(), DEFAULT_INTERVAL))


def request_url(url: str, params: Mapping | None = None) -> str:
    """The exact URL a GET would call, parameters included (what the dry run shows)."""
    return requests.Request("GET", url, params=params).prepare().url


# --- limiter -----------------------------------------------------------------------------

class HostLimiter:
    """Minimum interval between calls to one host, enforced across processes.

    Each host has ``<host>.lock`` (a ``filelock``) and ``<host>.last`` (the wall-clock time
    of the last call, as text). The lock is held while waiting and while the request is
    sent, so calls to the same host never overlap, and the time is written again once the
    answer starts arriving: the interval runs from the end of a slow ISTAT answer, not from
    its start. Wall-clock time is used because processes do not share a monotonic clock.
    """

    def __init__(
        self,
        folder: Path,
        intervals: Mapping[str, float] | None = None,
        *,
        default: float | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.folder = Path(folder)
        self.intervals = HOST_INTERVALS if intervals is None else intervals
        self.default = DEFAULT_INTERVAL if default is None else default
        self.clock = clock
        self.sleep = sleep

    def interval(self, host: str) -> float:
        return float(self.intervals.get(host.lower(), self.default))

    @contextmanager
    def turn(self, host: str) -> Iterator[float]:
        """Wait for ``host``'s turn, hold it for the call; yields the seconds waited."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = _safe_file_name(host)
        stamp = self.folder / f"{name}.last"
        with FileLock(str(self.folder / f"{name}.lock")):
            waited = self._wait(stamp, self.interval(host))
            _write_stamp(stamp, self.clock())
            try:
                yield waited
            finally:
                _write_stamp(stamp, self.clock())

    def _wait(self, stamp: Path, interval: float) -> float:
        now = self.clock()
        last = _read_stamp(stamp, default=now)
        # min() guards against a clock set back: never wait more than one interval.
        wait = min(interval, last + interval - now)
        if wait > 0:
            self.sleep(wait)
            return wait
        return 0.0


def _safe_file_name(host: str) -> str:
    return re.sub(r"[^a-z0-9.-]", "_", host.lower()) or "_"


def _read_stamp(stamp: Path, default: float) -> float:
    """Time of the last call; an unreadable stamp (a crash mid-write) counts as 'just now'.

    Counting it as 'now' makes the next call wait a full interval: erring on the polite side.
    """
    try:
        return float(stamp.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        return 0.0
    except (OSError, ValueError):
        return default


def _write_stamp(stamp: Path, when: float) -> None:
    stamp.write_text(f"{when:.6f}", encoding="ascii")


# --- transport ---------------------------------------------------------------------------

class GuardedAdapter(HTTPAdapter):
    """Transport reached only on a cache miss: dry run, offline switch, then the limiter.

    requests-cache answers hits before the transport is asked, so placing the guards
    here is what makes cached answers free of both the offline error and the wait.
    """

    def __init__(self, limiter_factory: Callable[[], HostLimiter], **kwargs):
        super().__init__(**kwargs)
        self.limiter_factory = limiter_factory

    def send(self, request, **kwargs):
        if _dry_run_active():
            raise dry_run_error(request.url)
        if config.is_offline():
            raise offline_error(request.url)
        with self.limiter_factory().turn(host_of(request.url)):
            return super().send(request, **kwargs)


_call_state = threading.local()


def _dry_run_active() -> bool:
    """The ``dry_run`` argument of the current ``fetch`` if given, else the environment."""
    chosen = getattr(_call_state, "dry_run", None)
    return is_dry_run() if chosen is None else chosen


def offline_error(url: str) -> RisorsaOffline:
    return RisorsaOffline(
        f"Modalità offline: {url} non è nella cache locale e non può essere scaricato. "
        "Per ottenerlo togliere --offline (o la variabile DIAGNOSIS_OFFLINE=1) oppure "
        "scaricare il file a mano e importarlo con: diagnosis dati aggiungi FILE"
    )


def dry_run_error(url: str) -> ChiamataSimulata:
    print(f"[prova] GET {url}", file=sys.stderr)
    return ChiamataSimulata(
        f"Modalità prova: la richiesta {url} è stata mostrata e non eseguita. "
        "Per scaricare davvero disattivare la modalità prova (variabile DIAGNOSIS_DRY_RUN).",
        url=url,
    )


# --- session -----------------------------------------------------------------------------

_SESSIONS: dict[tuple[int, str], requests.Session] = {}
_SESSIONS_LOCK = threading.Lock()


def get_session() -> requests.Session:
    """The shared cached session for the current data directory (one per process).

    Keyed by process id as well: an SQLite connection must not cross a ``fork``.
    """
    key = (os.getpid(), str(cache_path()))
    with _SESSIONS_LOCK:
        if key not in _SESSIONS:
            _SESSIONS[key] = build_session()
        return _SESSIONS[key]


def build_session() -> requests.Session:
    """A new session; ``get_session`` is what readers use.

    Only 200 answers are cached: a 404 from MEF or demo.istat.it means "not published
    yet" and must not be remembered for ever. ``Accept`` is part of the cache key because
    ISTAT serves SDMX-ML or SDMX-CSV at the same URL depending on it. POST is cached too,
    for Overpass, whose query travels in the body.
    """
    cache_path().parent.mkdir(parents=True, exist_ok=True)
    session = requests_cache.CachedSession(
        str(cache_path()),
        backend="sqlite",
        expire_after=requests_cache.NEVER_EXPIRE,
        allowable_codes=(200,),
        allowable_methods=("GET", "HEAD", "POST"),
        match_headers=["Accept"],
    )
    session.headers["User-Agent"] = USER_AGENT
    limiter_folder = limiter_dir()
    adapter = GuardedAdapter(lambda: HostLimiter(limiter_folder))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def reset_sessions() -> None:
    """Close and forget every session (tests, or after changing the data directory)."""
    with _SESSIONS_LOCK:
        for session in _SESSIONS.values():
            session.close()
        _SESSIONS.clear()


# --- fetch -------------------------------------------------------------------------------

def fetch(
    url: str,
    *,
    params: Mapping | None = None,
    headers: Mapping | None = None,
    timeout: float | tuple[float, float] | None = None,
    method: str = "GET",
    data: bytes | str | Mapping | None = None,
    use_cache: bool = True,
    stream: bool = False,
    dry_run: bool | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> requests.Response:
    """One HTTP call through the shared session; the response whatever its status.

    A 4xx comes back at once (never retried); a 5xx or a timeout is retried after each
    pause in ``RETRY_DELAYS`` and the last 5xx is returned. Raises ``RisorsaOffline`` when
    offline and not cached, ``ChiamataSimulata`` in dry run when not cached, and
    ``ServizioNonRaggiungibile`` when the host cannot be reached. ``use_cache=False`` is for
    large files that the raw store keeps anyway; they still go through limiter and switches.
    """
    session = get_session()
    attempts = len(RETRY_DELAYS) + 1
    for attempt in range(attempts):
        try:
            # Large files go to the raw store; keeping a second copy in the cache would
            # double the disk used for nothing.
            with nullcontext() if use_cache else session.cache_disabled():
                response = _send_once(
                    session, method, url, params=params, headers=headers, data=data,
                    timeout=timeout or DEFAULT_TIMEOUT, stream=stream, dry_run=dry_run,
                )
        except requests.Timeout as error:
            if attempt == attempts - 1:
                raise unreachable_error(url, error, attempts) from error
            sleep(RETRY_DELAYS[attempt])
            continue
        except requests.RequestException as error:
            # Refused connections, DNS failures, resets: retrying at once would not help.
            raise unreachable_error(url, error, attempt + 1) from error
        if response.status_code < 500 or attempt == attempts - 1:
            return response
        response.close()
        sleep(RETRY_DELAYS[attempt])
    raise AssertionError("unreachable: the loop returns or raises on its last attempt")


def _send_once(session, method, url, *, dry_run, **kwargs) -> requests.Response:
    _call_state.dry_run = dry_run
    try:
        return session.request(method, url, **kwargs)
    finally:
        _call_state.dry_run = None


def fetch_bytes(url: str, **kwargs) -> bytes:
    """The body of a successful (2xx) answer; any other status is an error naming it.

    For readers of plain files (demo.istat.it, MEF, code lists), where a 404 means "not
    published (yet)" rather than data.
    """
    response = fetch(url, **kwargs)
    if not response.ok:
        raise DownloadNonValido(
            f"Il server ha risposto HTTP {response.status_code} per {response.url or url}: "
            "il file non è disponibile a questo indirizzo (non ancora pubblicato, o spostato). "
            "Controllare l'anno richiesto oppure scaricare il file a mano e importarlo con: "
            "diagnosis dati aggiungi FILE"
        )
    return response.content


def unreachable_error(url: str, error: Exception, attempts: int) -> ServizioNonRaggiungibile:
    """Italian message for a host that does not answer.

    A ban by ISTAT shows up as a connection timeout, not a 429 (SOURCES.md §1.5, Ragusa
    doc 2026-07-01), hence the advice to stop for hours rather than insist.
    """
    kind = "tempo scaduto" if isinstance(error, requests.Timeout) else "connessione non riuscita"
    return ServizioNonRaggiungibile(
        f"Nessuna risposta da {host_of(url)} ({kind}, {attempts} tentativi) per {url}. "
        "Il servizio può essere fuori linea o aver bloccato l'indirizzo IP per troppe "
        "richieste: riprovare fra qualche ora, oppure lavorare con --offline sui dati già "
        "scaricati o importare il file a mano con: diagnosis dati aggiungi FILE"
    )


def forget(response: requests.Response) -> None:
    """Drop a 200 answer from the cache when its content proved bad (cut, or an error in the body).

    Overpass reports a timeout with 200 and a ``remark``; ISTAT can cut a body mid-way.
    Left in the cache, such an answer would be served again on every later run.
    """
    request = getattr(response, "request", None)
    if request is not None:
        get_session().cache.delete(requests=[request])
