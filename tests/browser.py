"""Headless Chromium for the tests: found (or the test skipped), and a page photographed with
what it wrote to the browser's console."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]


def chromium() -> str:
    """The path of Chromium; the test is skipped when it is not installed."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("Chromium non installato (lo installa .ci/run)")
    return found


def screenshot(browser: str, html: Path, png: Path, profile: Path, size: str = "1200,3000") -> list[str]:
    """Photograph ``html`` into ``png``; the console messages and uncaught errors the page raised."""
    shot = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
                           f"--screenshot={png}", Path(html).resolve().as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot.stderr[-2000:]
    return [line for line in shot.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def ink_share(png: Path) -> float:
    """The share of the picture's pixels that differ from its commonest colour: 0 for a blank page."""
    image = pytest.importorskip("PIL.Image").open(png).convert("RGB").reduce(4)  # a pixel in 16 is enough
    counts = [count for count, _colour in image.getcolors(image.width * image.height)]
    return 1 - max(counts) / sum(counts)
