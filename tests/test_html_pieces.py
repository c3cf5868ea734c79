"""Every HTML piece built from data goes through one escaping rule: hostile text stays text."""

import html
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import pandas as pd

from diagnosis.batch.results import index_page
from diagnosis.report.compare import comparison_table, composition
from diagnosis.report.compare_output import comparison_page
from diagnosis.report.export import page_contents
from diagnosis.report.figure import Chart, chart_from_figure

HOSTILE = '<script>alert("x")</script> & "citazione" \'apice\''


class _Page(HTMLParser):
    """The tags of a page and the values of their attributes, as a browser reads them."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]

    def handle_data(self, data):
        self.text.append(data)


def _assert_shown_as_text(page: str, expected_scripts: int = 0) -> _Page:
    read = _Page(page)
    assert read.tags.count("script") == expected_scripts
    assert HOSTILE in "".join(read.text) or any(value == HOSTILE for _tag, _name, value in read.attributes)
    return read


def test_a_chart_escapes_its_title_alt_text_and_source():
    chart = Chart(title=HOSTILE, alt=HOSTILE, source=HOSTILE, image=b"\x89PNG...", mime="image/png")
    read = _assert_shown_as_text(chart.to_html())
    assert read.tags == ["figure", "figcaption", "img", "p"]
    assert ("img", "alt", HOSTILE) in read.attributes  # the whole sentence, quotes and all, for a screen reader
    assert "".join(read.text) == f"{HOSTILE}Fonte: {HOSTILE}"


def test_a_drawn_chart_keeps_its_image_whole_in_the_page():
    figure, axes = plt.subplots(figsize=(3, 2))
    axes.bar(["a", "b"], [1, 2])
    chart = chart_from_figure(figure, title="Prova & co", alt="Due barre", source="ISTAT")
    source = dict((name, value) for tag, name, value in _Page(chart.to_html()).attributes if tag == "img")["src"]
    assert source.startswith("data:image/svg+xml;base64,")
    assert chart._repr_html_() == chart.to_html()


def _manifest(name: str, year: int, population: int, status: str) -> dict:
    return {"schema": 1, "anno": year, "generata_il": f"{year}-03-01T10:00:00+00:00",
            "territorio": {"id": "prova", "nome": name, "livello": "distretto", "comuni": ["036040"]},
            "indicatori": {"popolazione": {"valore": population, "unita": "abitanti", "fonte": "ISTAT",
                                           "stato": status, "confronti": {}}}}


def test_the_comparison_page_escapes_the_territory_and_the_statuses():
    baseline, current = _manifest(HOSTILE, 2023, 1000, HOSTILE), _manifest(HOSTILE, 2024, 990, "definitivo")
    current["territorio"]["comuni"] = ["036041"]  # a merger: the warning names the comuni
    page = comparison_page(baseline, current, comparison_table(baseline, current), composition(baseline, current))
    read = _assert_shown_as_text(page)
    text = "".join(read.text)
    assert f"Cosa è cambiato — {HOSTILE}" in text and f"({HOSTILE})" in text
    assert "comuni non più presenti: 036040; comuni nuovi: 036041" in text
    assert read.tags.count("tr") == 2  # the heading and the one change, no row made of the hostile text


def test_the_batch_index_escapes_names_links_and_errors():
    table = pd.DataFrame([{"nome": HOSTILE, "livello": "distretto", "popolazione": 10.0, "indice_vecchiaia": None,
                           "variazione_popolazione_pct": -1.25, "stato": "errore", "errore": HOSTILE,
                           "generata_il": "", "report": f"{HOSTILE}/fotografia.html"}])
    page = index_page(table)
    read = _assert_shown_as_text(page, expected_scripts=1)  # the page's own sorting script, nothing else
    assert ("a", "href", f"{HOSTILE}/fotografia.html") in read.attributes
    assert ("td", "data-valore", HOSTILE) in read.attributes
    assert f"errore: {HOSTILE}" in "".join(read.text)
    assert "-1,3 %" in html.unescape(page)


def test_the_contents_list_the_sections_the_page_holds_and_no_others():
    page = ('<h2>Indice</h2>\n<ol>\n<li><a href="#sintesi">Sintesi</a></li>\n<li><a href="#redditi">Redditi</a></li>\n'
            '</ol>\n<h2>Sintesi <a id="sintesi"></a></h2>\n<p>…</p>\n'
            '<h2 id="x">Flussi &amp; presenze <a id="flussi"></a></h2>\n<h2>Note</h2>')
    listed = page_contents(page)
    contents = listed[:listed.index("</ol>")]
    assert '<a href="#sintesi">Sintesi</a>' in contents
    assert '<a href="#flussi">Flussi &amp; presenze</a>' in contents  # a section only this territory has
    assert "#redditi" not in contents  # left out of the page: no dead link
    assert page_contents("<p>nessun indice</p>") == "<p>nessun indice</p>"
