"""``diagnosis territori``: find comuni and list districts."""

from __future__ import annotations

from diagnosis.errors import TerritorioSconosciuto
from diagnosis.territory import find_comune, search
from diagnosis.territory.districts import all_districts
from diagnosis.territory.lookup import comuni_table


def _print_rows(rows) -> None:
    print(f"{'codice':<8}{'comune':<40}{'prov.':<7}{'regione'}")
    for row in rows.itertuples():
        print(f"{row.codice:<8}{row.nome:<40}{row.provincia_sigla:<7}{row.regione_nome}")


def print_search(query: str) -> int:
    """Print the comuni matching ``query``; a code or cadastral code finds its comune."""
    text = query.strip()
    if text.isdigit() or (len(text) == 4 and text[0].isalpha() and text[1:].isdigit()):
        found = [find_comune(text)]
    else:
        found = search(text)
    if not found:
        raise TerritorioSconosciuto(
            f"Nessun comune corrisponde a {query!r}. Provare con una parte del nome o con il codice ISTAT."
        )
    _print_rows(comuni_table([c.codice for c in found]))
    return 0


def print_districts() -> int:
    districts = all_districts()
    if not districts:
        print("Nessun distretto definito: aggiungere un file YAML in data/distretti/.")
        return 0
    for district in districts.values():
        names = ", ".join(comuni_table(district.comuni)["nome"])
        kind = f" [{district.tipo}]" if district.tipo else ""
        print(f"{district.id}{kind}: {district.nome} — {names}")
        if district.perimetro is not None:
            print(f"    perimetro: {district.perimetro.descrizione()}")
    return 0
