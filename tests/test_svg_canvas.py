"""The SVG canvas of the report's charts: matplotlib's bytes, each text measured once per process."""

import io

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_svg import RendererSVG  # noqa: E402

from diagnosis.viz import svg_canvas  # noqa: E402
from diagnosis.viz.figure import image_of  # noqa: E402


def _chart():
    figure, ax = plt.subplots(figsize=(5, 3))
    ax.barh([0, 1, 2], [3.5, -1.25, 2], label="Quota")
    ax.set_yticks([0, 1, 2], ["0-4", "5-9", "100+"])
    ax.set_xlabel("Quota sul totale dei residenti (%)")
    ax.set_title(r"Indice: $x^2$ e testo")  # mathematical text goes through matplotlib's own measure
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0))
    # each of the renderer's drawing calls: markers, a collection drawn as uses of one path, an image
    ax.plot([1, 2], [0, 2], marker="o")
    ax.scatter([0.5, 1, 1.5, 2, 2.5, 3], [0, 1, 2, 0, 1, 2]).set_sizes([20, 40])  # two sizes, cycled
    ax.fill_between([0, 1, 2], [0, 0.5, 0], [1, 1.5, 1], alpha=0.3)
    figure.figimage(np.arange(16.0).reshape(4, 4), xo=10, yo=10)
    return figure


def _svg(figure, **options) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "prova"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, **options)
    plt.close(figure)
    return buffer.getvalue()


@pytest.fixture
def glyph_measures(monkeypatch):
    """How many texts matplotlib's SVG renderer measured with the font's glyphs."""
    calls = []
    measure = RendererSVG.get_text_width_height_descent

    def counted(self, text, prop, ismath):
        calls.append(text)
        return measure(self, text, prop, ismath)

    monkeypatch.setattr(RendererSVG, "get_text_width_height_descent", counted)
    monkeypatch.setattr(svg_canvas, "_measures", {})
    return calls


def test_the_chart_is_the_same_bytes_as_with_matplotlibs_canvas():
    own = _svg(_chart())
    assert _svg(_chart(), backend=svg_canvas.BACKEND) == own
    assert _svg(_chart(), backend=svg_canvas.BACKEND) == own  # measures taken from memory the second time
    assert b"Quota sul totale" in own


def test_a_rasterized_part_is_drawn_as_by_matplotlibs_canvas():
    def chart():
        figure = _chart()
        figure.axes[0].plot([0, 3], [2, 0], rasterized=True)  # drawn by the raster renderer, then embedded
        return figure

    own = _svg(chart())
    assert b"<image" in own
    assert _svg(chart(), backend=svg_canvas.BACKEND) == own


def test_drawing_calls_reach_the_renderer_drawing_at_that_moment():
    from matplotlib.backends.backend_agg import RendererAgg

    figure = plt.figure()
    vector = svg_canvas._RendererMeasuringOnce(100, 100, io.StringIO(), settings=svg_canvas.font_settings())
    renderer = svg_canvas._ForwardingRenderer(figure, 1, 1, 72, vector)
    assert renderer.draw_path == vector.draw_path
    renderer.start_rasterizing()
    assert isinstance(renderer._renderer, RendererAgg) and renderer.draw_path == renderer._renderer.draw_path
    with pytest.raises(AttributeError):
        renderer.drawn_box  # the raster renderer has no such method, as through matplotlib's proxy
    renderer.stop_rasterizing()
    assert renderer.draw_path == vector.draw_path
    plt.close(figure)


def test_a_file_or_a_text_stream_gets_the_same_chart(tmp_path):
    own = _svg(_chart())
    settings = {"svg.fonttype": "none", "svg.hashsalt": "prova"}
    path, stream = tmp_path / "grafico.svg", io.StringIO()
    for target in (path, stream):
        figure = _chart()
        with matplotlib.rc_context(settings):
            figure.savefig(target, format="svg", metadata={"Date": None}, backend=svg_canvas.BACKEND)
        plt.close(figure)
    assert path.read_bytes() == own
    assert stream.getvalue().encode("utf-8") == own


def test_a_text_is_measured_once_per_process(glyph_measures):
    _svg(_chart(), backend=svg_canvas.BACKEND)
    first = [text for text in glyph_measures if "$" not in text]
    assert "100+" in first and "Quota sul totale dei residenti (%)" in first
    glyph_measures.clear()
    _svg(_chart(), backend=svg_canvas.BACKEND)
    assert [text for text in glyph_measures if "$" not in text] == []
    glyph_measures.clear()
    _svg(_chart())  # matplotlib's own canvas measures again
    assert "100+" in glyph_measures


def test_a_fonts_line_metrics_are_read_once_per_process(monkeypatch):
    reads = []
    read = svg_canvas._font_line_metrics
    monkeypatch.setattr(svg_canvas, "_font_line_metrics", lambda prop: reads.append(prop) or read(prop))
    monkeypatch.setattr(svg_canvas, "_line_metrics", {})
    _svg(_chart(), backend=svg_canvas.BACKEND)
    assert reads  # the first chart reads the font's tables
    reads.clear()
    _svg(_chart(), backend=svg_canvas.BACKEND)
    assert reads == []


def test_other_fonts_are_measured_anew(glyph_measures):
    _svg(_chart(), backend=svg_canvas.BACKEND)
    glyph_measures.clear()
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Serif"]}):
        _svg(_chart(), backend=svg_canvas.BACKEND)
    assert "100+" in glyph_measures


def test_the_reports_svg_charts_use_it(glyph_measures):
    for figure in (_chart(), _chart()):
        glyph_measures.clear()
        image, kind = image_of(figure)
        plt.close(figure)
    assert kind == "image/svg+xml" and b"<svg" in image
    assert [text for text in glyph_measures if "$" not in text] == []
