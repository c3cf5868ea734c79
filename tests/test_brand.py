"""The consultant's brand (``--marchio``): read and checked whole, applied to the page and its print margins."""

import base64
import re
import shutil

import nbformat
import pytest

from diagnosis.config import TEMPLATES_DIR
from diagnosis.errors import MarchioNonValido, RichiestaNonValida
from diagnosis.report.brand import LOGO_MAX_BYTES, load_brand
from diagnosis.report.export import css_string, export_html

from html_checks import external_references

EXAMPLE = TEMPLATES_DIR / "marchio.yaml"
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")


def _brand_file(folder, text: str):
    path = folder / "marchio.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_example_is_a_valid_brand_with_its_logo_inside():
    brand = load_brand(EXAMPLE)
    logo = (TEMPLATES_DIR / "marchio_logo.svg").read_bytes()
    assert brand.logo == "data:image/svg+xml;base64," + base64.b64encode(logo).decode()
    assert brand.cliente.startswith("Comune di Esempio") and brand.autore
    assert brand.testo_copertina.count("\n") == 1  # a block of two lines, the final newline dropped
    assert re.fullmatch(r"#[0-9a-f]{6}", brand.colore_primario) and re.fullmatch(r"#[0-9a-f]{6}", brand.colore_secondario)


def test_a_logo_is_found_beside_the_brand_file_and_short_colours_are_written_out(tmp_path):
    (tmp_path / "logo.png").write_bytes(PNG_1PX)
    brand = load_brand(_brand_file(tmp_path, 'logo: logo.png\ncolore_primario: "#C55"\ncliente: "0012"\n'))
    assert base64.b64decode(brand.logo.split(",", 1)[1]) == PNG_1PX and brand.logo.startswith("data:image/png;")
    assert brand.colore_primario == "#cc5555" and brand.colore_secondario == ""
    assert brand.cliente == "0012"  # text stays text, never a number


def test_the_digest_follows_the_logo_bytes(tmp_path):
    (tmp_path / "logo.png").write_bytes(PNG_1PX)
    path = _brand_file(tmp_path, "logo: logo.png\n")
    before = load_brand(path).digest()
    (tmp_path / "logo.png").write_bytes(PNG_1PX + b"\0")
    assert load_brand(path).digest() != before
    assert load_brand(path).digest() == load_brand(path).digest()


@pytest.mark.parametrize("text, files, expected", [
    ("logo: manca.png\n", {}, "il logo .*manca.png non esiste"),
    ("logo: logo.gif\n", {"logo.gif": b"GIF89a"}, "non è un PNG o un SVG"),
    ("logo: logo.png\n", {"logo.png": b"<html>non un'immagine</html>"}, "non contiene un'immagine PNG"),
    ("logo: logo.svg\n", {"logo.svg": b"\x89PNG\r\n\x1a\n"}, "non contiene un'immagine SVG"),
    ("colore_primario: #1f5f8b\n", {}, "colore_primario è vuota. Scrivere il colore tra virgolette"),
    ('colore_secondario: "blu"\n', {}, "colore_secondario «blu» non è valido"),
    ('colore_primario: "#12345"\n', {}, "colore_primario «#12345» non è valido"),
    ("logos: logo.png\n", {}, "voci sconosciute: logos. Le voci ammesse sono: logo, cliente"),
    ("- un elenco\n", {}, "deve contenere voci «nome: valore»"),
    ("cliente: [a, b]\n", {}, "la voce cliente deve essere un testo"),
    ("cliente: 'non chiusa\n", {}, "non è un YAML leggibile"),
    ("", {}, "è vuoto"),
])
def test_a_faulty_brand_names_its_entry_and_the_fix(tmp_path, text, files, expected):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with pytest.raises(MarchioNonValido, match=expected) as raised:
        load_brand(_brand_file(tmp_path, text))
    assert isinstance(raised.value, RichiestaNonValida) and "marchio.yaml" in str(raised.value)


def test_a_missing_brand_file_or_a_heavy_logo_is_refused(tmp_path):
    with pytest.raises(MarchioNonValido, match="File del marchio non trovato.*--marchio"):
        load_brand(tmp_path / "manca.yaml")
    (tmp_path / "logo.png").write_bytes(PNG_1PX + b"\0" * LOGO_MAX_BYTES)
    with pytest.raises(MarchioNonValido, match="Ridurne le dimensioni"):
        load_brand(_brand_file(tmp_path, "logo: logo.png\n"))


def test_the_cli_reports_a_bad_brand_before_any_work_without_a_traceback(tmp_path, capsys):
    from diagnosis.cli import main

    path = _brand_file(tmp_path, "logo: manca.svg\n")
    assert main(["fotografia", "Morterone", "--output", str(tmp_path / "out"), "--marchio", str(path)]) == 2
    assert main(["batch", "Morterone", "--output", str(tmp_path / "out"), "--marchio", str(path)]) == 2
    errors = capsys.readouterr().err
    assert errors.count("manca.svg non esiste") == 2 and "Traceback" not in errors
    assert not (tmp_path / "out").exists()


def _unescaped(css: str) -> str:
    return re.sub(r"\\([0-9a-f]{6})", lambda match: chr(int(match.group(1), 16)), css)


@pytest.mark.parametrize("text", ['Distretto <script>alert("x")</script> & Co', "Cantù \\ l'altra\nriga", "</style>"])
def test_a_margin_text_cannot_leave_its_css_string(text):
    escaped = css_string(text)
    assert re.fullmatch(r"(?:[A-Za-z0-9]|\\[0-9a-f]{6})*", escaped)
    assert _unescaped(escaped) == " ".join(text.split())


def _small_notebook():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Il territorio\n\nTesto.")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def test_the_brand_is_on_the_page_and_its_margins(tmp_path):
    shutil.copy(TEMPLATES_DIR / "marchio_logo.svg", tmp_path / "logo.svg")
    brand = load_brand(_brand_file(tmp_path, (
        'logo: logo.svg\ncliente: "Comune <b>di</b> Prova & C."\nautore: Studio Rossi\n'
        'testo_copertina: "Allegato A"\ncolore_primario: "#7a1f3d"\ncolore_secondario: "#d98e04"\n')))
    page = export_html(_small_notebook(), "Fotografia di partenza — Prova", "Prova", brand)
    logo = re.search(r'<img [^>]*class="logo"[^>]*>', page).group(0)
    assert 'alt="Logo di Comune &lt;b&gt;di&lt;/b&gt; Prova &amp; C."' in logo and f'src="{brand.logo}"' in logo
    assert "Comune &lt;b&gt;di&lt;/b&gt; Prova &amp; C." in page and "<b>di</b>" not in page
    assert "Allegato A" in page and "Studio Rossi" in page
    assert "--colore-territorio: #7a1f3d;" in page and "--colore-secondario: #d98e04;" in page
    head = re.search(r'--intestazione: "([^"]*)";', page).group(1)
    assert _unescaped(head) == "Fotografia di partenza · Prova · per Comune <b>di</b> Prova & C."
    assert _unescaped(re.search(r'--piede: "([^"]*)";', page).group(1)) == "A cura di Studio Rossi"
    assert external_references(page) == [] and "<script" not in page


def test_without_a_brand_the_page_has_its_running_head_only_and_plain_export_neither():
    page = export_html(_small_notebook(), "Fotografia di partenza — Prova", "Prova")
    assert 'class="marchio"' not in page and "--colore-territorio: #" in page  # the house colour only
    assert _unescaped(re.search(r'--intestazione: "([^"]*)";', page).group(1)) == "Fotografia di partenza · Prova"
    assert re.search(r'--piede: "";', page)
    plain = export_html(_small_notebook(), "Fotografia di partenza — Prova")
    assert "--intestazione:" not in plain and "pagina " in plain  # page numbers come from the stylesheet
