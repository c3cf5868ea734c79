"""The fotografia: notebook run by papermill, HTML by nbconvert, safe and self-contained."""

import base64
import re
import subprocess
from datetime import date
from html.parser import HTMLParser

import nbformat
import pytest
from nbconvert import HTMLExporter

from diagnosis.report import export
from diagnosis.report.export import NO_DESCRIPTION, export_html
from diagnosis.report.folder_names import folder_name
from diagnosis.report.fotografia import EsecuzioneNotebookFallita, build_fotografia
from diagnosis.territory import resolve_territory

from browser import CHROMIUM_FLAGS, chromium, screenshot
from html_checks import external_references
from pdf_checks import nearly_empty_pages, numbering_faults, page_texts
from print_layout import print_layout

pytestmark = pytest.mark.slow

HOSTILE_NAME = 'Distretto <script>alert("x")</script> & Co'
SECTIONS = ("sintesi", "territorio", "eta", "indicatori", "proiezioni", "commercio", "redditi", "lacune", "metodo", "fonti",
            "parametri")


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    """A two-province district whose name tries to inject a script."""
    folder = tmp_path_factory.mktemp("distretti")
    (folder / "ostile.yaml").write_text(
        f"id: distretto-ostile\nnome: '{HOSTILE_NAME}'\ncomuni:\n  - Sassuolo\n  - Scandiano\n", encoding="utf-8"
    )
    output = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(folder))
        files = build_fotografia(resolve_territory("distretto-ostile"), year=2023, output_dir=output)
    return files


def test_report_and_executed_notebook_are_written(hostile_report):
    assert hostile_report.html.name == "fotografia.html"
    assert hostile_report.html.parent.name == folder_name(HOSTILE_NAME, "distretto-ostile")
    assert hostile_report.html.parent.name == "Distretto-script-alert-x-script-Co-distretto-ostile"
    executed = nbformat.read(hostile_report.notebook, as_version=4)
    assert all(cell.get("outputs") is not None for cell in executed.cells if cell.cell_type == "code")


def test_report_holds_every_section(hostile_report):
    page = hostile_report.html.read_text(encoding="utf-8")
    for anchor in SECTIONS:
        assert f'id="{anchor}"' in page, anchor
    assert "Piramide delle età" in page
    # The client's edition: what is missing in words, in the appendix, never the command that gets it.
    assert "Indicatori non disponibili e che cosa manca" in page and "diagnosis dati" not in page
    assert "rispetto a Regione Emilia-Romagna, 2023" in page  # the indicators against the region, as bars
    assert "Sassuolo" in page and "Scandiano" in page
    assert "stima" in page  # the 2023 estimate is labelled as such
    assert 'lang="it"' in page


def test_the_commerce_section_counts_the_economy_from_the_newest_register(hostile_report):
    """The embedded Frame territoriale 2023 is newer than the embedded ASIA 2018 total, which has
    no commercial groups: the section shows the Frame by sector, not the older total."""
    page = hostile_report.html.read_text(encoding="utf-8")
    commerce = page[page.index('id="commercio"'):page.index('id="flussi"')]
    assert "Unità locali e addetti per settore (ISTAT, Frame territoriale), 2023" in commerce
    assert "(ISTAT ASIA), 2018" not in commerce
    # Sassuolo and Scandiano in the Frame's tables 39-41: 6,757 local units, 1,707 in industry, 5,050 in services.
    for figure in ("6.757", "25.893", "1.707", "5.050"):
        assert figure in commerce, figure


def test_hostile_name_is_escaped(hostile_report):
    page = hostile_report.html.read_text(encoding="utf-8")
    assert '<script>alert("x")' not in page
    # Escaped, whichever entity writes the quotes (html.escape writes &quot;, Jinja &#34;).
    assert re.search(r"&lt;script&gt;alert\((&quot;|&#34;)x(&quot;|&#34;)\)&lt;/script&gt; &amp; Co", page)


def test_report_has_no_code_and_no_external_resources(hostile_report):
    page = hostile_report.html.read_text(encoding="utf-8")
    assert "FotografiaContext" not in page and "import " not in page
    assert external_references(page) == []
    assert len(page.encode("utf-8")) < 5 * 1024 * 1024
    images = _image_attributes(page)
    assert len(images) >= 2
    for attributes in images:
        assert attributes["src"].startswith(("data:image/png;base64,", "data:image/svg+xml;base64,"))
        assert len(attributes.get("alt", "")) > 40  # a sentence, not a placeholder


def _image_attributes(page: str) -> list[dict]:
    class Images(HTMLParser):
        found: list[dict] = []

        def handle_starttag(self, tag, attrs):
            if tag == "img":
                self.found.append(dict(attrs))

    parser = Images()
    parser.found = []
    parser.feed(page)
    return parser.found


def test_failed_notebook_leaves_previous_report_in_place(tmp_path):
    territory = resolve_territory("Pioltello")
    target = tmp_path / folder_name(territory.nome, territory.id)
    target.mkdir()
    (target / "fotografia.html").write_text("versione precedente", encoding="utf-8")
    broken = tmp_path / "rotto.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("territorio = None\nanno = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise RuntimeError('guasto voluto')"),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, broken)
    with pytest.raises(EsecuzioneNotebookFallita, match="guasto voluto"):
        build_fotografia(territory, year=2022, output_dir=tmp_path, notebook=broken)
    assert (target / "fotografia.html").read_text(encoding="utf-8") == "versione precedente"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_report_renders_in_a_browser_without_console_errors(hostile_report, tmp_path):
    browser = chromium()
    png, pdf = tmp_path / "pagina.png", tmp_path / "pagina.pdf"
    assert screenshot(browser, hostile_report.html, png, tmp_path / "profilo") == []
    assert png.stat().st_size > 20_000
    url = hostile_report.html.as_uri()
    common = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profilo'}"]
    printed = subprocess.run([*common, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url],
                             capture_output=True, text=True, timeout=120)
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-", printed.stderr[-2000:]


def test_manifest_freezes_values_sources_and_data(hostile_report):
    import json

    manifest = json.loads(hostile_report.manifest.read_text(encoding="utf-8"))
    assert manifest["territorio"]["id"] == "distretto-ostile"
    assert manifest["parametri"] == {"territorio": "distretto-ostile", "anno": 2023, "edizione": "cliente"}
    population = manifest["indicatori"]["popolazione"]
    # 1/1/2023: the final totals of the snapshot (SDMX 22_289); the age structure is the embedded estimate
    assert population["stato"] == "definitivo" and population["valore"] > 60_000
    used = {(entry["origine"], entry["misura"], entry.get("anno")) for entry in manifest["dati"]}
    assert {("snapshot", "popolazione", 2023), ("snapshot", "popolazione", 2022),
            ("incorporato", "popolazione_eta", 2023), ("incorporato", "confini", None)} <= used
    assert all(re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]) for entry in manifest["dati"])
    # the projection starts from the fotografia's date, and is checked against what was published since
    assert manifest["proiezioni"]["anno_base"] == 2023 and manifest["proiezioni"]["verifica"]


def test_pdf_is_printed_beside_the_report(hostile_report, tmp_path):
    chromium()
    from diagnosis.report.pdf import print_pdf

    pdf = print_pdf(hostile_report.html, tmp_path / "fotografia.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
    assert [p.name for p in tmp_path.iterdir()] == ["fotografia.pdf"]


def test_printed_pages_are_numbered_and_headed_with_the_territory_and_date(hostile_report, tmp_path):
    chromium()
    from diagnosis.formatting import MONTHS
    from diagnosis.report.pdf import print_pdf

    texts = page_texts(print_pdf(hostile_report.html, tmp_path / "fotografia.pdf"))
    assert len(texts) >= 5 and numbering_faults(texts) == []
    # the head, on every page but the cover: the name exactly as written (quotes, brackets, ampersand)
    head = f"Fotografia di partenza · {HOSTILE_NAME}"
    day = date.fromtimestamp(hostile_report.html.stat().st_mtime)
    assert head not in texts[0] and all(head in text for text in texts[1:])
    assert all(f"{day.day} {MONTHS[day.month - 1]} {day.year}" in text for text in texts[1:])
    assert nearly_empty_pages(tmp_path / "fotografia.pdf", head) == []


def test_nothing_is_wider_than_the_paper_or_cut_when_printed(hostile_report):
    """A district of two provinces: the widest table, ten columns down to the judgement."""
    layout = print_layout(chromium(), hostile_report.html)
    assert layout["width"] == 688  # A4 less the 14 mm side margins, at 96 px to the inch
    assert layout["wide"] == [] and layout["clipped"] == []
    page = hostile_report.html.read_text(encoding="utf-8")
    assert page.count(">Giudizio</th>") >= 2  # the column that used to be cut is there to be measured


def test_pdf_without_browser_says_how_to_install(monkeypatch, tmp_path):
    from diagnosis.report import pdf as pdf_module

    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    with pytest.raises(pdf_module.ChromiumNonTrovato, match="apt-get install chromium"):
        pdf_module.print_pdf(tmp_path / "fotografia.html")


def test_tables_carry_their_data_as_csv(hostile_report):
    page = hostile_report.html.read_text(encoding="utf-8")
    links = re.findall(r'download="([^"]+)" href="data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    assert {name for name, _ in links} >= {"comuni.csv", "indicatori.csv", "proiezioni.csv"}
    indicators = dict(links)["indicatori.csv"]
    text = base64.b64decode(indicators).decode("utf-8")
    assert text.startswith("\ufeffIndicatore;") and "Indice di vecchiaia" in text


def test_the_exported_page_reaches_outputs_by_keyboard_and_names_an_undescribed_image():
    """The page is not parsed again after the template: the template's text gets the tabindex
    and the alt text nbconvert's own last pass would add, the alt text in Italian."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("## Sezione"),
        nbformat.v4.new_code_cell("grafico()", outputs=[nbformat.v4.new_output(
            "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})]),
    ]
    page = export_html(notebook, "Prova")
    images = _image_attributes(page)
    assert [image["alt"] for image in images] == [NO_DESCRIPTION]
    wrappers = re.findall(r'<div class="[^"]*(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*"[^>]*>', page)
    assert len(wrappers) == 2 and all(w.endswith(' tabindex="0">') for w in wrappers)


def _markdown_page(*sources: str) -> str:
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(source, id=f"cella-{number}") for number, source in enumerate(sources)
    ])
    return export_html(notebook, "Prova")


def test_each_page_shows_its_own_markdown_however_often_a_text_returns():
    first = _markdown_page("## Uno\n\nTesto *comune*.")
    other = _markdown_page("## Due\n\nTesto *comune*.")
    assert "Due</h2>" in other and "Uno</h2>" not in other
    assert "Testo <em>comune</em>." in other
    assert _markdown_page("## Uno\n\nTesto *comune*.") == first


@pytest.mark.parametrize("source", ["Logo: ![il logo](logo.png)", '<img src="logo.png" alt="il logo">'])
def test_an_image_in_markdown_is_read_again_for_each_page(tmp_path, monkeypatch, source):
    monkeypatch.chdir(tmp_path)  # a page's images are found from the working folder
    embedded = []
    for content in (b"primo", b"secondo"):
        (tmp_path / "logo.png").write_bytes(content)
        embedded.append(base64.b64encode(content).decode("ascii") in _markdown_page(source))
    assert embedded == [True, True]


def _executed_notebook():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Sezione\n\nTesto.", id="testo"),
        nbformat.v4.new_code_cell("tabella()", id="tabella", execution_count=1, outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "1"})]),
        nbformat.v4.new_code_cell("print('solo per l analista')", id="nota", execution_count=2,
                                  metadata={"tags": ["remove-cell"]},
                                  outputs=[nbformat.v4.new_output("stream", name="stdout", text="nota\n")]),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def test_a_valid_notebook_exports_as_through_nbconvert_whole_preparation(monkeypatch):
    """A valid notebook skips nbconvert's second copy and repair: the page is the same."""
    quick = export_html(_executed_notebook(), "Prova")
    exporter = type(export._exporter())
    monkeypatch.setattr(exporter, "_preprocess", lambda self, nb, resources: HTMLExporter._preprocess(self, nb, resources))
    assert export_html(_executed_notebook(), "Prova") == quick
    assert "solo per l" not in quick and "<td>1</td>" in quick


def test_an_invalid_notebook_takes_nbconvert_whole_preparation(monkeypatch):
    prepared = []
    monkeypatch.setattr(HTMLExporter, "_preprocess", lambda self, nb, resources: prepared.append(nb) or (nb, resources))
    notebook = _executed_notebook()
    notebook.cells[1].outputs[0]["output_type"] = "sconosciuto"  # not an output the format knows
    export_html(notebook, "Prova")
    assert len(prepared) == 1
    export_html(_executed_notebook(), "Prova")
    assert len(prepared) == 1  # a valid one does not
