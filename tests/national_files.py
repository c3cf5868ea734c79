"""Whole national files in the publishers' formats, for the tests that import files.

``dati aggiungi`` stores a national file (POSAS, STRASA, P2, P3, MEF) only when it lists about
every comune of its date (``diagnosis/store/completeness.py``): a hand-written fixture of a few
comuni is refused as partial. These helpers keep a test's hand-written rows and add one row
(one block for POSAS) for every other comune of the file's date, in the same dialect as the
rows around it (BOM, CRLF, ``;``, quoted title, quoted note), so that the file is whole and
the figures the test wrote are where it wrote them. The comuni of a date are those of the
snapshot's population of that 1 January (a 2025 file has the Sardinian codes before the
re-coding of 2026), else today's.
"""

from __future__ import annotations

import csv
import io
import re

CRLF = "\r\n"


def every_comune(year: int | None = None) -> list[tuple[str, str]]:
    """(code, name) of every comune on 1 January ``year`` (today's when the snapshot lacks the year)."""
    from diagnosis import snapshot
    from diagnosis.territory import registry

    names = registry.names()
    if year is not None:
        population = snapshot.table("popolazione")
        codes = sorted(set(population.loc[population["anno"] == year, "codice"].astype(str)))
        if codes:
            return [(code, names.get(code, f"Comune {code}")) for code in codes]
    return list(registry.comuni()[["codice", "nome"]].itertuples(index=False, name=None))


def _others(codes_present: set[str], year: int | None) -> list[tuple[str, str]]:
    return [(code, name) for code, name in every_comune(year) if code not in codes_present]


def _title_year(lines: list[str]) -> int | None:
    found = re.findall(r"\b(20\d\d)\b", lines[0])
    return int(found[-1]) if found else None


def _demo_codes(lines: list[str]) -> set[str]:
    return {match[1] for line in lines if (match := re.match(r'^"(\d{6})";', line))}


def balance_for_every_comune(lines: list[str], value: int = 100) -> list[str]:
    """P2/P3 lines (title, header, rows, note…) with a row for every other comune before the note.

    Every figure of the added rows is ``value``; their ``Informazioni`` cell is empty (final).
    """
    header = next(csv.reader([lines[1]], delimiter=";"))
    numbers = len(header) - 2 - (1 if header[-1].strip().casefold() == "informazioni" else 0)
    tail = ';""' if numbers + 2 < len(header) else ""
    added = [f'"{code}";"{name}";' + ";".join([str(value)] * numbers) + tail
             for code, name in _others(_demo_codes(lines), _title_year(lines))]
    return _before_the_note(lines, added)


def posas_for_every_comune(lines: list[str], males: int = 1, females: int = 1) -> list[str]:
    """POSAS lines in the 6-column layout with ages 0-100 and the 999 total for every other comune."""
    added = []
    for code, name in _others(_demo_codes(lines), _title_year(lines)):
        added += [f'"{code}";"{name}";{age};{males};{females};{males + females}' for age in range(101)]
        added.append(f'"{code}";"{name}";999;{males * 101};{females * 101};{(males + females) * 101}')
    return _before_the_note(lines, added)


def _before_the_note(lines: list[str], added: list[str]) -> list[str]:
    """Rows go after the last data row: before the closing note and the final empty line."""
    end = len(lines)
    while end > 2 and not re.match(r'^"\d{6}";', lines[end - 1]):
        end -= 1
    return lines[:end] + added + lines[end:]


def demo_bytes(lines: list[str], newline: str = CRLF) -> bytes:
    return ("\ufeff" + newline.join(lines)).encode("utf-8")


def mef_for_every_comune(data: bytes) -> bytes:
    """A MEF CSV (as bytes) with a row for every other comune, copied from its first comune row.

    The comuni are those of 1 January after the tax year, as the MEF lists them. The added rows
    go before the junk row of taxpayers without a comune (code 0), which the MEF puts last; the
    encoding and line ends of the file are kept.
    """
    text = data.decode("utf-8")
    lines = text.split(CRLF)
    header = next(csv.reader([lines[0]], delimiter=";"))
    code_at = next(i for i, label in enumerate(header) if label.strip().startswith("Codice Istat"))
    name_at = next(i for i, label in enumerate(header) if label.strip().startswith("Denominazione"))
    rows = [next(csv.reader([line], delimiter=";")) for line in lines[1:] if line]
    present = {row[code_at].strip().zfill(6) for row in rows}
    template = next(row for row in rows if row[code_at].strip().strip("0"))
    tax_year = int(template[0]) if template[0].strip().isdigit() else None
    added = []
    for code, name in _others(present, tax_year + 1 if tax_year else None):
        row = list(template)
        row[code_at], row[name_at] = code, name.upper()
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="").writerow(row)
        added.append(buffer.getvalue())
    junk = next((i for i, row in enumerate(rows, start=1) if not row[code_at].strip().strip("0")), len(rows) + 1)
    return CRLF.join(lines[:junk] + added + lines[junk:]).encode("utf-8")
