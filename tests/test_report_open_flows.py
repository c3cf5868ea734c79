"""The report's section on open proxies of people flows: each part shown when its data are
held, left out of the client's edition and listed in the appendix when not."""

import html
import re
import zipfile

import pytest

from diagnosis.intake.importing import add_file
from diagnosis.report import open_flows
from diagnosis.report.fotografia import build_fotografia
from diagnosis.territory import resolve_territory


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def pages(tmp_path_factory, fixtures_dir):
    """Sassuolo's fotografia in both editions, with the commuting matrix and no tourism download."""
    folder = tmp_path_factory.mktemp("flussi")
    archive = folder / "matrici_pendolarismo_2011.zip"
    with zipfile.ZipFile(archive, "w") as published:
        published.write(fixtures_dir / "pendolarismo" / "matrix_pendo2011_estratto.txt",
                        "MATRICE PENDOLARISMO 2011/matrix_pendo2011_10112014.txt")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIAGNOSIS_DATA_DIR", str(folder / "data"))
        add_file(archive)
        territory = resolve_territory("Sassuolo")
        return {edition: build_fotografia(territory, year=2023, output_dir=folder / edition, edition=edition,
                                          in_process=True).html.read_text(encoding="utf-8")
                for edition in ("cliente", "analista")}


@pytest.fixture(scope="module")
def fixtures_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent / "fixtures"


@pytest.mark.slow
def test_the_client_edition_shows_commuting_and_leaves_tourism_to_the_appendix(pages):
    text = _text(pages["cliente"])
    assert "Pendolarismo per studio e lavoro" in text and "autocontenimento: quota di pendolari residenti" in text
    assert "Fiorano Modenese" in text  # the main destination of Sassuolo's residents in the fixture
    assert "Turismo: capacità ricettiva" not in text
    assert "Capacità ricettiva ISTAT non presente nell'archivio." in text  # listed once, in the appendix
    assert text.count("Capacità ricettiva ISTAT non presente nell'archivio.") == 1
    assert "diagnosis dati" not in text
    assert pages["cliente"].index('id="pendolarismo"') < pages["cliente"].index('id="lacune"')


@pytest.mark.slow
def test_the_analyst_edition_says_how_to_get_tourism(pages):
    text = _text(pages["analista"])
    assert "--fonte capacita_ricettiva" in text and "Capacità di spesa dei residenti" in text


def test_figures_table_puts_territories_side_by_side_with_shares_as_percent():
    import pandas as pd

    table = pd.DataFrame({
        "territorio": ["A", "A", "B", "B"], "etichetta": ["persone", "quota", "persone", "quota"],
        "valore": [10.0, 0.25, 40.0, float("nan")], "unita": ["persone", "quota", "persone", "quota"],
    })
    shown = open_flows.figures_table(table, {"A": "Alfa", "B": "Beta"})
    assert list(shown.columns) == ["Voce", "unita", "Alfa", "Beta"]
    assert shown["unita"].tolist() == ["persone", "%"]
    assert shown["Alfa"].tolist() == [10.0, 25.0]
    assert shown["Beta"].iloc[0] == 40.0 and pd.isna(shown["Beta"].iloc[1])  # missing stays missing


@pytest.fixture(scope="module")
def page_with_2021(tmp_path_factory, fixtures_dir):
    """Sassuolo's client fotografia holding both matrices: work from 2021, study from 2011."""
    folder = tmp_path_factory.mktemp("flussi_2021")
    census = folder / "matrici_pendolarismo_2011.zip"
    with zipfile.ZipFile(census, "w") as published:
        published.write(fixtures_dir / "pendolarismo" / "matrix_pendo2011_estratto.txt",
                        "MATRICE PENDOLARISMO 2011/matrix_pendo2011_10112014.txt")
    work = folder / "matrix_pendoLAVORO_2021.zip"
    with zipfile.ZipFile(work, "w") as published:
        published.write(fixtures_dir / "pendolarismo" / "matrix_pendoLAVORO_2021_estratto.txt",
                        "matrix_pendoLAVORO_2021.txt")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIAGNOSIS_DATA_DIR", str(folder / "data"))
        add_file(census)
        add_file(work)
        return build_fotografia(resolve_territory("Sassuolo"), year=2023, output_dir=folder / "cliente",
                                edition="cliente", in_process=True).html.read_text(encoding="utf-8")


@pytest.mark.slow
def test_with_the_2021_matrix_each_reason_names_its_census(page_with_2021):
    text = _text(page_with_2021)
    assert "Il pendolarismo per lavoro viene dal censimento permanente 2021" in text
    assert "Il pendolarismo per studio viene dal censimento 2011" in text
    assert "Pendolari per lavoro, Sassuolo a confronto (censimento permanente 2021)" in text
    assert "Pendolari per studio, Sassuolo a confronto (censimento 2011)" in text
    assert "Pendolari per studio e lavoro, Sassuolo" not in text  # no total across two censuses
    assert "Dove vanno i residenti che escono (per lavoro, censimento permanente 2021, i primi 5)" in text
    assert "residenti che vanno al lavoro almeno tre giorni a settimana" in text
    assert "stima dal campione del censimento 2011" in text  # modes: 2011 only
