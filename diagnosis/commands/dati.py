"""``diagnosis dati``: download, import and list the data the fotografie use."""

from __future__ import annotations

from diagnosis.errors import DiagnosisError
from diagnosis.sources import downloads, embedded
from diagnosis.territory import resolve_territory


def download(source_id: str, years_text: str | None, territory_argument: str | None) -> int:
    item = downloads.source(source_id)
    if territory_argument:
        territory = resolve_territory(territory_argument)
        print(f"Nota: {source_id} è un file nazionale unico: scaricato intero (vale anche per {territory.nome}).")
    failures = []
    for year in downloads.parse_years(years_text, item):
        try:
            entry = downloads.download_year(item, year)
            print(f"{source_id} {year}: {entry['path']} ({entry['status']}, {entry['size']:,} byte)".replace(",", "."))
        except DiagnosisError as error:
            failures.append(year)
            print(f"{source_id} {year}: non scaricato — {error}")
    if failures:
        print(f"Anni non scaricati: {', '.join(map(str, failures))}. Il resto dell'archivio è invariato.")
        return 1
    return 0


def add(paths: list[str]) -> int:
    from diagnosis import store

    failures = 0
    for path in paths:
        try:
            entry = store.add_file(path)
            years = ", ".join(map(str, entry["years"]))
            print(f"{path}: riconosciuto come {entry['dataset']} {years} ({entry['status']}) → {entry['path']}")
        except (DiagnosisError, OSError) as error:
            failures += 1
            print(f"{path}: rifiutato — {error}")
    return 1 if failures else 0


def status() -> int:
    from diagnosis.store.status import store_status

    print("Dati incorporati (sempre disponibili, anche offline):")
    for year in embedded.available_years():
        print(f"  popolazione per età e sesso {year}: {embedded.status_of(year)} — {embedded.vintage_of(year)}")
    table = store_status(verify=True)
    if table.empty:
        print("Archivio locale vuoto. Per aggiungere dati: diagnosis dati scarica --fonte posas --anni 2019-2025 "
              "oppure diagnosis dati aggiungi FILE (file scaricati a mano).")
        return 0
    print("Archivio locale:")
    for row in table.itertuples():
        use = "in uso" if row.in_uso else "non in uso"
        note = f" — {row.nota}" if row.nota else ""
        print(f"  {row.dataset:<10} {row.anno}  {row.stato:<11} {use:<10} {row.vintage}  {row.file}{note}")
    return 0
