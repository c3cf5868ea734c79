"""The report page's text cells: turned into HTML once per process, an image always read anew."""

import base64

import nbformat

from diagnosis.report.export import export_html

# The smallest PNG files, one black pixel and one white pixel.
BLACK = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==")
WHITE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAG7buVgAAAABJRU5ErkJggg==")


def _page(*texts: str) -> str:
    cells = [nbformat.v4.new_markdown_cell(text, id=f"testo-{number}") for number, text in enumerate(texts)]
    notebook = nbformat.v4.new_notebook(cells=cells)
    return export_html(notebook, "Prova")


def test_a_text_cell_gives_the_same_html_every_time():
    first = _page("## Popolazione\n\nIl comune ha *molti* residenti.")
    again = _page("## Popolazione\n\nIl comune ha *molti* residenti.")
    other = _page("## Popolazione\n\nIl comune ha *pochi* residenti.")
    assert "<em>molti</em>" in first
    assert first == again
    assert "<em>pochi</em>" in other and "<em>molti</em>" not in other


def test_a_text_showing_an_image_reads_the_file_each_time(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the page's images are read from the folder it is made in
    (tmp_path / "logo.png").write_bytes(BLACK)
    before = _page("![logo](logo.png)")
    (tmp_path / "logo.png").write_bytes(WHITE)
    after = _page("![logo](logo.png)")
    assert base64.b64encode(BLACK).decode() in before
    assert base64.b64encode(WHITE).decode() in after
