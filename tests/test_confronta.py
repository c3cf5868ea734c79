"""``diagnosis confronta``: revisions apart from real change, projections checked, mergers flagged."""

import copy
import html
import json

import pandas as pd
import pytest

from diagnosis.cli import main
from diagnosis.report.compare import ManifestoNonValido, comparison_table, composition, load_manifest


def _entry(value, status="definitivo", fonte="ISTAT POSAS"):
    return {"valore": value, "unita": "abitanti", "fonte": fonte, "stato": status, "confronti": {}}


def _projection(rows):
    keys = ("anno", "valore", "basso_80", "alto_80", "basso_95", "alto_95")
    return {"proiezioni": {"popolazione": [dict(zip(keys, row)) | {"modello": "Hamilton-Perry"} for row in rows]}}


BASELINE = {
    "schema": 1,
    "territorio": {"id": "duc-prova", "nome": "DUC di prova", "livello": "distretto", "comuni": ["005079", "005110"]},
    "generata_il": "2023-03-01T10:00:00+00:00",
    "anno": 2023,
    "indicatori": {
        "popolazione": _entry(1000, status="stima", fonte="ISTAT stima 2023"),
        "popolazione_maschi": _entry(490),
        "indice_vecchiaia": {**_entry(200.0), "unita": "per 100"},
    },
    "proiezioni": _projection([(2024, 990, 980, 1000, 970, 1010), (2025, 985, 970, 1000, 955, 1015)]),
}


def _manifest(year, values, comuni=None, status="definitivo"):
    new = copy.deepcopy(BASELINE)
    new["anno"] = year
    new["generata_il"] = "2025-03-01T10:00:00+00:00"
    for key, value in values.items():
        new["indicatori"][key]["valore"] = value
        new["indicatori"][key]["stato"] = status
    if comuni:
        new["territorio"]["comuni"] = comuni
    return new


def test_same_year_new_vintage_is_a_revision_not_a_change():
    revised = _manifest(2023, {"popolazione": 1012})
    table = comparison_table(BASELINE, revised).set_index("indicatore")
    assert table.loc["popolazione", "tipo"] == "revisione"
    assert table.loc["popolazione", "variazione_assoluta"] == 12
    assert table.loc["popolazione_maschi", "tipo"] == "invariato"
    assert table.loc["popolazione", "esito_proiezione"] == ""


def test_same_value_with_a_final_status_is_still_a_revision():
    confirmed = copy.deepcopy(BASELINE)
    confirmed["indicatori"]["popolazione"].update(stato="definitivo", fonte="ISTAT POSAS")
    table = comparison_table(BASELINE, confirmed).set_index("indicatore")
    assert table.loc["popolazione", "tipo"] == "revisione"
    assert table.loc["popolazione", "variazione_assoluta"] == 0


def test_unchanged_value_and_source_is_unchanged():
    table = comparison_table(BASELINE, copy.deepcopy(BASELINE)).set_index("indicatore")
    assert set(table["tipo"]) == {"invariato"}


def test_later_year_is_real_change_checked_against_projection():
    inside = comparison_table(BASELINE, _manifest(2024, {"popolazione": 995})).set_index("indicatore")
    assert inside.loc["popolazione", "tipo"] == "cambiamento"
    assert inside.loc["popolazione", "variazione_percentuale"] == pytest.approx(-0.5)
    assert inside.loc["popolazione", "esito_proiezione"] == "nell'intervallo previsto"
    assert inside.loc["popolazione", "intervallo_80"] == "980–1000"


def test_change_outside_the_projected_interval_is_flagged():
    below = comparison_table(BASELINE, _manifest(2025, {"popolazione": 950})).set_index("indicatore")
    assert below.loc["popolazione", "esito_proiezione"] == "sotto l'intervallo previsto (anche al 95%)"
    above = comparison_table(BASELINE, _manifest(2024, {"popolazione": 1005})).set_index("indicatore")
    assert above.loc["popolazione", "esito_proiezione"] == "sopra l'intervallo previsto"
    no_projection = comparison_table(BASELINE, _manifest(2030, {"popolazione": 900})).set_index("indicatore")
    assert no_projection.loc["popolazione", "esito_proiezione"] == "nessuna proiezione per quell'anno"


def test_merger_changes_the_composition():
    merged = _manifest(2024, {"popolazione": 1001}, comuni=["005122"])
    change = composition(BASELINE, merged)
    assert change.changed and change.removed == ("005079", "005110") and change.added == ("005122",)


def test_cli_writes_html_csv_xlsx(tmp_path, capsys):
    base, new = tmp_path / "base", tmp_path / "nuovo.json"
    base.mkdir()
    (base / "manifest.json").write_text(json.dumps(BASELINE), encoding="utf-8")
    merged = _manifest(2025, {"popolazione": 950}, comuni=["005122"])
    merged["territorio"]["nome"] = "DUC <b>di</b> prova"
    new.write_text(json.dumps(merged), encoding="utf-8")
    assert main(["confronta", str(base), str(new), "--output", str(tmp_path / "out")]) == 0
    assert "3 variazioni reali" in capsys.readouterr().out
    folder = tmp_path / "out" / "DUC-di-prova-duc-prova"
    page = (folder / "confronto.html").read_text(encoding="utf-8")
    assert "Cosa è cambiato dalla fotografia di partenza" in page
    assert "composizione" in page and "005122" in page
    assert "sotto l'intervallo previsto" in html.unescape(page)  # as the reader sees it, an apostrophe in any entity
    csv = pd.read_csv(folder / "confronto.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert csv.set_index("indicatore").loc["popolazione", "valore_nuovo"] == 950
    assert pd.read_excel(folder / "confronto.xlsx").shape[0] == len(BASELINE["indicatori"])


def test_not_a_manifest_is_refused(tmp_path):
    path = tmp_path / "altro.json"
    path.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(ManifestoNonValido, match="diagnosis fotografia"):
        load_manifest(path)
    with pytest.raises(ManifestoNonValido, match="non esiste"):
        load_manifest(tmp_path / "manca.json")


def test_a_figure_missing_at_baseline_is_new_data_not_unchanged():
    later = _manifest(2024, {"popolazione": 995})
    later["indicatori"]["reddito_per_contribuente"] = {**_entry(23331.0), "unita": "euro"}
    baseline = copy.deepcopy(BASELINE)
    baseline["indicatori"]["reddito_per_contribuente"] = {**_entry(None), "unita": "euro"}
    baseline["indicatori"]["indice_vecchiaia"]["valore"] = None
    later["indicatori"]["indice_vecchiaia"]["valore"] = None
    table = comparison_table(baseline, later).set_index("indicatore")
    assert table.loc["reddito_per_contribuente", "tipo"] == "nuovo dato"
    assert table.loc["indice_vecchiaia", "tipo"] == "non disponibile"
    gone = comparison_table(later, baseline).set_index("indicatore")
    assert gone.loc["reddito_per_contribuente", "tipo"] == "non più disponibile"


def test_the_same_figure_in_two_fotografie_of_different_years_is_unchanged_not_a_change():
    # incomes are published once a year: both fotografie may show the tax year 2023
    baseline, later = copy.deepcopy(BASELINE), _manifest(2024, {"popolazione": 995})
    for manifest in (baseline, later):
        manifest["indicatori"]["reddito_per_contribuente"] = {
            **_entry(23331.0), "unita": "euro", "riferimento": "anno d'imposta 2023"}
    baseline["indicatori"]["popolazione"]["riferimento"] = "1° gennaio 2023"
    later["indicatori"]["popolazione"]["riferimento"] = "1° gennaio 2024"
    table = comparison_table(baseline, later).set_index("indicatore")
    assert table.loc["reddito_per_contribuente", "tipo"] == "invariato"
    assert table.loc["popolazione", "tipo"] == "cambiamento"


def test_the_page_lists_new_data_in_its_own_section(tmp_path, capsys):
    base, new = tmp_path / "base", tmp_path / "nuovo.json"
    base.mkdir()
    baseline = copy.deepcopy(BASELINE)
    baseline["indicatori"]["indice_vecchiaia"]["valore"] = None
    (base / "manifest.json").write_text(json.dumps(baseline), encoding="utf-8")
    new.write_text(json.dumps(_manifest(2024, {"popolazione": 995})), encoding="utf-8")
    assert main(["confronta", str(base), str(new), "--output", str(tmp_path / "out")]) == 0
    assert "1 nuovo dato" in capsys.readouterr().out
    page = (tmp_path / "out" / "DUC-di-prova-duc-prova" / "confronto.html").read_text(encoding="utf-8")
    new_section = page[page.index('id="nuovi-dati"'):page.index('id="invariati"')]
    assert "Indice di vecchiaia" in new_section or "indice_vecchiaia" in new_section
    assert "Indice di vecchiaia" not in page[page.index('id="invariati"'):]
