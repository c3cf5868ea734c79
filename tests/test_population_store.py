"""Population years from the raw store: POSAS files added by hand, and the choice of source."""

import io
import zipfile

import pytest

from diagnosis import store
from diagnosis.cli import main
from diagnosis.indicators import compute_indicators
from diagnosis.intake import importing
from diagnosis.tables import measures, population
from diagnosis.territory import resolve_territory
from national_files import balance_for_every_comune, demo_bytes, mef_for_every_comune

HEADER_20 = (
    '"Codice comune";"Comune";"Età";"Celibi";"Coniugati";"Divorziati";"Vedovi";"Uniti civilmente";'
    '"Maschi già in unione civile (per scioglimento unione)";"Maschi già in unione civile (per decesso del partner)";'
    '"Totale maschi";"Nubili";"Coniugate";"Divorziate";"Vedove";"Unite civilmente";'
    '"Femmine già in unione civile (per scioglimento unione)";"Femmine già in unione civile (per decesso del partner)";'
    '"Totale femmine";"Totale"'
)
HEADER_6 = '"Codice comune";"Comune";"Età";"Totale maschi";"Totale femmine";"Totale"'


def _row20(code, name, age, males, females):
    age_cell = '"100 e più"' if age == 100 else str(age)
    return (f'"{code}";"{name}";{age_cell};{males};0;0;0;0;0;0;{males};'
            f'{females};0;0;0;0;0;0;{females};{males + females}')


def posas_bytes(year: int, comuni: dict[str, tuple[str, int, int]], estimate: bool = False) -> bytes:
    """A POSAS file as demo.istat.it publishes it: BOM, CRLF, quoted title, 999 rows, note line.

    Each comune has ``males`` and ``females`` at every age 0..100.
    """
    suffix = " (stima)" if estimate else ""
    title = f'"Popolazione residente per età, sesso e stato civile al 1° gennaio {year}{suffix}"'
    lines = [title, HEADER_6 if estimate else HEADER_20]
    for code, (name, males, females) in comuni.items():
        for age in range(101):
            if estimate:
                cell = '"100 e più"' if age == 100 else str(age)
                lines.append(f'"{code}";"{name}";{cell};{males};{females};{males + females}')
            else:
                lines.append(_row20(code, name, age, males, females))
        m, f = males * 101, females * 101
        # The 999 row is the comune's total; in the final layout its civil-union cells are empty.
        total = f"{m};{f};{m + f}" if estimate else f"{m};0;0;0;;;;{m};{f};0;0;0;;;;{f};{m + f}"
        lines.append(f'"{code}";"{name}";999;{total}')
    lines += ['"Nota: dati di prova"', ""]
    csv_bytes = ("\ufeff" + "\r\n".join(lines)).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"POSAS_{year}_it_Comuni.csv", csv_bytes)
    return buffer.getvalue()


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def _add(folder, name, data):
    path = folder / name
    path.write_bytes(data)
    return importing.add_file(path)


def stored_as_landed(name, data):
    """Put a file in the store as a download lands it, without the import's completeness check.

    These tests are about how a stored table of a few comuni is read and combined with the
    others; importing such a file by hand is refused (``test_import_validation``).
    """
    from diagnosis.intake.recognise import recognise

    found = recognise(data, name=name)
    return store.save_bytes(found.dataset, found.suggested_name, data, source=name, vintage="prova",
                            status=found.status, years=found.years)


def test_a_stored_year_takes_the_place_of_the_snapshot_for_its_comuni(empty_store):
    entry = stored_as_landed("download (3).zip", posas_bytes(2024, {"015175": ("Pioltello", 180, 190)}))
    assert (entry["dataset"], entry["years"], entry["status"]) == ("posas", [2024], "definitivo")
    assert 2024 in measures.years("popolazione_eta")
    result = compute_indicators(resolve_territory("Pioltello"), 2024)
    popolazione = result["indicatori"]["popolazione"]
    # final in both: the file the analyst added wins over the snapshot for the comune it covers
    assert popolazione["valore"] == (180 + 190) * 101
    assert popolazione["stato"] == "definitivo" and "POSAS" in popolazione["fonte"]
    # the other comuni of the province keep the snapshot's figures, so the province stays a benchmark
    milano = popolazione["confronti"]["provincia:MI"]
    others = sum(population.totals_by_comune(2024, [c for c in resolve_territory("provincia:MI").comuni
                                                     if c != "015175"]).values())
    assert milano == others + (180 + 190) * 101
    # the age structure of 2024 exists for Pioltello only: no benchmark is read on another date
    assert result["indicatori"]["indice_vecchiaia"]["riferimento"] == "al 1° gennaio 2024"
    assert result["indicatori"]["indice_vecchiaia"]["confronti"]["provincia:MI"] is None
    assert any("provincia:MI" in w and "confronto omesso" in w for w in result["avvisi"])
    # the change compares final with final: the snapshot's 1/1/2023 (SDMX 22_289) for Pioltello
    change = result["indicatori"]["variazione_popolazione_pct"]["valore"]
    assert change == pytest.approx((370 * 101 - 36271) / 36271 * 100, abs=0.01)


def test_a_final_file_replaces_the_embedded_estimate(empty_store):
    stored_as_landed("posas2023.zip", posas_bytes(2023, {"015175": ("Pioltello", 100, 100)}))
    pioltello = measures.resolve("popolazione_eta", 2023).sum_for(["015175"])
    assert pioltello.values.sum() == 200 * 101 and pioltello.stato == "definitivo"
    assert [e.origine for e in pioltello.edizioni] == ["archivio"]
    # the rest of Italy keeps the embedded estimate
    assert measures.resolve("popolazione_eta", 2023).sum_for(["036040"]).stato == "stima"


def test_a_stored_estimate_does_not_replace_a_final_year(empty_store):
    stored_as_landed("stima.zip", posas_bytes(2022, {"015175": ("Pioltello", 1, 1)}, estimate=True))
    pioltello = measures.resolve("popolazione", 2022).sum_for(["015175"])
    assert pioltello.stato == "definitivo" and pioltello.get("T") == 36202


def test_dati_aggiungi_refuses_unknown_files_and_leaves_store_untouched(empty_store, capsys):
    from test_demo_istat import P2_LINES

    good = empty_store / "buono.csv"
    good.write_bytes(demo_bytes(balance_for_every_comune(P2_LINES)))
    bad = empty_store / "pagina.csv"
    bad.write_bytes(b"<!DOCTYPE html><html><body>Errore</body></html>")
    assert main(["dati", "aggiungi", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "riconosciuto come p2 2025" in out and "rifiutato" in out and "HTML" in out
    assert [e["dataset"] for e in store.entries()] == ["p2"]
    assert main(["dati", "stato"]) == 0
    assert "p2" in capsys.readouterr().out


def test_mef_file_is_recognised_whatever_its_name(empty_store, fixtures):
    data = mef_for_every_comune((fixtures / "mef" / "irpef_comunale_2023_utf8.csv").read_bytes())
    entry = _add(empty_store, "scaricato.csv", data)
    assert (entry["dataset"], entry["years"], entry["status"]) == ("mef_irpef", [2023], "definitivo")
    assert entry["filename"].startswith("Redditi_e_principali_variabili_IRPEF")


def test_unknown_file_lists_what_is_accepted(empty_store):
    from diagnosis.errors import FileNonRiconosciuto

    path = empty_store / "altro.csv"
    path.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    with pytest.raises(FileNonRiconosciuto) as error:
        importing.add_file(path)
    message = str(error.value)
    assert "posas" in message and "mef_irpef" in message and "comuni_soppressi" in message
    assert store.entries() == []


def test_manifest_lists_the_store_file_used(empty_store):
    from diagnosis.report.manifest import build_manifest

    entry = stored_as_landed("posas.zip", posas_bytes(2024, {"015175": ("Pioltello", 3, 4)}))
    manifest = build_manifest(resolve_territory("Pioltello"), 2024, {"territorio": "015175", "anno": 2024})
    stored = [d for d in manifest["dati"] if d["file"] == entry["path"]]
    assert stored and stored[0]["sha256"] == entry["sha256"] and stored[0]["stato"] == "definitivo"


FIXTURE_PIOLTELLO_2023 = (26100, 612345678.0)  # contribuenti, reddito imponibile in the MEF fixture


def test_income_indicators_from_a_stored_mef_year(empty_store, fixtures):
    _add(empty_store, "mef.csv", mef_for_every_comune((fixtures / "mef" / "irpef_comunale_2023_utf8.csv").read_bytes()))
    result = compute_indicators(resolve_territory("Pioltello"), 2023)["indicatori"]
    taxpayers, income = FIXTURE_PIOLTELLO_2023
    assert result["contribuenti"]["valore"] == taxpayers
    assert result["reddito_imponibile_per_contribuente"]["valore"] == pytest.approx(income / taxpayers, abs=0.01)
    # per inhabitant: residents of 1 January of the same tax year, final (SDMX 22_289)
    assert result["reddito_imponibile_per_abitante"]["valore"] == pytest.approx(income / 36271, abs=0.01)
    assert result["contribuenti"]["stato"] == "definitivo" and "anno d'imposta 2023" in result["contribuenti"]["fonte"]
    assert result["contribuenti"]["riferimento"] == "anno d'imposta 2023"


def test_the_snapshot_gives_income_and_the_latest_tax_year_is_used(empty_store):
    entry = compute_indicators(resolve_territory("Pioltello"))["indicatori"]["reddito_imponibile_per_contribuente"]
    assert entry["valore"] is not None and entry["riferimento"] == "anno d'imposta 2023"
    assert entry["confronti"]["provincia:MI"] is not None


def test_income_notebook_shows_the_values_and_their_tax_year(empty_store, fixtures):
    import html

    from diagnosis.report.runner import run_notebook

    from conftest import PROJECT_ROOT

    _add(empty_store, "mef.csv", mef_for_every_comune((fixtures / "mef" / "irpef_comunale_2023_utf8.csv").read_bytes()))
    executed = run_notebook(PROJECT_ROOT / "notebooks" / "redditi.ipynb", None,
                            {"territorio": "Pioltello", "anno": 2023}, in_process=True)
    present = html.unescape("".join(output.get("data", {}).get("text/html", "") for cell in executed.cells
                                    if cell.cell_type == "code" for output in cell.get("outputs", [])))
    assert "23.462 €" in present and "Reddito imponibile per contribuente" in present
    assert "anno d'imposta 2023" in present


def test_balance_rates_per_thousand_from_a_stored_p2(empty_store):
    from test_demo_istat import P2_LINES

    _add(empty_store, "bilancio.csv", demo_bytes(balance_for_every_comune(P2_LINES)))
    result = compute_indicators(resolve_territory("Pioltello"), 2025)["indicatori"]
    # Pioltello in the P2 fixture: 210 on 1 January, 212 on 31 December, 3 births, 3 deaths.
    mean = (210 + 212) / 2
    assert result["tasso_natalita"]["valore"] == pytest.approx(3 / mean * 1000, abs=0.01)
    assert result["tasso_mortalita"]["valore"] == pytest.approx(3 / mean * 1000, abs=0.01)
    assert result["tasso_crescita_naturale"]["valore"] == 0
    assert result["tasso_migratorio_totale"]["valore"] == pytest.approx(2 / mean * 1000, abs=0.01)
    assert result["tasso_natalita"]["stato"] == "provvisorio"  # the row is marked "p"
    assert result["tasso_natalita"]["riferimento"] == "anno 2025"
    # a handful of events: flagged, not judged
    assert result["tasso_natalita"]["piccoli_numeri"] and result["tasso_natalita"]["giudizio"] == "non giudicato"


def test_without_a_balance_up_to_the_year_the_rates_say_how_to_get_it(empty_store):
    entry = compute_indicators(resolve_territory("Pioltello"), 2023)["indicatori"]["tasso_natalita"]
    assert entry["valore"] is None and "--fonte p2 --anni 2022" in entry["nota"]
