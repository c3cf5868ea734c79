"""Whether a JSON file is a fotografia's manifest, and whether two of them can be compared.

``diagnosis confronta`` is given file paths, and a path can lead to any JSON: another
program's, a manifest edited by hand, one written by a later release, the baseline of
another territory. Each is refused with the reason, before any figure is compared,
rather than breaking halfway or comparing two different places as if nothing were wrong.
"""

from __future__ import annotations

import numbers
from datetime import date

from diagnosis.errors import ManifestiNonConfrontabili, ManifestoNonValido
from diagnosis.report.manifest import SCHEMA_VERSION
from diagnosis.territory.history import predecessors

FIRST_YEAR = 1990  # the oldest comune figures the package reads (MEF IRPEF starts in 2000)
HOW_TO_GET_ONE = "Un manifest si ottiene con diagnosis fotografia TERRITORIO (è il file manifest.json della cartella)."


def check_manifest(content, source: str) -> dict:
    """``content`` when it has the shape of a fotografia manifest of a known schema, else refused."""
    if not isinstance(content, dict) or "territorio" not in content or "indicatori" not in content:
        raise ManifestoNonValido(f"{source} non è il manifest di una fotografia. {HOW_TO_GET_ONE}")
    _check_schema(content.get("schema"), source)
    problems = _territory_problems(content["territorio"]) + _year_problems(content.get("anno"))
    problems += _indicator_problems(content["indicatori"]) + _projection_problems(content.get("proiezioni"))
    if problems:
        raise ManifestoNonValido(
            f"{source} non è un manifest di fotografia valido: {'; '.join(problems[:5])}"
            f"{' …' if len(problems) > 5 else ''}. È stato modificato a mano o danneggiato: usare il "
            f"manifest.json scritto con la fotografia, oppure rigenerarlo. {HOW_TO_GET_ONE}"
        )
    return content


def _check_schema(schema, source: str) -> None:
    if schema == SCHEMA_VERSION and not isinstance(schema, bool):
        return
    if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION:
        raise ManifestoNonValido(
            f"{source} è un manifest nel formato {schema}, più recente di quello che questa versione "
            f"del programma conosce ({SCHEMA_VERSION}): è stato scritto da una versione più nuova di "
            "diagnosis. Aggiornare diagnosis (pip install -U diagnosis) e ripetere il confronto."
        )
    raise ManifestoNonValido(
        f"{source} non dichiara un formato di manifest conosciuto (campo «schema»: {schema!r}, atteso "
        f"{SCHEMA_VERSION}): non è il manifest di una fotografia. {HOW_TO_GET_ONE}"
    )


def _territory_problems(territory) -> list[str]:
    if not isinstance(territory, dict):
        return ["«territorio» non è un oggetto con id, nome e comuni"]
    problems = [f"territorio.{key} mancante o non testuale" for key in ("id", "nome")
                if not isinstance(territory.get(key), str) or not territory.get(key)]
    comuni = territory.get("comuni")
    if not isinstance(comuni, list) or not comuni or not all(isinstance(c, str) for c in comuni):
        problems.append("territorio.comuni non è un elenco di codici ISTAT")
    return problems


def _year_problems(year) -> list[str]:
    if not isinstance(year, int) or isinstance(year, bool):
        return [f"«anno» {year!r} non è un anno"]
    this_year = date.today().year
    if year > this_year:
        return [f"l'anno {year} è nel futuro (oggi è il {date.today().strftime('%d/%m/%Y')})"]
    if year < FIRST_YEAR:
        return [f"l'anno {year} è precedente al {FIRST_YEAR}, prima di qualunque dato che il programma legge"]
    return []


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _indicator_problems(indicators) -> list[str]:
    if not isinstance(indicators, dict):
        return ["«indicatori» non è un oggetto indicatore → valore"]
    problems = []
    for key, entry in indicators.items():
        if not isinstance(entry, dict):
            problems.append(f"l'indicatore {key!r} non è un oggetto con valore, unità, fonte e stato")
        elif entry.get("valore") is not None and not _is_number(entry["valore"]):
            problems.append(f"il valore dell'indicatore {key!r} non è un numero ({entry['valore']!r})")
        elif any(entry.get(field) is not None and not isinstance(entry[field], str)
                 for field in ("unita", "fonte", "stato")):
            problems.append(f"unità, fonte o stato dell'indicatore {key!r} non sono testo")
    return problems


BAND_FIELDS = ("basso_80", "alto_80", "basso_95", "alto_95")


def _projection_problems(projections) -> list[str]:
    """The baseline's projections, read back to judge later values: rows of a year and its bands."""
    if projections is None:
        return []
    series = projections.get("proiezioni", {}) if isinstance(projections, dict) else None
    if not isinstance(series, dict) or not all(isinstance(rows, list) for rows in series.values()):
        return ["«proiezioni» non ha la forma scritta dalla fotografia"]
    for measure, rows in series.items():
        if not all(_is_projection_row(row) for row in rows):
            return [f"le proiezioni di {measure!r} non sono righe di anni e intervalli numerici"]
    return []


def _is_projection_row(row) -> bool:
    return (isinstance(row, dict) and _is_number(row.get("anno"))
            and all(row.get(f) is None or _is_number(row[f]) for f in BAND_FIELDS))


def check_comparable(baseline: dict, current: dict) -> None:
    """Refuse manifests of two different territories, or a 'new' one older than the baseline.

    The same territory keeps its id (a district's comuni may change: that is reported as a
    change of composition); a comune merged into a new one takes the new one's code, which
    is accepted when the registry's code history says it succeeds the baseline's comune.
    """
    before, after = baseline["territorio"], current["territorio"]
    if before["id"] != after["id"] and not _succeeds(before, after):
        raise ManifestiNonConfrontabili(
            f"I due manifest descrivono territori diversi: la partenza è {before['nome']} ({before['id']}, "
            f"comuni {_listed(before['comuni'])}), il nuovo è {after['nome']} ({after['id']}, comuni "
            f"{_listed(after['comuni'])}). Confrontare la fotografia di partenza con una dello stesso "
            "territorio, oppure indicare come secondo argomento il territorio stesso: "
            f"diagnosis confronta PARTENZA {before['id']}"
        )
    if current["anno"] < baseline["anno"]:
        raise ManifestiNonConfrontabili(
            f"Il nuovo manifest ha dati del {current['anno']}, precedenti a quelli della partenza "
            f"({baseline['anno']}): gli argomenti sono forse invertiti. Indicare prima la fotografia di "
            "partenza, poi quella nuova: diagnosis confronta PARTENZA NUOVO"
        )


def _succeeds(before: dict, after: dict) -> bool:
    """A comune of the baseline merged into, or re-coded as, the comune of the new manifest."""
    if len(after["comuni"]) != 1:
        return False
    successors = set(after["comuni"]) | set(predecessors(after["comuni"][0]))
    return set(before["comuni"]) <= successors


def _listed(codes: list[str]) -> str:
    return ", ".join(codes[:6]) + (f" e altri {len(codes) - 6}" if len(codes) > 6 else "")
