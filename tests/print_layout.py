"""What a report looks like on A4 paper, measured in headless Chromium with print media emulated.

Chromium is driven through its DevTools protocol on a pipe (``--remote-debugging-pipe``:
JSON messages separated by NUL bytes on file descriptors 3 and 4), so no extra package and
no network port is needed. The viewport is the printable width of the report's ``@page``
(A4 less 14 mm each side), and the page's print stylesheet applies.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

PRINTABLE_WIDTH_PX = round((210 - 2 * 14) / 25.4 * 96)  # A4 less the report's side margins, at 96 px/in

# Every visible element reaching past the printable width, and every box whose content is
# cut or scrolled (overflow other than visible) — what would be clipped on paper.
MEASURE_SCRIPT = """
(() => {
  const limit = document.documentElement.clientWidth + 1;
  const describe = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' «' + (el.textContent || '').trim().slice(0, 40) + '»';
  const wide = [], clipped = [];
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const rect = el.getBoundingClientRect();
    if (rect.width > 0 && rect.right > limit) wide.push(describe(el) + ' ' + Math.round(rect.right) + 'px');
    if (style.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1) clipped.push(describe(el));
  }
  return JSON.stringify({width: document.documentElement.clientWidth, wide: wide, clipped: clipped});
})()
"""


class _Pipe:
    """One DevTools session over Chromium's pipe: send a command, wait for its answer."""

    def __init__(self, to_browser, from_browser):
        self._to, self._from, self._next_id, self._buffer = to_browser, from_browser, 0, b""

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def wait_for(self, event: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._read().get("method") == event:
                return
        raise TimeoutError(event)

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)


def _as_fds_3_and_4(commands: int, answers: int) -> None:
    """In the child: the pipe ends moved to 3 and 4 (through copies, in case they already are 3 or 4)."""
    commands, answers = os.dup(commands), os.dup(answers)
    os.dup2(commands, 3)
    os.dup2(answers, 4)


def print_layout(browser: str, html: Path) -> dict:
    """``{"width": px, "wide": [...], "clipped": [...]}`` for ``html`` laid out as it prints."""
    return json.loads(evaluate_in_print(browser, html, MEASURE_SCRIPT))


def evaluate_in_print(browser: str, html: Path, expression: str):
    """The value of a JavaScript ``expression`` in ``html`` laid out on the printable width, print media."""
    to_browser_read, to_browser_write = os.pipe()
    from_browser_read, from_browser_write = os.pipe()
    # Chromium's helper processes may still be writing in its profile for a moment after it exits.
    with tempfile.TemporaryDirectory(prefix="diagnosis-misura-", ignore_cleanup_errors=True) as profile:
        # Chromium reads commands on fd 3 and writes answers on fd 4.
        process = subprocess.Popen(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--remote-debugging-pipe", f"--user-data-dir={profile}",
             "about:blank"],
            pass_fds=(3, 4), preexec_fn=lambda: _as_fds_3_and_4(to_browser_read, from_browser_write),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        pipe = _Pipe(to_browser_write, from_browser_read)
        try:
            target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            pipe.call("Emulation.setDeviceMetricsOverride", {
                "width": PRINTABLE_WIDTH_PX, "height": 1100, "deviceScaleFactor": 1, "mobile": False}, session)
            pipe.call("Emulation.setScrollbarsHidden", {"hidden": True}, session)  # paper has none
            pipe.call("Emulation.setEmulatedMedia", {"media": "print"}, session)
            pipe.call("Page.enable", {}, session)
            pipe.call("Page.navigate", {"url": Path(html).resolve().as_uri()}, session)
            pipe.wait_for("Page.loadEventFired")
            result = pipe.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
            return result["result"]["value"]
        finally:
            os.close(to_browser_write)  # Chromium ends when its DevTools pipe closes, helpers and all
            os.close(from_browser_read)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
