"""A PDF of the fotografia, printed by headless Chromium with the report's A4 stylesheet.

The page numbers ("pagina N di M") and the running head (territory, client, date) are the
stylesheet's own page-margin boxes (``@page { @top-left {…} }``), which Chromium draws
since version 131; its built-in header and footer (file path, print date) are turned off.
An older Chromium still prints the report, without those margins, and a notice says so.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from diagnosis.errors import ChromiumNonTrovato, StampaPdfFallita
from diagnosis.notices import announce
from diagnosis.report.output_folder import staging_file

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# No background traffic: the report is a local file and must not wait on the network.
HEADLESS_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-pdf-header-footer",
)
MARGIN_BOXES_SINCE = 131  # the first Chromium drawing @page margin boxes


def find_browser() -> str:
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNonTrovato(
        "Per il PDF serve Chromium, che non è installato. Installarlo (Debian/Ubuntu: "
        "sudo apt-get install chromium) oppure stampare fotografia.html dal browser in A4."
    )


@functools.cache
def browser_major_version(browser: str) -> int | None:
    """``156`` for "Chromium 156.0.8078.114"; None when the browser does not say."""
    try:
        answer = subprocess.run([browser, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"(\d+)\.\d+\.\d+", answer)
    return int(found.group(1)) if found else None


def print_pdf(html: Path, pdf: Path | None = None, timeout: float = 180) -> Path:
    """Print ``html`` to ``pdf`` (default: beside it, same name) and return the PDF path."""
    browser = find_browser()
    version = browser_major_version(browser)
    if version is not None and version < MARGIN_BOXES_SINCE:
        announce(f"Chromium {version} non stampa intestazione e numeri di pagina (servono Chromium "
                 f"{MARGIN_BOXES_SINCE} o successivo): il PDF ne è privo. Aggiornare Chromium per averli.")
    pdf = Path(pdf) if pdf else Path(html).with_suffix(".pdf")
    partial = staging_file(pdf)  # a name the tool's own, should the print be cut short
    # Chromium's helper processes may still be writing in its profile for a moment after it
    # exits: a profile left behind in the temporary folder must not fail a PDF already printed.
    with tempfile.TemporaryDirectory(prefix="diagnosis-chromium-", ignore_cleanup_errors=True) as profile:
        try:
            completed = subprocess.run(
                [browser, *HEADLESS_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={partial}",
                 Path(html).resolve().as_uri()],
                capture_output=True, text=True, timeout=timeout,
            )
        except subprocess.TimeoutExpired as error:
            partial.unlink(missing_ok=True)
            raise StampaPdfFallita(
                f"Chromium non ha finito di stampare {html} in {timeout:.0f} secondi. Riprovare con la macchina "
                "meno carica, oppure stampare fotografia.html dal browser in A4."
            ) from error
    if completed.returncode != 0 or not partial.exists() or partial.read_bytes()[:5] != b"%PDF-":
        partial.unlink(missing_ok=True)
        raise StampaPdfFallita(f"Chromium non ha prodotto il PDF di {html}: {completed.stderr[-500:]}")
    partial.replace(pdf)
    return pdf
