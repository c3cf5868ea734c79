"""The notebooks are assembled from shared sections; tables and notes read as the report writes them."""

import base64
import re

import nbformat
import pandas as pd

from diagnosis.report import assemble
from diagnosis.report.frames import intervallo, nota, tabella


def test_committed_notebooks_equal_their_assembled_sections():
    assert assemble.stale() == [], "eseguire python -m diagnosis.report.assemble"


def test_every_section_is_used_and_every_used_section_exists():
    used = {name for sections in assemble.recipe().values() for name in sections}
    present = {path.stem for path in assemble.SECTIONS_DIR.glob("*.ipynb")}
    assert used == present


def test_themed_notebooks_and_fotografia_share_the_same_cells():
    fotografia = nbformat.read(assemble.NOTEBOOKS_DIR / "fotografia.ipynb", as_version=4)
    demografia = nbformat.read(assemble.NOTEBOOKS_DIR / "demografia.ipynb", as_version=4)
    shared = {cell.source for cell in demografia.cells[2:]}  # after the title and the parameters
    assert shared and shared <= {cell.source for cell in fotografia.cells}


def test_the_parameters_cell_follows_the_title_with_todays_names():
    names = {"fotografia": {"territorio", "anno", "indicatore_mappa"}, "demografia": {"territorio", "anno"},
             "commercio": {"territorio", "anno", "indicatore_mappa"}, "ascolto": {"territorio", "anno", "questionario"}}
    for name, expected in names.items():
        notebook = nbformat.read(assemble.NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
        title, parameters = notebook.cells[:2]
        assert title.cell_type == "markdown" and title.source.startswith("# ")
        assert "parameters" in parameters.metadata.get("tags", [])
        namespace: dict = {}
        exec(parameters.source, namespace)
        assert expected <= set(namespace), name


def test_every_section_explains_itself_in_markdown_before_its_code():
    for path in assemble.SECTIONS_DIR.glob("*.ipynb"):
        cells = nbformat.read(path, as_version=4).cells
        if path.stem.startswith("testa_") or path.stem.endswith("avvio") or path.stem == "copertina":
            continue
        # A section shown only when it has data (or to the analyst) writes its heading and its
        # explanation from its first cell, under that condition.
        conditional = cells[0].cell_type == "code" and "display(Markdown(" in cells[0].source
        assert conditional or cells[0].cell_type == "markdown" and len(cells[0].source) > 60, path.stem
        if conditional:
            assert "analista" in cells[0].source and len(cells[0].source) > 200, path.stem
        assert "display(HTML(sections" not in "".join(c.source for c in cells if c.cell_type == "code") or \
            path.stem == "cifre_chiave", path.stem  # only the generated sentences come as HTML


def test_assembling_a_changed_section_changes_the_notebook(tmp_path):
    for path in assemble.SECTIONS_DIR.glob("*.ipynb"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    changed = nbformat.read(tmp_path / "eta.ipynb", as_version=4)
    changed.cells[0].source += "\n\nUna riga in più."
    nbformat.write(changed, tmp_path / "eta.ipynb")
    notebook = assemble.assembled(["testa_demografia", "avvio", "eta"], tmp_path)
    assert notebook.cells[-3].source.endswith("Una riga in più.")
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def test_a_table_reads_in_italian_and_escapes_what_it_shows():
    frame = pd.DataFrame({"Comune": ["<b>Sassuolo</b>"], "anno": [2023], "Residenti": [40830.0],
                          "Quota (%)": [12.345], "Dentro": [True], "Vuoto": [float("nan")]})
    page = tabella(frame, titolo="A & B", decimali={"Quota (%)": 2}, csv="comuni.csv")._repr_html_()
    assert "&lt;b&gt;Sassuolo&lt;/b&gt;" in page and "<b>Sassuolo" not in page
    assert ">2023<" in page and ">40.830<" in page and ">12,35<" in page and ">sì<" in page and ">n.d.<" in page
    assert "A &amp; B" in page and 'download="comuni.csv"' in page


def test_a_table_shows_words_yes_no_and_hidden_counts_in_their_columns():
    frame = pd.DataFrame({"Voce": pd.Series(["Prezzi", None], dtype="string"), "Aperto": [True, None],
                          "Risposte": [12, "meno di 5 risposte"]})
    frame.attrs["territorio"] = {"comuni": ["036040"] * 1000}  # as the package's tables carry it
    page = tabella(frame)._repr_html_()
    assert "<td>Prezzi</td>" in page and page.count(">n.d.<") == 2 and ">sì<" in page
    assert '<td class="num">12</td>' in page and '<td class="nota">meno di 5 risposte</td>' in page


def test_a_table_guesses_whole_numbers_and_offers_its_data_as_italian_csv():
    frame = pd.DataFrame({"Negozi": pd.array([3, pd.NA], dtype="Int64"), "Quota": [1.25, 2.0],
                          "Misto": pd.Series([0.5, 1.5], dtype=object)})
    page = tabella(frame)._repr_html_()
    assert '<td class="num">3</td><td class="num">1,3</td><td class="num">0,5</td>' in page
    assert '<td class="num">n.d.</td><td class="num">2,0</td><td class="num">1,5</td>' in page
    assert _csv_lines(tabella(frame[["Quota", "Misto"]].assign(Voce=["a", "=b"]), csv="dati.csv")) == [
        "Quota;Misto;Voce", "1,25;0,5;a", "2,0;1,5;'=b"]  # Python floats as numbers; no formula
    assert _csv_lines(tabella(frame[["Quota"]], csv="dati.csv")) == ["Quota", "1,25", "2,0"]


def _csv_lines(table) -> list[str]:
    encoded = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', table._repr_html_()).group(1)
    return base64.b64decode(encoded).decode("utf-8-sig").splitlines()


def test_a_table_formats_each_row_by_its_unit():
    frame = pd.DataFrame({"Indicatore": ["Popolazione", "Quota 65+"], "Valore": [154254.0, 22.4],
                          "unita": ["abitanti", "%"]})
    page = tabella(frame, unita="unita")._repr_html_()
    assert ">154.254<" in page and ">22,4 %<" in page and "unita" not in page


def test_intervals_and_notes_read_as_in_the_report():
    assert intervallo(3.9, 4.9, "%") == "3,9–4,9 %"
    assert intervallo(float("nan"), 4.9, "%") == ""
    assert nota("a < b")._repr_html_() == '<p class="nota">a &lt; b</p>'


def test_a_notebook_table_is_escaped_once_and_numbers_right_aligned():
    from diagnosis.report.frames import tabella

    frame = pd.DataFrame({"Voce": ["<b>Negozi</b> & bar"], "Valore": [1234.5], "anno": [2023]})
    page = tabella(frame, titolo="Commercio & servizi", decimali={"Valore": 1})._repr_html_()
    assert "<caption>Commercio &amp; servizi</caption>" in page
    assert "<td>&lt;b&gt;Negozi&lt;/b&gt; &amp; bar</td>" in page
    assert '<td class="num">1.234,5</td><td>2023</td>' in page
    assert page == tabella(frame, titolo="Commercio & servizi", decimali={"Valore": 1})._repr_html_()  # no random ids
