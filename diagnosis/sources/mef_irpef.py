"""MEF Dipartimento delle Finanze: "Redditi e principali variabili IRPEF su base comunale".

One ZIP per tax year holds one ``;`` CSV with a row per comune of fiscal domicile and a
column per variable (``<variabile> - Frequenza`` / ``<variabile> - Ammontare``). This
module builds the download URLs, turns the bytes into the tidy long table
(``codice, anno, variabile, valore, fonte, vintage, stato, confrontabile``) and recognises
a file handed in by an analyst.

Facts (URLs, HTTP headers, label renames, the 2003–2006 break) live in
``mef_irpef_columns.yaml``. The code below exists for the publisher's quirks, observed in
the files of tax years 2000–2023:

- encoding: cp1252 in 2000–2005 and 2009–2011 (NBSP bytes inside header labels,
  "contabilità"), plain ASCII in the other years; no BOM seen, but one is tolerated;
- the code column is ``Codice Istat Comune``, except ``Codice Istat`` in 2008–2011; codes
  are unpadded numbers up to 2007 (``15175``), padded from 2008, quoted in 2012 (``"028001"``);
- a junk row for taxpayers with no valid domicile: code ``0`` (2008, 2010–2011, 2013–2023),
  empty (2009) or ``000000`` (2012), named "COMUNE ASSENTE", "Non indicato" or
  "Mancante/errata"; none before 2008;
- header labels change wording almost every year (``Ammontare`` vs ``Ammontare in euro``,
  double spaces, trailing NBSP, "compresi nulli" vs "comprensivo dei valori nulli");
- unnamed columns at the end (``;`` or ``; `` after the last label, or two of them in
  2019–2021), while data rows may have one field fewer than the header (2013–2018, 2023);
- 54 columns in 2000–2001 down to 47 in 2008–2011, 53 in 2023: ``Bonus spettante``
  (2015–2020) gives way to ``Trattamento spettante`` (2021+), ``Reddito complessivo``
  appears in 2023;
- suppressed cells are empty (e.g. Pioltello 2023, band "oltre 120000 euro"): they stay
  missing, never zero. No Italian number formats seen, but ``1.234.567`` is read as an
  integer should a re-saved file carry them (MEF publishes whole euros only).
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from diagnosis.store.checks import ends_mid_line, looks_like_html
from diagnosis.store.limits import open_archive, read_member
from diagnosis.text import decode_text, normalise_label, text_encoding
from diagnosis.errors import (
    AnnoNonDisponibile,
    ArchivioSenzaCsv,
    DatiNonDisponibili,
    DiagnosisError,
    FormatoNonRiconosciuto,
    RispostaHtml,
    RispostaTroncata,
    RisorsaOffline,
)

FACTS_FILE = Path(__file__).with_name("mef_irpef_columns.yaml")
TIDY_COLUMNS = ["codice", "anno", "variabile", "valore", "fonte", "vintage", "stato", "confrontabile"]

_ZIP_MAGIC = b"PK\x03\x04"
_MEASURES = (("_ammontare_in_euro", "ammontare"), ("_ammontare", "ammontare"), ("_frequenza", "frequenza"))
_NUMBER = re.compile(r"-?\d{1,3}(\.\d{3})*(,\d+)?|-?\d+(,\d+)?")
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# What recognise_mef reads from a CSV: the header and the first data row fit well within it.
_HEAD_BYTES = 64 * 1024


@functools.cache
def facts() -> dict:
    """The declarative facts of ``mef_irpef_columns.yaml``."""
    return yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------
# Years and requests


def income_year_range(today: datetime.date | None = None) -> range:
    """Tax years published by ``today``: from 2000 to the last year whose publication lag
    (about 15 months after the year ends) has elapsed. A year past the range may still be
    out early; a 404 on it means "not yet", and the previous year is the one to use."""
    today = today or datetime.date.today()
    lag = int(facts()["mesi_ritardo_pubblicazione"])
    months_since_epoch = today.year * 12 + today.month - 1
    # Tax year Y ends in December of Y, i.e. at month index (Y + 1) * 12.
    last = (months_since_epoch - lag) // 12 - 1
    return range(int(facts()["primo_anno"]), last + 1)


def build_urls(year: int) -> list[str]:
    """Download URLs for tax ``year``, in the order to try them (``finanze3`` first)."""
    _check_year(year)
    return [pattern.format(anno=year) for pattern in facts()["url"]]


def request_headers() -> dict[str, str]:
    """Referer and User-Agent: without them the MEF server answers with an HTML page."""
    return dict(facts()["intestazioni_http"])


def vintage_of(year: int) -> str:
    """The edition a tax year belongs to: the returns filed the following year."""
    return f"dichiarazioni {year + 1} (anno d'imposta {year})"


def fetch_year(year: int) -> pd.DataFrame:
    """Download tax ``year`` through the shared HTTP session and parse it.

    Each URL variant is tried in turn; the offline switch stops at once.
    """
    from diagnosis import http  # the shared session; parsing must not need the network stack

    failures = []
    for url in build_urls(year):
        try:
            return parse_mef_zip(http.fetch(url, headers=request_headers()), year=year)
        except RisorsaOffline:
            raise
        except DiagnosisError as error:
            failures.append(f"{url}: {error}")
    raise DatiNonDisponibili(
        f"Impossibile scaricare i redditi IRPEF {year} dal MEF ({'; '.join(failures)}). "
        f"Il MEF pubblica ogni anno d'imposta circa {facts()['mesi_ritardo_pubblicazione']} mesi "
        f"dopo la sua fine: se il {year} è "
        f"recente, usa il {year - 1}; altrimenti scarica lo ZIP da {facts()['pagina_download']} "
        "e aggiungilo con `diagnosis dati aggiungi FILE`."
    )


def _check_year(year: int) -> None:
    first = int(facts()["primo_anno"])
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or year < first:
        raise AnnoNonDisponibile(
            f"Anno d'imposta non valido: {year!r}. I redditi IRPEF per comune del MEF "
            f"esistono dal {first} in poi: indica un anno intero, per esempio {first + 20}."
        )


# ---------------------------------------------------------------------------------------
# Header labels


def variable_id(label: str) -> str | None:
    """The stable variable id of a header label, or None for an unnamed column.

    The measure suffix becomes ``_frequenza`` (number of taxpayers) or ``_ammontare``
    (euro; the files say "Ammontare" or "Ammontare in euro" for the same thing), and the
    rest goes through the explicit renames of the yaml (``numero_contribuenti`` ->
    ``contribuenti``; wording changes with the same meaning). The label is first made
    snake_case ASCII: the MEF retypes its labels almost yearly (accents, NBSP, apostrophes).
    """
    normalised = normalise_label(label, "_")
    if not normalised:
        return None
    renames = facts()["rinomina"]
    for suffix, measure in _MEASURES:
        if normalised.endswith(suffix):
            stem = normalised[: -len(suffix)]
            return f"{renames.get(stem, stem)}_{measure}"
    return renames.get(normalised, normalised)


def _identity_labels() -> dict[str, set[str]]:
    columns = facts()["colonne_anagrafiche"]
    return {"anno": set(columns["anno"]), "codice": set(columns["codice"]), "altre": set(columns["altre"])}


def _header_layout(header: list[str]) -> dict:
    """Positions of the year and code columns, and the value columns with their ids.

    Raises when the header is not the MEF one, naming what is missing.
    """
    identity = _identity_labels()
    layout = {"anno": None, "codice": None, "valori": {}, "senza_nome": []}
    for position, label in enumerate(header):
        normalised = normalise_label(label, "_")
        if not normalised:
            layout["senza_nome"].append(position)
        elif normalised in identity["anno"]:
            layout["anno"] = position
        elif normalised in identity["codice"]:
            layout["codice"] = position
        elif normalised not in identity["altre"]:
            layout["valori"][position] = variable_id(label)
    _check_layout(layout, header)
    return layout


def _check_layout(layout: dict, header: list[str]) -> None:
    required = {"contribuenti", "reddito_imponibile_frequenza", "reddito_imponibile_ammontare"}
    missing = sorted(required - set(layout["valori"].values()))
    if layout["codice"] is None:
        missing.insert(0, "Codice Istat Comune")
    if missing:
        raise FormatoNonRiconosciuto(
            "Il file non ha l'intestazione dei «Redditi e principali variabili IRPEF su base "
            f"comunale» del MEF: mancano {', '.join(missing)} (prime colonne trovate: "
            f"{'; '.join(header[:4])}). Controlla di aver scelto il file giusto, così come "
            f"scaricato da {facts()['pagina_download']}."
        )
    ids = list(layout["valori"].values())
    duplicated = sorted({name for name in ids if ids.count(name) > 1})
    if duplicated:
        raise FormatoNonRiconosciuto(
            f"Nel file MEF più colonne corrispondono alla stessa variabile ({', '.join(duplicated)}): "
            "l'intestazione è cambiata in un modo non previsto. Segnala il file insieme all'anno "
            "d'imposta, perché va aggiornata la tabella delle colonne (mef_irpef_columns.yaml)."
        )


# ---------------------------------------------------------------------------------------
# Bytes to text and table


def _refuse_html(data: bytes) -> None:
    if looks_like_html(data):
        raise RispostaHtml(
            "È arrivata una pagina HTML invece del file dei redditi IRPEF del MEF: il sito del "
            "MEF risponde così quando la richiesta non ha l'intestazione Referer attesa o quando "
            "l'anno d'imposta non è ancora pubblicato. Scarica lo ZIP a mano da "
            f"{facts()['pagina_download']} e aggiungilo con `diagnosis dati aggiungi FILE`."
        )


def _refuse_cut(text: str) -> None:
    """Every MEF file 2000-2023 ends with a line end; a last row without one was cut short,
    and its blank cells would pass for suppressed counts."""
    if ends_mid_line(text):
        last = text.rsplit("\n", 1)[-1]
        raise RispostaTroncata(
            f"Il file MEF finisce a metà di una riga («{last[:60]}…»): è stato troncato (download interrotto "
            f"o copia incompleta). Scarica di nuovo il file intero da {facts()['pagina_download']} e "
            "aggiungilo con `diagnosis dati aggiungi FILE`."
        )


def _header_of(text: str) -> list[str]:
    first_line = text.split("\n", 1)[0].rstrip("\r")
    return next(csv.reader([first_line], delimiter=";"), [])


def _read_table(text: str, layout: dict, width: int) -> pd.DataFrame:
    """The CSV body with positional column names: codes as text, values as numbers.

    ``thousands="."``/``decimal=","`` let Italian-formatted numbers through and leave the
    plain integers of the real files unchanged.
    """
    names = [f"c{position}" for position in range(width)]
    text_columns = {name: "str" for name in names}
    for position in layout["valori"]:
        text_columns.pop(f"c{position}")
    if layout["anno"] is not None:
        text_columns.pop(f"c{layout['anno']}")
    try:
        return pd.read_csv(
            io.StringIO(text), sep=";", header=0, names=names, index_col=False, dtype=text_columns,
            thousands=".", decimal=",", keep_default_na=False, na_values=["", " "],
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise FormatoNonRiconosciuto(
            f"Il file MEF non si legge come CSV con separatore «;» ({error}). Probabilmente è "
            f"stato modificato o troncato: scaricalo di nuovo da {facts()['pagina_download']}."
        ) from error


def _value_matrix(table: pd.DataFrame, layout: dict, header: list[str]) -> np.ndarray:
    columns = []
    for position in layout["valori"]:
        cells = table[f"c{position}"]
        if not pd.api.types.is_numeric_dtype(cells):
            bad = next((cell for cell in cells.dropna().astype(str) if not _NUMBER.fullmatch(cell.strip())), "")
            raise FormatoNonRiconosciuto(
                f"Nella colonna «{header[position].strip()}» del file MEF c'è il valore «{bad}», "
                "che non è un numero. Le celle oscurate del MEF sono vuote: un testo qui indica "
                f"un file modificato a mano; scarica di nuovo l'originale da {facts()['pagina_download']}."
            )
        columns.append(cells.to_numpy(dtype="float64", na_value=np.nan))
    return np.column_stack(columns) if columns else np.empty((len(table), 0))


def _check_unnamed_columns_empty(table: pd.DataFrame, layout: dict) -> None:
    """Unnamed trailing columns must be empty; values there mean the rows are shifted."""
    for position in layout["senza_nome"]:
        if table[f"c{position}"].notna().any():
            raise FormatoNonRiconosciuto(
                f"Il file MEF ha valori in una colonna senza nome (posizione {position + 1}): le "
                "righe non sono allineate all'intestazione. Scarica di nuovo il file originale da "
                f"{facts()['pagina_download']}."
            )


def _comune_codes(table: pd.DataFrame, layout: dict) -> tuple[np.ndarray, np.ndarray]:
    """Six-character codes and a mask of the comune rows (the junk row excluded).

    The junk row of taxpayers with no valid domicile has code ``0``, ``000000`` or none.
    Codes the MEF used that are not ISTAT codes are corrected (``codici_corretti`` in the yaml).
    """
    raw = table[f"c{layout['codice']}"].fillna("").astype(str).str.strip().str.strip('"')
    keep = ~raw.str.fullmatch(r"0*").to_numpy(dtype=bool)
    invalid = raw[keep & ~raw.str.fullmatch(r"\d{1,6}").to_numpy(dtype=bool)]
    if len(invalid):
        raise FormatoNonRiconosciuto(
            f"Codici ISTAT non validi nel file MEF: {', '.join(invalid.iloc[:5])}. Un codice "
            "di comune è fatto di cifre (al massimo 6): il file sembra modificato; scaricalo di "
            f"nuovo da {facts()['pagina_download']}."
        )
    codes = raw.str.zfill(6).replace(facts().get("codici_corretti", {})).to_numpy(dtype=object)
    repeated = pd.Series(codes[keep]).loc[lambda s: s.duplicated()].unique()
    if len(repeated):
        raise FormatoNonRiconosciuto(
            f"Il file MEF ripete i codici {', '.join(repeated[:5])}: ogni comune deve comparire "
            "una volta sola. Il file è probabilmente l'unione di più file: usa il file originale."
        )
    return codes, keep


def _tax_year(table: pd.DataFrame, layout: dict, year: int | None) -> int:
    """The tax year from the ``Anno di imposta`` column, checked against ``year`` if given."""
    if layout["anno"] is None:
        if year is None:
            raise FormatoNonRiconosciuto(
                "Il file MEF non ha la colonna «Anno di imposta» e non si sa a quale anno "
                "d'imposta si riferisca: indica l'anno (per esempio year=2023)."
            )
        _check_year(year)
        return int(year)
    found = sorted({int(value) for value in table[f"c{layout['anno']}"].dropna()})
    if len(found) != 1:
        raise FormatoNonRiconosciuto(
            f"Il file MEF contiene più anni d'imposta ({', '.join(map(str, found)) or 'nessuno'}): "
            "ogni file pubblicato ne contiene uno solo. Usa il file originale, un anno per file."
        )
    if year is not None and int(year) != found[0]:
        raise FormatoNonRiconosciuto(
            f"Il file MEF è dell'anno d'imposta {found[0]}, non del {year} indicato: "
            f"controlla di aver scelto il file giusto (o indica {found[0]})."
        )
    return found[0]


# ---------------------------------------------------------------------------------------
# Tidy output


def _comparable(variables: np.ndarray, year: int) -> np.ndarray:
    """False where a value is not comparable with other years (see ``non_confrontabili``)."""
    comparable = np.ones(len(variables), dtype=bool)
    for rule in facts()["non_confrontabili"]:
        if year in rule["anni"]:
            comparable &= ~np.isin(variables, rule["variabili"])
    return comparable


def _text_column(labels, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A text column built by position from a few labels: far cheaper than one string per row."""
    return pd.array(list(labels), dtype="str").take(positions)


def _tidy(codes: np.ndarray, ids: list[str], values: np.ndarray, year: int, vintage: str) -> pd.DataFrame:
    order = np.argsort(codes, kind="stable")
    codes, values = codes[order], values[order]
    rows, width = values.shape
    size = rows * width
    variable_positions = np.tile(np.arange(width), rows)
    constant = np.zeros(size, dtype=np.intp)
    return pd.DataFrame({
        "codice": _text_column(codes, np.repeat(np.arange(rows), width)),
        "anno": np.full(size, year, dtype="int64"),
        "variabile": _text_column(ids, variable_positions),
        "valore": values.ravel(),
        "fonte": _text_column([facts()["fonte"]], constant),
        "vintage": _text_column([vintage], constant),
        "stato": _text_column([facts()["stato"]], constant),
        "confrontabile": _comparable(np.array(ids, dtype=object), year)[variable_positions],
    })


def parse_mef_csv(data: bytes, year: int | None = None, vintage: str | None = None) -> pd.DataFrame:
    """The tidy long table of one MEF CSV (any tax year 2000–2023), from its bytes.

    Columns: ``codice`` (6-character ISTAT code of the comune of fiscal domicile, as in
    that tax year), ``anno`` (tax year: a flow), ``variabile`` (stable id, see
    ``variable_id``), ``valore`` (float; NaN where the MEF suppressed the cell),
    ``fonte``, ``vintage``, ``stato`` ("definitivo"), ``confrontabile`` (False for reddito
    imponibile 2003–2006, see ``non_confrontabili`` in the yaml). Rows are sorted by code,
    variables in file order. The junk row without a comune is dropped.

    ``year`` is needed only if the file lacks ``Anno di imposta``; if given it must match.
    """
    _refuse_html(data)
    text = decode_text(data)
    _refuse_cut(text)
    header = _header_of(text)
    layout = _header_layout(header)
    table = _read_table(text, layout, len(header))
    _check_unnamed_columns_empty(table, layout)
    tax_year = _tax_year(table, layout, year)
    codes, keep = _comune_codes(table, layout)
    values = _value_matrix(table, layout, header)[keep]
    ids = list(layout["valori"].values())
    return _tidy(codes[keep], ids, values, tax_year, vintage or vintage_of(tax_year))


def _csv_members(archive: zipfile.ZipFile) -> list[str]:
    return [
        info.filename for info in archive.infolist()
        if not info.is_dir() and info.filename.lower().endswith(".csv")
        and not info.filename.startswith("__MACOSX/")
    ]


def _open_zip(data: bytes) -> zipfile.ZipFile:
    _refuse_html(data)
    if not data.startswith(_ZIP_MAGIC):
        raise FormatoNonRiconosciuto(
            "Il file non è un archivio ZIP (non inizia con la firma «PK»): forse il download si "
            f"è interrotto. Scarica di nuovo lo ZIP da {facts()['pagina_download']}, oppure "
            "aggiungi direttamente il CSV che contiene."
        )
    try:
        return open_archive(data, "L'archivio ZIP dei redditi MEF")
    except zipfile.BadZipFile as error:
        raise FormatoNonRiconosciuto(
            f"L'archivio ZIP è danneggiato ({error}): scaricalo di nuovo da {facts()['pagina_download']}."
        ) from error


def _read_member(archive: zipfile.ZipFile, member: str) -> bytes:
    try:
        return read_member(archive, member, "L'archivio ZIP dei redditi MEF")
    except (zipfile.BadZipFile, EOFError) as error:
        raise FormatoNonRiconosciuto(
            f"L'archivio ZIP è danneggiato ({error}): scaricalo di nuovo da {facts()['pagina_download']}."
        ) from error


def _mef_member(archive: zipfile.ZipFile) -> str:
    """The CSV member holding the MEF table, whatever its name."""
    members = _csv_members(archive)
    if not members:
        names = ", ".join(archive.namelist()[:10]) or "nessun file"
        raise ArchivioSenzaCsv(
            f"L'archivio ZIP non contiene alcun file CSV (contiene: {names}). Il file dei redditi "
            f"IRPEF comunali del MEF contiene un CSV: scaricalo da {facts()['pagina_download']}."
        )
    if len(members) == 1:
        return members[0]
    matching = [name for name in members if _recognise_csv_head(_member_head(archive, name)) is not None]
    if len(matching) != 1:
        raise ArchivioSenzaCsv(
            f"L'archivio ZIP contiene più CSV ({', '.join(members[:10])}) e non se ne trova uno solo "
            "con l'intestazione dei redditi IRPEF comunali del MEF: estrai il CSV giusto e "
            "aggiungi quello."
        )
    return matching[0]


def parse_mef_zip(data: bytes, year: int | None = None, vintage: str | None = None) -> pd.DataFrame:
    """The tidy table from the published ZIP (see ``parse_mef_csv``).

    When the CSV lacks ``Anno di imposta`` and no ``year`` is given, the year in the member
    name is used as a last resort.
    """
    with _open_zip(data) as archive:
        member = _mef_member(archive)
        payload = _read_member(archive, member)
    if year is None and _year_column_missing(payload):
        year = _year_from_name(member)
    return parse_mef_csv(payload, year=year, vintage=vintage)


def parse_mef(data: bytes, year: int | None = None, name: str | None = None) -> pd.DataFrame:
    """The tidy table from either the ZIP or the CSV, told apart by content.

    ``name`` (the file name) is used for the tax year only when the content lacks it.
    """
    if data.startswith(_ZIP_MAGIC):
        return parse_mef_zip(data, year=year)
    if year is None and name is not None and _year_column_missing(data):
        year = _year_from_name(name)
    return parse_mef_csv(data, year=year)


def _year_column_missing(payload: bytes) -> bool:
    text = decode_text(_first_lines(payload, 1))
    labels = {normalise_label(label, "_") for label in _header_of(text)}
    return not labels & _identity_labels()["anno"]


def _year_from_name(name: str | None) -> int | None:
    found = _YEAR_IN_NAME.findall(Path(name).name) if name else []
    return int(found[-1]) if found else None


# ---------------------------------------------------------------------------------------
# Recognition of a hand-downloaded file


def _first_lines(data: bytes, count: int) -> bytes:
    """The first ``count`` lines, cut on line ends so no multi-byte character is split."""
    head = data[:_HEAD_BYTES]
    lines = head.split(b"\n")[:count]
    return b"\n".join(lines)


def _member_head(archive: zipfile.ZipFile, member: str) -> bytes:
    with archive.open(member) as stream:
        return stream.read(_HEAD_BYTES)


def _recognise_csv_head(head: bytes) -> dict | None:
    """Header check and tax year from the first data row, or None if not a MEF file."""
    if looks_like_html(head):
        return None
    first_lines = _first_lines(head, 2)
    text, encoding = decode_text(first_lines), text_encoding(first_lines)
    lines = text.splitlines()
    header = next(csv.reader(lines[:1], delimiter=";"), [])
    try:
        layout = _header_layout(header)
    except FormatoNonRiconosciuto:
        return None
    year = None
    if layout["anno"] is not None and len(lines) > 1:
        row = next(csv.reader(lines[1:2], delimiter=";"), [])
        cell = row[layout["anno"]].strip() if len(row) > layout["anno"] else ""
        year = int(cell) if re.fullmatch(r"(19|20)\d\d", cell) else None
    return {"source": facts()["source_id"], "year": year, "year_from": "content" if year else None,
            "encoding": encoding, "columns": len(header)}


def recognise_mef(data: bytes, name: str | None = None) -> dict | None:
    """Whether ``data`` (the ZIP or the CSV) is a MEF IRPEF comunale file, and its tax year.

    Returns None when it is not, else a dict: ``source`` ("mef_irpef"), ``year`` (int or
    None), ``year_from`` ("content", "file_name" as a last resort from the member name or
    ``name``, or None), ``container`` ("zip" or "csv"), ``member`` (the CSV inside the ZIP),
    ``encoding``, ``columns`` (header width). Never raises on foreign bytes, except
    ``LimiteSuperato`` for an archive beyond the limits of ``diagnosis/store/limits.py``.
    """
    member = None
    if data.startswith(_ZIP_MAGIC):
        try:
            with open_archive(data, "L'archivio ZIP") as archive:
                member = _mef_member(archive)
                head = _member_head(archive, member)
        except (zipfile.BadZipFile, FormatoNonRiconosciuto):
            return None
    else:
        head = data[:_HEAD_BYTES]
    return recognise_mef_table(head, member, name)


def recognise_mef_table(head: bytes, member: str | None = None, name: str | None = None) -> dict | None:
    """``recognise_mef`` for a table already found: its first bytes and, in a ZIP, its member name.

    The store looks at each CSV of an archive in turn and asks this of each: opening the
    archive again per member would make an archive of many members take quadratic time.
    """
    found = _recognise_csv_head(head)
    if found is None:
        return None
    found.update(container="zip" if member else "csv", member=member)
    if found["year"] is None:
        year = _year_from_name(member) or _year_from_name(name)
        if year is not None:
            found.update(year=year, year_from="file_name")
    return found
