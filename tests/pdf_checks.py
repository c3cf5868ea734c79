"""What a printed fotografia must be: numbered pages, a running head, no page left almost empty."""

from __future__ import annotations

from pathlib import Path

import pytest

# Fewer characters than about three lines of body text, and no chart or map: a page a reader
# would take for a printing fault. The running head and the page number do not count.
NEARLY_EMPTY_CHARACTERS = 250


def pdf_pages(path: Path) -> list:
    pypdf = pytest.importorskip("pypdf", reason="pypdf è fra le dipendenze dei test (pip install -e '.[test]')")
    return list(pypdf.PdfReader(str(path)).pages)


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in pdf_pages(path)]


def numbering_faults(texts: list[str]) -> list[int]:
    """The pages (from 1) not saying «pagina N di M» with their own number and the right total."""
    total = len(texts)
    return [number for number, text in enumerate(texts, 1) if f"pagina {number} di {total}" not in text]


def nearly_empty_pages(path: Path, head: str) -> list[int]:
    """Pages but the first (the cover) and the last with almost no text and no image."""
    pages = pdf_pages(path)
    found = []
    for number, page in enumerate(pages[1:-1], 2):
        body = page.extract_text().replace(head, "").replace(f"pagina {number} di {len(pages)}", "")
        if len("".join(body.split())) < NEARLY_EMPTY_CHARACTERS and not list(page.images):
            found.append(number)
    return found
