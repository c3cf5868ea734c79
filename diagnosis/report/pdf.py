"""A PDF of the fotografia, printed by headless Chromium with the report's A4 stylesheet."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from diagnosis.errors import ChromiumNonTrovato, StampaPdfFallita

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# No background traffic: the report is a local file and must not wait on the network.
HEADLESS_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-pdf-header-footer",
)


def find_browser() -> str:
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNonTrovato(
        "Per il PDF serve Chromium, che non è installato. Installarlo (Debian/Ubuntu: "
        "sudo apt-get install chromium) oppure stampare fotografia.html dal browser in A4."
    )


def print_pdf(html: Path, pdf: Path | None = None, timeout: float = 180) -> Path:
    """Print ``html`` to ``pdf`` (default: beside it, same name) and return the PDF path."""
    browser = find_browser()
    pdf = Path(pdf) if pdf else Path(html).with_suffix(".pdf")
    partial = pdf.with_name(f".{pdf.name}.parziale")
    with tempfile.TemporaryDirectory(prefix="diagnosis-chromium-") as profile:
        completed = subprocess.run(
            [browser, *HEADLESS_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={partial}",
             Path(html).resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout,
        )
    if completed.returncode != 0 or not partial.exists() or partial.read_bytes()[:5] != b"%PDF-":
        partial.unlink(missing_ok=True)
        raise StampaPdfFallita(f"Chromium non ha prodotto il PDF di {html}: {completed.stderr[-500:]}")
    partial.replace(pdf)
    return pdf
