"""The chart helpers: each draws on the axes it is given, in the house theme, on scales a reader can trust."""

import io
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.transforms import Bbox

from diagnosis import viz
from diagnosis.errors import RichiestaNonValida
from diagnosis.indicators.compute import counts_for
from diagnosis.models.survey import analysis
from diagnosis.sources.survey import read_survey
from diagnosis.tables import income
from diagnosis.territory import resolve_territory
from diagnosis.viz import style
from diagnosis.viz.charts import INDEX_BASE, MAX_DISTANCE, benchmark_index
from diagnosis.report.figure import chart_from_figure
from diagnosis.viz.figure import VECTOR_LIMIT, image_of

from conftest import FIXTURES
from report_figures import ReportFigures, age_table, indicator_table

PIOLTELLO = "015175"
OKABE_ITO = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sassuolo_district():
    """The Città-Distretto of Sassuolo against its region: density far above, the rest close."""
    return ReportFigures.of("citta-distretto-sassuolo", 2023)


@pytest.fixture(scope="module")
def survey():
    return read_survey(FIXTURES / "survey" / "standard.csv").risposte


def _income_table(comuni, years=None) -> pd.DataFrame:
    series = income.per_taxpayer_series(comuni)
    kept = sorted(series)[-years:] if years else sorted(series)
    return pd.DataFrame({"anno": kept, "valore": [series[y] for y in kept]})


def _tables(district, survey) -> dict:
    """A tidy table for each helper, computed from the embedded snapshot or the survey fixture."""
    observed = district.observed_population()
    return {
        "piramide": lambda ax: viz.piramide(age_table(district.counts), ax=ax,
                                            confronto=age_table(district.benchmark_counts), nome_confronto="Regione"),
        "ventaglio_proiezione": lambda ax: viz.ventaglio_proiezione(
            pd.DataFrame({"anno": list(observed), "valore": list(observed.values())}),
            pd.DataFrame(district.projection["proiezioni"]["popolazione"]), ax=ax),
        "confronto_indicatori": lambda ax: viz.confronto_indicatori(
            indicator_table(district.result, district.benchmark), ax=ax, nome_confronto="Emilia-Romagna"),
        "andamento_reddito": lambda ax: viz.andamento_reddito(_income_table(district.territory.comuni), ax=ax,
                                                              confronto=_income_table(district.benchmark.comuni)),
        "densita_gruppi": lambda ax: viz.densita_gruppi(
            pd.DataFrame({"gruppo": ["Alimentare", "Bar e ristoranti"], "valore": [2.1, 4.0],
                          "riferimento": [1.8, np.nan]}), ax=ax),
        "quozienti_localizzazione": lambda ax: viz.quozienti_localizzazione(
            pd.DataFrame({"gruppo": ["Alimentare", "Bar e ristoranti", "Alloggio"], "valore": [1.3, 0.95, 0.5]}),
            ax=ax),
        "soddisfazione": lambda ax: viz.soddisfazione(analysis.likert_distribution(survey), ax=ax),
        "bisogni": lambda ax: viz.bisogni(analysis.needs_ranked(survey), ax=ax),
        "mappa_comuni": lambda ax: viz.mappa_comuni(district.territory.comuni, ax=ax,
                                                    contesto=district.provinces_comuni()),
        "mappa_coropletica": lambda ax: viz.mappa_coropletica(
            pd.DataFrame({"codice": list(district.populations()), "valore": list(district.populations().values())}),
            ax=ax, etichetta="Residenti", unita="abitanti"),
        "mappa_punti": lambda ax: viz.mappa_punti(
            pd.DataFrame({"lat": [45.497, 45.501, 45.503], "lon": [9.321, 9.330, 9.327],
                          "stato": ["attivo", "attivo", "sfitto"], "gruppi": [["alimentare"], ["bar_e_ristoranti"], []]}),
            [PIOLTELLO], ax=ax),
        "mappa_negozi_perimetro": lambda ax: viz.mappa_negozi_perimetro(
            pd.DataFrame({"lat": [44.5190, 44.5200], "lon": [10.8050, 10.8030], "stato": ["attivo", "sfitto"]}),
            "POLYGON ((10.7997 44.516, 10.8097 44.516, 10.8097 44.522, 10.7997 44.522, 10.7997 44.516))", ax=ax),
    }


HELPERS = ["piramide", "ventaglio_proiezione", "confronto_indicatori", "andamento_reddito", "densita_gruppi",
           "quozienti_localizzazione", "soddisfazione", "bisogni", "mappa_comuni", "mappa_coropletica", "mappa_punti",
           "mappa_negozi_perimetro"]


@pytest.mark.parametrize("name", HELPERS)
def test_each_helper_draws_on_the_axes_it_is_given(name, sassuolo_district, survey):
    figure, (left, right) = plt.subplots(1, 2)
    returned = _tables(sassuolo_district, survey)[name](right)
    assert returned is right
    assert right.has_data() or right.collections or right.patches
    assert not left.has_data()  # the other axes of the analyst's figure are left alone
    assert plt.get_fignums() == [figure.number]  # no figure of its own


def test_without_axes_a_helper_opens_a_figure_of_its_own():
    table = pd.DataFrame({"bisogno": ["Panetteria", "Ferramenta"], "menzioni": [9, 6]})
    ax = viz.bisogni(table)
    assert ax.figure.get_size_inches()[1] == pytest.approx(0.45 * 2 + 1.4)
    assert [bar.get_width() for bar in ax.patches] == [9, 6]


def test_a_table_without_the_columns_names_them():
    with pytest.raises(RichiestaNonValida, match="piramide.*eta, sesso, valore"):
        viz.piramide(pd.DataFrame({"anni": [1], "valore": [3]}))


def _tick_labels(axis) -> list[str]:
    """The tick labels a reader sees: those inside the axis' limits, as drawn."""
    axis.axes.figure.canvas.draw()
    low, high = sorted(axis.get_view_interval())
    return [label.get_text() for location, label in zip(axis.get_majorticklocs(), axis.get_ticklabels())
            if low <= location <= high]


@pytest.mark.parametrize("years", [5, 2, None])
def test_income_years_are_whole_years(years):
    table = _income_table([PIOLTELLO], years)
    ax = viz.andamento_reddito(table)
    labels = _tick_labels(ax.xaxis)
    assert labels and all(re.fullmatch(r"\d{4}", label) for label in labels), labels
    assert {int(label) for label in labels} <= set(range(table["anno"].min() - 1, table["anno"].max() + 2))
    if years:
        assert [int(label) for label in labels] == table["anno"].tolist()  # few years: each one


def test_projection_years_are_whole_years(sassuolo_district):
    _tables(sassuolo_district, None)["ventaglio_proiezione"](ax := plt.subplots()[1])
    labels = _tick_labels(ax.xaxis)
    assert all(re.fullmatch(r"\d{4}", label) for label in labels), labels
    last = sassuolo_district.projection["proiezioni"]["popolazione"][-1]["anno"]
    assert labels[-1] == str(last)


def test_indicators_share_one_scale_and_an_outlier_does_not_flatten_the_rest(sassuolo_district):
    table = indicator_table(sassuolo_district.result, sassuolo_district.benchmark)
    index = benchmark_index(table["valore"], table["riferimento"])
    assert index.iloc[0] > INDEX_BASE + MAX_DISTANCE  # the density, far above the region
    ax = viz.confronto_indicatori(table, nome_confronto="Emilia-Romagna")
    low, high = ax.get_xlim()
    assert high - INDEX_BASE <= MAX_DISTANCE * 1.25 and low >= 0
    bars = ax.patches[:len(table)]
    assert all(bar.get_x() == pytest.approx(INDEX_BASE) for bar in bars)  # every bar starts at the benchmark
    assert bars[0].get_width() == pytest.approx(high - INDEX_BASE)  # the outlier is cut at the edge…
    texts = [text.get_text() for text in ax.texts]
    assert any(str(round(index.iloc[0])) in text and "▶" in text for text in texts)  # …and says its value
    # The second largest distance now fills more than a third of the half axis, not a sliver.
    assert abs(bars[1].get_width()) / (high - INDEX_BASE) > 1 / 3
    assert abs(bars[1].get_width()) == pytest.approx(abs(index.iloc[1] - INDEX_BASE))
    assert ax.get_xlabel() == "Indice: Emilia-Romagna = 100"


def test_indicators_close_to_the_benchmark_get_a_close_up_scale():
    table = pd.DataFrame({"indicatore": ["a", "b"], "valore": [10.8, 9.5], "riferimento": [10.0, 10.0]})
    ax = viz.confronto_indicatori(table)
    assert ax.get_xlim()[1] == pytest.approx(INDEX_BASE + 8 * 1.25)
    assert [text.get_text().strip() for text in ax.texts] == ["108", "95"]


def test_palette_is_okabe_ito():
    assert [c.lower() for c in viz.PALETTE] == OKABE_ITO
    with style.in_stile():
        assert [to_hex(c["color"]) for c in matplotlib.rcParams["axes.prop_cycle"]] == OKABE_ITO
    with matplotlib.rc_context():
        viz.tema()
        assert [to_hex(c["color"]) for c in matplotlib.rcParams["axes.prop_cycle"]] == OKABE_ITO
        assert matplotlib.rcParams["axes.spines.top"] is False


def test_the_theme_for_the_report_leaves_the_notebook_settings_alone():
    before = matplotlib.rcParams["axes.prop_cycle"]
    with style.in_stile():
        pass
    assert matplotlib.rcParams["axes.prop_cycle"] == before


def test_charts_draw_in_palette_colours(sassuolo_district, survey):
    allowed = set(OKABE_ITO) | {to_hex(style.MUTED_COLOR), to_hex(style.BENCHMARK_COLOR)}
    for name in ("piramide", "confronto_indicatori", "quozienti_localizzazione", "bisogni"):
        ax = _tables(sassuolo_district, survey)[name](plt.subplots()[1])
        colours = {to_hex(bar.get_facecolor()) for bar in ax.patches}
        assert colours and colours <= allowed, (name, colours - allowed)


def test_pyramid_shares_add_up_to_the_whole_population():
    counts = counts_for(resolve_territory("Pioltello"), 2023)
    ax = viz.piramide(age_table(counts))
    drawn = sum(abs(bar.get_width()) for bar in ax.patches)
    assert drawn == pytest.approx(100)
    over_65 = sum(abs(bar.get_width()) for bar in ax.patches if bar.get_y() + bar.get_height() / 2 >= 13)
    assert over_65 == pytest.approx(counts.between(65) / counts.totale.sum() * 100)


def test_a_chart_is_vector_with_its_text_and_the_same_bytes_each_time():
    def bars():
        figure, axes = plt.subplots(figsize=(4, 3))
        axes.bar(["Età", "Redditi"], [3, 5])
        axes.set_title("Indicatori")
        return figure

    first, second = chart_from_figure(bars(), title="t", alt="a", source="s"), \
        chart_from_figure(bars(), title="t", alt="a", source="s")
    assert first.mime == "image/svg+xml" and first.image == second.image
    assert b"<text" in first.image and "Redditi" in first.image.decode("utf-8")  # text left to the browser
    assert b"dc:date" not in first.image
    assert 'src="data:image/svg+xml;base64,' in first.to_html()


def _legend_above_and_a_label_beyond_the_edge(axes):
    axes.barh([0, 1], [3, 5])
    axes.set_yticks([0, 1], ["Un'etichetta lunga che esce dalla figura a sinistra", "Redditi"])
    axes.legend(["Quota"], loc="lower center", bbox_to_anchor=(0.5, 1.0))


def _bars_with_a_title(axes):
    axes.bar(["Età", "Redditi"], [3, -5])
    axes.set_title("Indicatori")


def _lines_with_axis_labels(axes):
    axes.plot([2019, 2020, 2021], [1, 4, 2], label="Pioltello")
    axes.set(xlabel="Anno", ylabel="Residenti (migliaia)")
    axes.legend()


def _rotated_tick_labels(axes):
    axes.bar(["Gennaio", "Febbraio", "Marzo"], [1, 2, 3])
    axes.tick_params(axis="x", rotation=45)


def _text_beyond_the_axes(axes):
    axes.plot([0, 1], [0, 1])
    axes.text(1.05, 0.5, "Fuori dagli assi", transform=axes.transAxes)


def _a_band(axes):
    x = np.linspace(0, 10, 50)
    axes.fill_between(x, np.sin(x), np.sin(x) + 1, alpha=0.3)
    axes.plot(x, np.sin(x) + 0.5)


def _markers(axes):  # beyond the axes' top right corner, only markers: they set the frame there
    axes.plot([1, 3], [1, 3], marker="o", markersize=24, clip_on=False)
    axes.set(xlim=(1, 3), ylim=(1, 3))


def _scatter(axes):  # the same, with a path collection; matplotlib's own crop cuts these markers
    # two sizes cycled over the points: matplotlib writes each once and uses it at its points
    axes.scatter([1, 1.5, 2, 2.5, 3, 3], [3, 1, 1, 2, 2, 3], clip_on=False).set_sizes([400, 900])
    axes.set(xlim=(1, 3), ylim=(1, 3))


def _scatter_of_sizes(axes):
    axes.scatter([1, 2, 3], [3, 1, 3], s=[20, 80, 900], clip_on=False)  # a path for each point
    axes.set(xlim=(1, 3), ylim=(1, 3))


ORDINARY_CHARTS = [_legend_above_and_a_label_beyond_the_edge, _bars_with_a_title, _lines_with_axis_labels,
                   _rotated_tick_labels, _text_beyond_the_axes, _a_band, _markers]
_FRAME = re.compile(r'width="([\d.]+)pt" height="([\d.]+)pt" viewBox="(-?[\d.]+) (-?[\d.]+) [\d.]+ [\d.]+"')


def _chart(draw):
    figure, axes = plt.subplots(figsize=(4, 3))
    draw(axes)
    return figure


def _frame(figure) -> np.ndarray:
    """The SVG's frame: left, top, right, bottom, in points from the figure's top left."""
    width, height, left, top = (float(value) for value in _FRAME.search(image_of(figure)[0].decode()).groups())
    return np.array([left, top, left + width, top + height])


def _ink(figure) -> np.ndarray:
    """Where the figure, drawn in pixels on a transparent ground, has any ink: left, top, right,
    bottom in points from the figure's top left. Drawn with a wide margin, so that what lies
    beyond the figure's edge shows too; fine, and with lines and glyphs where they are drawn
    (not moved to the pixels' grid), so that the ink is where the SVG puts it."""
    margin, dpi = 4, 216  # inches; three pixels a point
    width, height = figure.get_size_inches()
    region = Bbox.from_extents(-margin, -margin, width + margin, height + margin)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"path.snap": False, "text.hinting": "none"}):
        figure.savefig(buffer, format="rgba", dpi=dpi, transparent=True, bbox_inches=region)
    pixels = np.frombuffer(buffer.getvalue(), dtype=np.uint8).reshape(round(region.height * dpi),
                                                                      round(region.width * dpi), 4)
    rows, columns = np.nonzero(pixels[..., 3])
    return np.array([columns.min(), rows.min(), columns.max() + 1, rows.max() + 1]) * 72 / dpi - margin * 72


@pytest.fixture
def matplotlib_defaults():
    """matplotlib's own settings: a notebook run in this process leaves the house theme on."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        yield


@pytest.fixture(params=["matplotlib", "tema della casa"])
def chart_style(request):
    """matplotlib's settings, then the report's (a legend without a frame, other fonts)."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        if request.param == "tema della casa":
            viz.tema()
        yield


@pytest.mark.parametrize("draw", [*ORDINARY_CHARTS, _scatter, _scatter_of_sizes])
def test_nothing_drawn_is_cut_by_the_frame(draw, chart_style):
    figure = _chart(draw)
    with matplotlib.rc_context({"savefig.pad_inches": 0}):  # the frame on the ink itself
        left, top, right, bottom = _frame(figure)
    ink_left, ink_top, ink_right, ink_bottom = _ink(figure)
    pixel = 1 / 3  # the ink's edge, to the whole pixel
    assert left <= ink_left + pixel and top <= ink_top + pixel
    assert right >= ink_right - pixel and bottom >= ink_bottom - pixel


def _tight_crop(figure) -> np.ndarray:
    """matplotlib's own crop of the SVG it draws, measured on that drawing: left, top, right,
    bottom in points from the figure's top left."""
    measured = []
    listening = figure.canvas.mpl_connect("draw_event",
                                          lambda event: measured.append(figure.get_tightbbox(event.renderer)))
    figure.savefig(io.BytesIO(), format="svg")
    figure.canvas.mpl_disconnect(listening)
    tight = measured[0].padded(matplotlib.rcParams["savefig.pad_inches"])
    height = figure.get_size_inches()[1]
    return np.array([tight.x0, height - tight.y1, tight.x1, height - tight.y0]) * 72


@pytest.mark.parametrize("draw", ORDINARY_CHARTS)
def test_a_chart_is_framed_within_a_couple_of_points_of_a_tight_crop(draw, matplotlib_defaults):
    figure = _chart(draw)
    assert np.abs(_frame(figure) - _tight_crop(figure)).max() <= 1  # point


def test_markers_of_a_collection_beyond_the_axes_are_framed_where_matplotlibs_crop_cuts_them(matplotlib_defaults):
    figure = _chart(_scatter)
    (_, top, right, _), (_, cut_top, cut_right, _) = _frame(figure), _tight_crop(figure)
    assert top < cut_top - 5 and right > cut_right + 5  # points


def test_the_long_label_beyond_the_figures_edge_widens_the_frame(matplotlib_defaults):
    assert _frame(_chart(_legend_above_and_a_label_beyond_the_edge))[0] < 0


def test_a_figure_with_nothing_drawn_on_it_is_framed_whole():
    figure = plt.figure(figsize=(4, 3))
    pad = matplotlib.rcParams["savefig.pad_inches"] * 72
    assert _frame(figure) == pytest.approx([-pad, -pad, 288 + pad, 216 + pad])


def test_a_figure_of_many_shapes_is_kept_as_pixels():
    figure, axes = plt.subplots(figsize=(4, 3))
    angles = np.linspace(0, 2 * np.pi, VECTOR_LIMIT + 1)
    axes.plot(np.cos(angles), np.sin(angles))
    chart = chart_from_figure(figure, title="t", alt="a", source="s")
    assert chart.mime == "image/png" and chart.image.startswith(b"\x89PNG")


@pytest.mark.parametrize("label_x", [0.5, -0.4])  # a name inside the figure, one beyond its left edge
def test_pixels_are_cut_as_a_tight_crop_would_cut_them(label_x):
    from PIL import Image

    figure, axes = plt.subplots(figsize=(4, 3))
    angles = np.linspace(0, 2 * np.pi, VECTOR_LIMIT + 1)
    axes.plot(np.cos(angles), np.sin(angles))
    axes.set_axis_off()
    axes.text(label_x, 0.5, "Un nome piuttosto lungo", transform=axes.transAxes)
    tight = io.BytesIO()
    figure.savefig(tight, format="png", bbox_inches="tight")
    image, mime = image_of(figure)
    expected, drawn = Image.open(tight), Image.open(io.BytesIO(image))
    assert mime == "image/png" and drawn.size == expected.size
    assert drawn.size[0] < 4 * figure.dpi if label_x > 0 else drawn.size[0] > 4 * figure.dpi  # cut / widened
    plt.close(figure)
