"""The fotografia of the extreme territories, as a reader and a printer meet it.

Three reports, each built once from the embedded snapshot and read by every test:
Pedesina (SO), 37 residents on 1 January 2023, one of Italy's smallest comuni; the
Città-Distretto di Sassuolo, six comuni across the provinces of Modena and Reggio Emilia;
the Provincia di Sondrio, 77 comuni. The figures they show are checked against the same
figures read from the tables below the public API, and their pages in headless Chromium.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from diagnosis.config import SHIPPED_DISTRICTS_DIR
from diagnosis.formatting import format_number
from diagnosis.report.fotografia import build_fotografia
from diagnosis.report.pdf import print_pdf
from diagnosis.tables import population
from diagnosis.territory import registry, resolve_territory
from diagnosis.territory.model import Territorio

from browser import chromium, ink_share, screenshot
from conftest import _session_data_dir
from pdf_checks import numbering_faults, page_texts
from print_layout import PRINTABLE_WIDTH_PX, print_layout

pytestmark = pytest.mark.slow

YEAR = 2023
TERRITORIES = {"comune": "014047", "distretto": "citta-distretto-sassuolo", "provincia": "provincia:SO"}
KINDS = list(TERRITORIES)

# What a reader must never meet: Python's words for a missing or endless number, a zero with
# a sign, a traceback.
ARTEFACTS = re.compile(r"\b(?:nan|NaN|None|inf|Infinity)\b|(?<![\w,.])-0(?:,0+)?(?![\d,])")
TRACEBACK = re.compile(r"Traceback|\b\w+(?:Error|Exception)\b|File \"[^\"]+\", line \d+")
MARKUP_AS_TEXT = re.compile(r"</?[a-z]+[^<>]*>")  # a tag escaped on its way into the page


class _PageReader(HTMLParser):
    """The text a reader sees (the head, styles and scripts left out), the tables with their
    captions and cells, and the images' alternative texts."""

    SILENT = {"head", "style", "script"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tables: list[dict] = []
        self.alts: list[str] = []
        self._silent = 0
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.SILENT:
            self._silent += 1
        elif tag == "img":
            self.alts.append(dict(attrs).get("alt", ""))
        elif tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in self.SILENT:
            self._silent -= 1
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._silent:
            return
        self.text.append(data)
        for collecting in (self._cell, self._caption):
            if collecting is not None:
                collecting.append(data)


@dataclass
class Report:
    kind: str
    territory: Territorio
    html: Path

    @cached_property
    def reader(self) -> _PageReader:
        reader = _PageReader()
        reader.feed(self.html.read_text(encoding="utf-8"))
        return reader

    @cached_property
    def text(self) -> str:
        return " ".join(" ".join(self.reader.text).split())

    def table(self, caption_start: str) -> list[list[str]]:
        found = [t["rows"] for t in self.reader.tables if t["caption"].startswith(caption_start)]
        assert len(found) == 1, f"{self.kind}: {len(found)} tabelle «{caption_start}…»"
        return found[0]

    def row(self, caption_start: str, label: str) -> list[str]:
        found = [row for row in self.table(caption_start) if row and row[0] == label]
        assert len(found) == 1, f"{self.kind}: {len(found)} righe «{label}» in «{caption_start}…»"
        return found[0]

    def alt(self, start: str) -> str:
        found = [alt for alt in self.reader.alts if alt.startswith(start)]
        assert len(found) == 1, f"{self.kind}: {len(found)} immagini «{start}…»"
        return found[0]


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """The suite's offline switch and shared data folder, for the fixtures built once per module
    (the suite's own set-up applies to each test, after them)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIAGNOSIS_OFFLINE", "1")
        patch.setenv("DIAGNOSIS_DATA_DIR", str(_session_data_dir(tmp_path_factory)))
        patch.delenv("DIAGNOSIS_DISTRETTI_DIR", raising=False)
        yield


@pytest.fixture(scope="module")
def reports(offline, tmp_path_factory) -> dict[str, Report]:
    output = tmp_path_factory.mktemp("territori-estremi")
    built = {}
    for kind, argument in TERRITORIES.items():
        territory = resolve_territory(argument)
        # in this process, as a batch worker does: the imports and tables are paid once for the three
        files = build_fotografia(territory, year=YEAR, output_dir=output, in_process=True)
        built[kind] = Report(kind, territory, files.html)
    return built


@pytest.fixture(scope="module")
def populations(offline, reports) -> dict[str, dict[str, int]]:
    """Each territory's residents on 1 January, comune by comune, from the population table."""
    return {kind: {code: int(value) for code, value in population.totals_by_comune(YEAR, report.territory.comuni).items()}
            for kind, report in reports.items()}


@dataclass(frozen=True)
class Printed:
    console: list[str]  # what the page wrote to the browser's console
    ink: float  # the share of the screenshot that is not background
    layout: dict  # print_layout: what reaches past the paper or is cut
    pages: list[str]  # the text of each page of the PDF


def _photographed_and_printed(browser: str, report: Report, folder: Path) -> tuple[list[str], float, list[str]]:
    png = folder / f"{report.kind}.png"
    console = screenshot(browser, report.html, png, folder / f"profilo-{report.kind}")
    return console, ink_share(png), page_texts(print_pdf(report.html, folder / f"{report.kind}.pdf"))


@pytest.fixture(scope="module")
def printed(reports, tmp_path_factory) -> dict[str, Printed]:
    """Each report photographed and printed to PDF, the three side by side (the browser's work is
    mostly waiting on its own process), then laid out for print one at a time: print_layout
    hands Chromium its pipe in a preexec_fn, which is not safe while other threads start processes."""
    browser, folder = chromium(), tmp_path_factory.mktemp("chromium")
    with ThreadPoolExecutor(max_workers=len(reports)) as pool:
        done = {kind: pool.submit(_photographed_and_printed, browser, report, folder)
                for kind, report in reports.items()}
    found = {}
    for kind, future in done.items():
        console, ink, pages = future.result()
        found[kind] = Printed(console, ink, print_layout(browser, reports[kind].html), pages)
    return found


# --- every territory ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_report_is_built_with_every_section_and_no_traceback(reports, kind):
    report = reports[kind]
    assert {p.name for p in report.html.parent.iterdir()} >= {"fotografia.html", "fotografia.ipynb", "manifest.json"}
    page = report.html.read_text(encoding="utf-8")
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page  # no cell wrote an error
    assert TRACEBACK.findall(report.text) == []
    for anchor in ("sintesi", "territorio", "eta", "indicatori", "proiezioni", "commercio", "redditi", "fonti"):
        assert f'id="{anchor}"' in page, anchor


@pytest.mark.parametrize("kind", KINDS)
def test_no_number_reads_nan_none_infinite_or_minus_zero(reports, kind):
    report = reports[kind]
    found = [report.text[max(0, m.start() - 50):m.end() + 20] for m in ARTEFACTS.finditer(report.text)]
    assert found == []
    assert [alt for alt in report.reader.alts if ARTEFACTS.search(alt)] == []


@pytest.mark.parametrize("kind", KINDS)
def test_no_markup_is_shown_as_text(reports, kind):
    assert [m.group(0)[:60] for m in MARKUP_AS_TEXT.finditer(reports[kind].text)] == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_population_is_the_sum_of_the_comuni_and_each_comune_is_listed(reports, populations, kind):
    report, residents = reports[kind], populations[kind]
    assert sorted(residents) == sorted(report.territory.comuni)  # every comune has a population: none dropped
    total = format_number(sum(residents.values()), 0)
    assert report.row("Indicatori al 1° gennaio", "Popolazione residente")[1] == total
    assert report.row(f"{report.territory.nome}: cifre chiave", "Popolazione residente")[1] == total
    rows = report.table("Comuni del territorio")[1:]
    if kind == "provincia":  # one line for the province, its comuni counted
        area = registry.comuni().set_index("codice").loc[list(residents), "superficie_kmq"].sum()
        assert rows == [["SO", str(len(residents)), total, format_number(area, 2)]]
    else:
        shown = {row[0]: row[3] for row in rows}
        assert shown == {code: format_number(value, 0) for code, value in residents.items()}


@pytest.mark.parametrize("kind", KINDS)
def test_the_projection_chart_describes_the_population_of_the_year_shown(reports, populations, kind):
    report = reports[kind]
    total = format_number(sum(populations[kind].values()), 0)
    described = report.alt(f"Popolazione di {report.territory.nome}:")
    assert f": {total} al 1° gennaio {YEAR}, proiettata" in described


@pytest.mark.parametrize("kind", KINDS)
def test_in_chromium_the_page_is_drawn_without_console_errors(printed, kind):
    assert printed[kind].console == []
    assert printed[kind].ink > 0.02  # a page of text, tables and charts, not a blank


@pytest.mark.parametrize("kind", KINDS)
def test_printed_nothing_is_wider_than_the_page_or_cut_and_every_page_is_numbered(printed, kind):
    layout = printed[kind].layout
    assert layout["width"] == PRINTABLE_WIDTH_PX and layout["wide"] == [] and layout["clipped"] == []
    assert len(printed[kind].pages) >= 5 and numbering_faults(printed[kind].pages) == []


# --- each territory's own -----------------------------------------------------------------------


def _ages(codes) -> dict[str, int]:
    ages = population.ages_by_comune(list(codes), YEAR).sum(axis=(0, 1))
    return {"0-14": int(ages[:15].sum()), "15-64": int(ages[15:65].sum()), "65+": int(ages[65:].sum()),
            "all": int(ages.sum())}


def test_the_tiny_comune_has_its_37_residents_and_no_division_artefacts(reports, populations):
    report = reports["comune"]
    assert populations["comune"] == {"014047": 37}
    ages = _ages(report.territory.comuni)
    # the age indices as ISTAT defines them, from the same age table, shown with one decimal
    expected = {"Indice di vecchiaia": ages["65+"] / ages["0-14"] * 100,
                "Indice di dipendenza strutturale": (ages["0-14"] + ages["65+"]) / ages["15-64"] * 100,
                "Quota 0-14 anni": ages["0-14"] / ages["all"] * 100}
    for label, value in expected.items():
        assert report.row("Indicatori al 1° gennaio", label)[1].split(" ")[0] == format_number(value, 1), label
    shares = report.table("Residenti per fascia di età")[1:]
    assert sum(float(row[1].replace(",", ".")) for row in shares) == pytest.approx(100, abs=0.25)
    # a figure the source does not publish is said to be missing, never blamed on a zero denominator
    assert "grandezza di riferimento è nulla" not in report.text
    projected = report.table("Fasce di età e indice di vecchiaia proiettati")
    assert all(re.fullmatch(r"\d[\d.]*(,\d)?", cell) for row in projected[1:] for cell in row[1:])


def test_the_district_shows_both_provinces_and_all_its_comuni(reports):
    report = reports["distretto"]
    written = yaml.safe_load((SHIPPED_DISTRICTS_DIR / f"{TERRITORIES['distretto']}.yaml").read_text(encoding="utf-8"))
    comuni = registry.comuni().set_index("codice").loc[written["comuni"]]
    assert set(comuni["provincia_sigla"]) == {"MO", "RE"}
    listed = {row[0]: (row[1], row[2]) for row in report.table("Comuni del territorio")[1:]}
    assert listed == {code: (row.nome, row.provincia_sigla) for code, row in comuni.iterrows()}
    header = report.table("Indicatori al 1° gennaio")[0]
    provinces = sorted(set(comuni["provincia_nome"]))
    assert all(f"Provincia di {name}" in header for name in provinces), (header, provinces)
    assert report.alt(f"Mappa di {report.territory.nome}:").startswith(
        f"Mappa di {report.territory.nome}: {len(comuni)} comuni evidenziati fra i comuni che lo circondano.")
    assert f"{len(comuni)} comuni · dati al 1° gennaio {YEAR}" in report.text


def test_the_province_counts_its_comuni_and_maps_them_all(reports, populations):
    report = reports["provincia"]
    in_registry = registry.comuni().query("provincia_sigla == 'SO'")
    assert len(populations["provincia"]) == len(in_registry) == len(report.territory.comuni)
    count = len(in_registry)
    assert f"Provincia · {count} comuni · dati al 1° gennaio {YEAR}" in report.text
    assert report.alt(f"Mappa di {report.territory.nome}:") == (
        f"Mappa di {report.territory.nome}: {count} comuni evidenziati fra i comuni che lo circondano.")
    by_comune = report.alt(f"Mappa di {report.territory.nome}, comuni colorati per")
    assert by_comune.count(" ab./km²") == count  # one density per comune, not a map of one
    assert "Mappa per comune non disponibile" not in report.text


def test_the_tiny_comunes_map_speaks_of_one_comune(reports):
    report = reports["comune"]
    assert report.alt(f"Mappa di {report.territory.nome}:").startswith(
        f"Mappa di {report.territory.nome}: 1 comune evidenziato fra i comuni che lo circondano.")
