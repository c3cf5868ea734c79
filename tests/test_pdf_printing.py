"""Printing through the browser, with a stand-in browser: the PDF lands whole, an old Chromium is named."""

import logging
import os
import stat

import pytest

from diagnosis.errors import StampaPdfFallita
from diagnosis.report import pdf as pdf_module
from diagnosis.report.output_folder import is_report_folder

# A browser that answers --version like Chromium and "prints" by writing a tiny PDF, or fails.
FAKE_BROWSER = """#!/bin/sh
for argument in "$@"; do
  case "$argument" in
    --version) echo "Chromium {version}.0.6478.126 built on Debian"; exit 0 ;;
    --print-to-pdf=*) target="${{argument#--print-to-pdf=}}" ;;
  esac
done
{action}
"""


def _browser(tmp_path, monkeypatch, version: int, action: str) -> None:
    path = tmp_path / "bin" / "chromium"
    path.parent.mkdir()
    path.write_text(FAKE_BROWSER.format(version=version, action=action), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{path.parent}{os.pathsep}{os.environ['PATH']}")
    pdf_module.browser_major_version.cache_clear()


def _report(tmp_path):
    folder = tmp_path / "Morterone-097055"
    folder.mkdir()
    (folder / "fotografia.html").write_text("<html></html>", encoding="utf-8")
    return folder / "fotografia.html"


def test_the_pdf_lands_beside_the_report_and_an_old_chromium_is_named(tmp_path, monkeypatch, caplog):
    _browser(tmp_path, monkeypatch, 120, 'printf "%%PDF-1.4 prova" > "$target"')
    html = _report(tmp_path)
    with caplog.at_level(logging.INFO, logger="diagnosis"):
        printed = pdf_module.print_pdf(html)
    assert printed == html.with_suffix(".pdf") and printed.read_bytes() == b"%PDF-1.4 prova"
    assert "Chromium 120 non stampa intestazione e numeri di pagina" in caplog.text
    assert sorted(p.name for p in html.parent.iterdir()) == ["fotografia.html", "fotografia.pdf"]


def test_a_recent_chromium_prints_without_a_notice(tmp_path, monkeypatch, caplog):
    _browser(tmp_path, monkeypatch, 156, 'printf "%%PDF-1.7" > "$target"')
    with caplog.at_level(logging.INFO, logger="diagnosis"):
        pdf_module.print_pdf(_report(tmp_path))
    assert pdf_module.browser_major_version(pdf_module.find_browser()) == 156 and "Chromium" not in caplog.text


@pytest.mark.parametrize("action", ['echo "crash" >&2; exit 1', 'printf "<html>" > "$target"'])
def test_a_failed_print_leaves_the_report_folder_as_it_was(tmp_path, monkeypatch, action):
    _browser(tmp_path, monkeypatch, 156, action)
    html = _report(tmp_path)
    with pytest.raises(StampaPdfFallita, match="non ha prodotto il PDF"):
        pdf_module.print_pdf(html)
    assert [p.name for p in html.parent.iterdir()] == ["fotografia.html"] and is_report_folder(html.parent)


def test_a_print_cut_short_leaves_a_folder_still_the_tools(tmp_path):
    html = _report(tmp_path)
    (html.parent / f"{pdf_module.staging_file(html.with_suffix('.pdf')).name}").write_bytes(b"%PDF-1.7 a me")
    assert is_report_folder(html.parent)
    (html.parent / "appunti.txt").write_text("del consulente", encoding="utf-8")
    assert not is_report_folder(html.parent)
