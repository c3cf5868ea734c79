"""``diagnosis dati``: download, import, list and remove the data the fotografie use."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from diagnosis import config, store
from diagnosis.commands.progress import RowProgress, announce_large_file
from diagnosis.downloads import census_sections, national, territorial
from diagnosis.errors import (
    DiagnosisError,
    FileAnalistaNonValido,
    FileArchiviatoSconosciuto,
    FonteSconosciuta,
    PresenzeNonValide,
    QuestionarioNonValido,
    SnapshotNonDisponibile,
    describe_unexpected,
)
from diagnosis.intake import importing, removal
from diagnosis.intake.recognise import recognise
from diagnosis.intake.status import store_status
from diagnosis.snapshot.status import snapshot_lines
from diagnosis.sources import embedded
from diagnosis.sources.presences import read_presences
from diagnosis.sources.survey import read_survey
from diagnosis.store import raw
from diagnosis.store.limits import size_text
from diagnosis.tables.analyst_files import format_problems, validate
from diagnosis.tables.census_sections import regions_of
from diagnosis.territory import resolve_territory


def _tidy_leftovers() -> None:
    """Before importing: what interrupted imports left in the store goes, and the user is told."""
    tidied = store.raw.tidy_leftovers()
    if tidied:
        size = sum(leftover.size for leftover in tidied)
        print(f"Nota: rimossi {len(tidied)} file temporanei lasciati da importazioni interrotte "
              f"({size_text(size)}): {', '.join(leftover.path.name for leftover in tidied[:5])}"
              f"{', …' if len(tidied) > 5 else ''}.", file=sys.stderr)


def download(source_id: str, years_text: str | None, territory_argument: str | None,
             with_comparisons: bool = True, regions_text: str | None = None) -> int:
    _tidy_leftovers()
    if source_id in census_sections.published_files():
        return _download_sections(source_id, regions_text, territory_argument)
    if source_id == "osm":
        return _download_osm(territory_argument, with_comparisons)
    if source_id == "osm_rete":
        return _download_osm_network(territory_argument)
    if source_id in territorial.territorial_sources():
        return _download_territorial(source_id, years_text, territory_argument, with_comparisons)
    item = national.source(source_id)
    if territory_argument:
        territory = resolve_territory(territory_argument)
        print(f"Nota: {source_id} è un file nazionale unico: scaricato intero (vale anche per {territory.nome}).")
    return _download_each(
        source_id, national.parse_years(years_text, item), lambda year: national.download_year(item, year),
        lambda entry: f"{entry['path']} ({entry['status']}, {_bytes(entry['size'])})",
        "Anni non scaricati: {}. Il resto dell'archivio è invariato.")


def _download_sections(source_id: str, regions_text: str | None, territory_argument: str | None) -> int:
    """One file per region: those listed with --regione, or the regions of the territory's comuni."""
    if regions_text:
        regions = [census_sections.region_code(part) for part in regions_text.split(",")]
    elif territory_argument:
        regions = regions_of(resolve_territory(territory_argument).comuni)
    else:
        raise FonteSconosciuta(f"La fonte {source_id} si scarica per regione: aggiungere --regione (es. --regione 03) "
                               "oppure --territorio, per le regioni dei suoi comuni.")
    return _download_each(
        f"{source_id} regione", regions, lambda region: census_sections.download_region(source_id, region),
        lambda entry: f"{entry['path']} ({_bytes(entry['size'])})",
        "Regioni non scaricate: {}. Il resto dell'archivio è invariato.")


def _require_territory(source_id: str, territory_argument: str | None):
    if not territory_argument:
        raise FonteSconosciuta(
            f"La fonte {source_id} si scarica per territorio: aggiungere --territorio, es. "
            f"diagnosis dati scarica --fonte {source_id} --territorio \"Sassuolo (MO)\""
        )
    return resolve_territory(territory_argument)


def _download_territorial(source_id: str, years_text: str | None, territory_argument: str | None,
                          with_comparisons: bool) -> int:
    item = territorial.territorial_sources()[source_id]
    territory = _require_territory(source_id, territory_argument)
    years = national.parse_years(years_text, item)
    codes = territorial.comuni_to_fetch(territory, with_province=with_comparisons, with_peers=with_comparisons,
                                        with_old_codes=item.past_codes)
    try:
        entry = territorial.download_for_territory(item, territory, years, codes)
    except DiagnosisError as error:
        print(f"{source_id} {territory.nome}: non scaricato — {error}")
        print("L'archivio è invariato; le risposte già ricevute restano in cache e non saranno richieste di nuovo.")
        return 1
    print(f"{source_id} {territory.nome}: {entry['path']} ({len(entry['comuni'])} comuni, anni "
          f"{entry['years'][0]}-{entry['years'][-1]}, {entry['status']})")
    return 0


def _download_osm(territory_argument: str | None, with_comparisons: bool) -> int:
    territory = _require_territory("osm", territory_argument)
    # The peers' maps give the vacancy level to compare with; the province would be too many
    # calls for a service that asks for about two a minute.
    codes = territorial.comuni_to_fetch(territory, with_province=False, with_peers=with_comparisons)
    minutes = max(1, round(len(codes) * 30 / 60))
    print(f"osm: {len(codes)} comuni (il territorio{' e i comuni simili' if len(codes) > len(territory.comuni) else ''}), "
          f"una richiesta Overpass ciascuno, almeno 30 secondi l'una: circa {minutes} minuti.")
    return _download_per_comune("osm", codes, territorial.download_osm_comune)


def _download_osm_network(territory_argument: str | None) -> int:
    territory = _require_territory("osm_rete", territory_argument)
    # The network is analysed for the territory only: no benchmark comuni to fetch.
    codes = list(territory.comuni)
    howmany = "1 comune" if len(codes) == 1 else f"{len(codes)} comuni"
    print(f"osm_rete: {howmany} del territorio, una richiesta Overpass per comune (strade, ciclabili e stazioni), "
          f"almeno 30 secondi l'una.")
    return _download_per_comune("osm_rete", codes, territorial.download_osm_network_comune)


def _download_per_comune(source: str, codes, download) -> int:
    """One Overpass request per comune."""
    return _download_each(source, codes, download, lambda entry: f"{entry['path']} ({entry['vintage']})",
                          "Comuni non scaricati: {}. Gli altri sono salvati; ripetere il comando per completare.")


def _download_each(label: str, items, download, described, failed: str) -> int:
    """Each item downloaded in turn: a failure does not stop the others, and ``failed`` names them."""
    failures = []
    for item in items:
        try:
            print(f"{label} {item}: {described(download(item))}")
        except DiagnosisError as error:
            failures.append(str(item))
            print(f"{label} {item}: non scaricato — {error}")
    if failures:
        print(failed.format(", ".join(failures)))
        return 1
    return 0


def _bytes(size: int) -> str:
    return f"{size:,} byte".replace(",", ".")


ANALYST_DATASETS = ("registro_negozi", "rilevazione_sfitti")


def _check_analyst_file(path: str, territory) -> None:
    """Report every bad row of an analyst's file or survey; refuse the file when no row is usable."""
    dataset = recognise(path).dataset
    if dataset == "questionario":
        _check_survey(path)
        return
    if dataset == "presenze":
        _check_presences(path)
        return
    if dataset not in ANALYST_DATASETS:
        return
    with RowProgress(f"Controllo di {Path(path).name}") as progress:
        _kind, checked = validate(path, comuni=territory.comuni if territory else None, progress=progress)
    print(f"{path}: {len(checked.righe)} righe valide. {format_problems(checked.problemi)}")
    if checked.righe.empty:
        raise FileAnalistaNonValido(
            "nessuna riga valida: correggere le righe indicate sopra e ripetere diagnosis dati aggiungi."
        )


def _check_survey(path: str) -> None:
    survey = read_survey(path)
    print(f"{path}: {len(survey.risposte)} risposte valide ({survey.nome_strumento}).")
    for problem in survey.problemi:
        print(f"  riga {problem.riga}, colonna {problem.colonna}: «{problem.valore}» — {problem.messaggio}")
    if survey.risposte.empty:
        raise QuestionarioNonValido("nessuna risposta valida: correggere le righe indicate sopra e ripetere.")


def _check_presences(path: str) -> None:
    presences = read_presences(path)
    suppressed = (f", {presences.valori_oscurati} valori oscurati dal fornitore (restano mancanti, mai zero)"
                  if presences.valori_oscurati else "")
    print(f"{path}: {len(presences.presenze)} conteggi validi ({presences.formato}){suppressed}. "
          f"{format_problems(presences.problemi)}")
    if presences.colonne_ignorate:
        print(f"  Colonne ignorate: {', '.join(presences.colonne_ignorate)}.")
    if presences.presenze.empty:
        raise PresenzeNonValide("nessuna riga valida: correggere le righe indicate sopra e ripetere "
                                "diagnosis dati aggiungi.")


def add(paths: list[str], territory_argument: str | None = None) -> int:
    territory = resolve_territory(territory_argument) if territory_argument else None
    _tidy_leftovers()
    failures = 0
    for path in paths:
        try:
            announce_large_file(path, Path(path).stat().st_size)
            _check_analyst_file(path, territory)
            entry = importing.add_file(path, territory=territory)
            years = _years_text(entry["years"])
            where = f" per {territory.nome}" if entry.get("territorio") and territory else ""
            print(f"{path}: riconosciuto come {entry['dataset']} {years} ({entry['status']}){where} → {entry['path']}")
        except DiagnosisError as error:
            failures += 1
            print(f"{path}: rifiutato — {error}")
        except OSError as error:
            failures += 1
            print(f"{path}: rifiutato — il file non si può leggere ({error.strerror or error}): controllare "
                  "il percorso e che sia un file, non una cartella.")
        except Exception as error:  # noqa: BLE001 — one file's failure must not stop the files after it
            failures += 1
            if config.is_debug():
                traceback.print_exc(file=sys.stderr)
            what = f"l'importazione di {path}"
            print(f"{path}: non importato — {describe_unexpected(error, what)} L'archivio è invariato.")
    if failures:
        print("Il file rifiutato non è stato archiviato: l'archivio è invariato." if failures == 1 else
              "I file rifiutati non sono stati archiviati: per loro l'archivio è invariato.")
    return 1 if failures else 0


def _print_leftovers() -> None:
    found = store.raw.leftover_files()
    if not found:
        return
    print(f"File temporanei nell'archivio ({size_text(sum(f.size for f in found))} in tutto):")
    for leftover in found:
        state = ("importazione in corso" if leftover.in_progress
                 else "lasciato da un'importazione interrotta: lo rimuove il prossimo diagnosis dati aggiungi o scarica")
        print(f"  {leftover.path.relative_to(store.raw_dir())}  {size_text(leftover.size)}  {leftover.kind}, {state}")


def _years_text(years: list[int]) -> str:
    if len(years) > 3 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


def _print_snapshot() -> None:
    print("Dati incorporati (snapshot):")
    try:
        lines = snapshot_lines()
    except SnapshotNonDisponibile as error:
        lines = [f"  non disponibili — {error}"]
    for line in lines:
        print(line)


def status() -> int:
    print("Dati incorporati (sempre disponibili, anche offline):")
    for year in embedded.available_years():
        print(f"  popolazione per età e sesso {year}: {embedded.status_of(year)} — {embedded.vintage_of(year)}")
    _print_snapshot()
    table = store_status(verify=True)
    _print_leftovers()
    if table.empty:
        print("Archivio locale vuoto. Per aggiungere dati: diagnosis dati scarica --fonte posas --anni 2019-2025 "
              "oppure diagnosis dati aggiungi FILE (file scaricati a mano).")
        return 0
    print("Archivio locale (in uso: i dati che le fotografie prendono da ciascun file, per quanti comuni di oggi):")
    for row in table.itertuples():
        use = "in uso" if row.in_uso else "non in uso"
        note = f" — {row.nota}" if row.nota else ""
        where = f" [{row.territorio}]" if row.territorio else ""
        print(f"  {row.dataset:<16} {row.anno}  {row.stato:<11} {use:<10} {row.vintage}  {row.file}{where}{note}")
        if row.uso:
            print(f"      in uso: {row.uso}")
        if row.non_usato:
            print(f"      non in uso: {row.non_usato}")
    return 0


YES = ("s", "si", "sì", "y", "yes")


def remove(names: list[str], dataset: str | None, year: int | None, territory_argument: str | None,
           confirmed: bool = False) -> int:
    """Undo imports: list the files chosen, ask (unless ``confirmed``), remove them with their entries."""
    if not names and dataset is None:
        raise FileArchiviatoSconosciuto(
            "Indicare i file da rimuovere, come li mostra diagnosis dati stato (es. diagnosis dati rimuovi "
            "p2/P2_2025_it_Comuni.csv), oppure --dataset con --anno (es. --dataset mef_irpef --anno 2023)."
        )
    if (year is not None or territory_argument) and dataset is None:
        raise FileArchiviatoSconosciuto("--anno e --territorio scelgono i file di un dataset: aggiungere --dataset.")
    territory = resolve_territory(territory_argument) if territory_argument else None
    chosen = removal.select(names, dataset, year, territory.id if territory else None)
    print("Saranno rimossi dall'archivio:" if len(chosen) > 1 else "Sarà rimosso dall'archivio:")
    for entry in chosen:
        print(f"  {removal.describe(entry)}")
    if not confirmed and not _confirm():
        print("Nulla è stato rimosso.")
        return 1
    removed = raw.remove(chosen)
    what = "Rimosso 1 file con la sua voce" if len(removed) == 1 else f"Rimossi {len(removed)} file con le loro voci"
    print(f"{what} nel manifesto. Le fotografie usano ora gli altri file dell'archivio o i dati incorporati: "
          "diagnosis dati stato mostra che cosa è in uso.")
    return 0


def _confirm() -> bool:
    try:
        answer = input("Confermare la rimozione? [s/N] ")
    except EOFError:  # no terminal to answer from (a script, a pipe)
        print("\nNessuna risposta: per rimuovere senza conferma, ad esempio in uno script, aggiungere --si.")
        return False
    return answer.strip().casefold() in YES
