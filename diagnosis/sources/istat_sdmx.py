"""ISTAT SDMX REST (esploradati): request builder, SDMX-CSV 1.0 parser, tidy mappings.

The declarative facts (dataflow ids, key layouts, DSD ids, code mappings) live in
``istat_dataflows.yaml``; this module holds the code for the publisher's quirks, each
documented where it is handled:

- at most 35 OR-ed codes fit in one key (AgID measured 40 and 50 -> HTTP 400, 2026);
- ``endPeriod`` returns one year more than asked (confirmed by ISTAT, Nov 2025): the
  request keeps the asked year and the parser drops the extra rows;
- HTTP 404 with body ``NoRecordsFound`` means "no data for this key", not a failure;
- HTTP 404 "Mapping Store" is a server-side fault (observed 2024-12-23 by sdmx1);
- the format is chosen only by the ``Accept`` header.

Nothing here touches the network except ``fetch``, a thin call into ``diagnosis.http``.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from diagnosis.store.checks import looks_like_html
from diagnosis.text import decode_text
from diagnosis.errors import (
    ErroreServizioIstat,
    FormatoNonRiconosciuto,
    MappingStoreIstat,
    RispostaHtml,
    RispostaTroncata,
    StrutturaSdmxCambiata,
)

DATAFLOWS_FILE = Path(__file__).with_name("istat_dataflows.yaml")

OBSERVATION_COLUMNS = ["TIME_PERIOD", "anno", "OBS_VALUE", "OBS_STATUS", "stato"]
POPULATION_COLUMNS = ["codice", "anno", "sesso", "valore", "fonte", "vintage", "stato"]
AGE_COLUMNS = ["codice", "anno", "sesso", "eta", "valore", "fonte", "vintage", "stato"]
BALANCE_COLUMNS = [
    "codice", "anno", "anno_bilancio", "sesso", "variabile", "valore", "fonte", "vintage", "stato",
]
MAX_AGE = 100
COMUNE_CODE = re.compile(r"^\d{6}$")


@functools.cache
def dataflows_facts() -> dict:
    return yaml.safe_load(DATAFLOWS_FILE.read_text(encoding="utf-8"))


def flow_facts(flow_id: str) -> dict:
    flows = dataflows_facts()["dataflows"]
    if flow_id not in flows:
        raise FormatoNonRiconosciuto(
            f"Dataflow ISTAT {flow_id!r} non dichiarato. Dataflow disponibili: {', '.join(flows)}. "
            "Per aggiungerne uno, descriverlo in diagnosis/sources/istat_dataflows.yaml."
        )
    return flows[flow_id]


# --- build -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RequestSpec:
    """One SDMX data request, ready to send: no network involved in building it.

    ``end_period`` is the last year the caller wants; the parser drops later rows.
    """

    url: str
    params: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    flow_id: str = ""
    codes: tuple = ()
    end_period: int | None = None


def normalise_area_code(code) -> str:
    """A REF_AREA code as sent in a key: comune ints padded to 6 digits, others verbatim."""
    if isinstance(code, (int, np.integer)):
        return f"{int(code):06d}"
    text = str(code).strip()
    if not re.fullmatch(r"[A-Z0-9]+", text) or (text.isdigit() and len(text) != 6):
        raise FormatoNonRiconosciuto(
            f"Codice territoriale non valido per ISTAT: {code!r}. Un comune ha un codice di 6 "
            "cifre (es. '015175'); province e regioni un codice come 'ITC4'."
        )
    return text


def _key_part(value) -> str:
    if value is None:
        return ""
    values = [value] if isinstance(value, (str, int)) else list(value)
    parts = [str(v) for v in values]
    for part in parts:
        if "." in part or "+" in part or "/" in part:
            raise FormatoNonRiconosciuto(
                f"Valore di dimensione non valido: {part!r} (non può contenere '.', '+' o '/'). "
                "Passare più valori come lista."
            )
    return "+".join(parts)


def build_key(flow_id: str, dimensions: dict | None = None) -> str:
    """The dotted SDMX key from a dimension dict, in the order the DSD declares.

    Dimensions not given take the declared default; ``None`` or ``""`` is a wildcard; a
    list is OR-ed with ``+``. An unknown dimension raises, listing the valid ones.
    """
    facts = flow_facts(flow_id)
    order = facts["dimensions"]
    given = dict(dimensions or {})
    unknown = set(given) - set(order)
    if unknown:
        raise FormatoNonRiconosciuto(
            f"Dimensioni sconosciute per il dataflow {flow_id}: {', '.join(sorted(unknown))}. "
            f"Dimensioni valide, in ordine: {', '.join(order)}."
        )
    defaults = facts.get("defaults", {})
    return ".".join(_key_part(given.get(dim, defaults.get(dim, ""))) for dim in order)


def data_url(flow_ref: str, key: str) -> str:
    return f"{dataflows_facts()['base_url']}/data/{flow_ref}/{key}"


def csv_headers() -> dict:
    """ISTAT picks the format only from ``Accept`` (a ``format=`` parameter is undocumented)."""
    return {"Accept": dataflows_facts()["accept_csv"]}


def chunked(codes: list, size: int) -> list[list]:
    return [codes[i:i + size] for i in range(0, len(codes), size)]


def build_requests(
    flow_id: str,
    codes,
    *,
    start_period: int | None = None,
    end_period: int | None = None,
    dimensions: dict | None = None,
    view: str | None = None,
) -> list[RequestSpec]:
    """One request per chunk of at most 35 REF_AREA codes (more gives HTTP 400).

    ``endPeriod`` is sent as asked: ISTAT then returns one year more, which the parser
    drops. Sending ``end-1`` instead would lose the last year the day ISTAT fixes the bug.
    """
    facts = flow_facts(flow_id)
    flow_ref = facts["views"][view] if view else facts["flow_ref"]
    unique = list(dict.fromkeys(normalise_area_code(c) for c in codes))
    if not unique:
        raise FormatoNonRiconosciuto(
            "Nessun codice territoriale richiesto: indicare almeno un comune, provincia o regione."
        )
    params = {}
    if start_period is not None:
        params["startPeriod"] = str(int(start_period))
    if end_period is not None:
        params["endPeriod"] = str(int(end_period))
    size = int(dataflows_facts()["max_codes_per_key"])
    requests = []
    for chunk in chunked(unique, size):
        key = build_key(flow_id, {**(dimensions or {}), "REF_AREA": chunk})
        requests.append(RequestSpec(
            url=data_url(flow_ref, key), params=dict(params), headers=csv_headers(),
            flow_id=flow_id, codes=tuple(chunk), end_period=end_period,
        ))
    return requests


def structure_url(flow_id: str) -> str:
    """URL of the dataflow with its DSD, for ``check_structure``."""
    facts = dataflows_facts()
    return f"{facts['base_url']}/dataflow/{facts['agency']}/{flow_facts(flow_id)['flow_ref']}/1.0?references=datastructure"


STRUCTURE_ACCEPT = "application/vnd.sdmx.structure+xml;version=2.1"


def verify_structure(flow_id: str) -> list[str]:
    """Fetch the flow's DSD (cached) and check the declared key layout before any data query.

    One structure call per flow and data directory: the cached answer serves later runs, so
    the check costs a single request against the ISTAT limit.
    """
    from diagnosis import http  # requests and its cache load only when something is downloaded

    response = http.fetch(structure_url(flow_id), headers={"Accept": STRUCTURE_ACCEPT})
    if response.status_code != 200:
        raise ErroreServizioIstat(
            f"ISTAT non ha restituito la struttura del dataflow {flow_id} (HTTP {response.status_code}): "
            "senza struttura non si può verificare la chiave. Riprovare più tardi.",
            status=response.status_code,
        )
    try:
        return check_structure(response.content, flow_id)
    except (StrutturaSdmxCambiata, FormatoNonRiconosciuto):
        http.forget(response)
        raise


def fetch(spec: RequestSpec) -> pd.DataFrame:
    from diagnosis import http  # requests and its cache load only when something is downloaded

    response = http.fetch(spec.url, params=spec.params, headers=spec.headers)
    try:
        return parse_response(response.status_code, response.content, flow_id=spec.flow_id, end_period=spec.end_period)
    except FormatoNonRiconosciuto:
        http.forget(response)
        raise


# --- parse -------------------------------------------------------------------------------

def time_period_year(values: pd.Series) -> np.ndarray:
    """The year of TIME_PERIOD: ``2019`` (balances) and ``2022-01-01`` (22_289, 29_316)."""
    years = values.str.extract(r"^(\d{4})", expand=False)
    if years.isna().any():
        raise FormatoNonRiconosciuto(
            f"TIME_PERIOD non riconosciuto nella risposta ISTAT: {values[years.isna()].iloc[0]!r}."
        )
    return years.astype("int64").to_numpy()


def status_of(obs_status: pd.Series) -> pd.Series:
    """OBS_STATUS ``p`` -> provvisorio, ``e`` -> stima (e.g. the latest 1 January), else definitivo."""
    mapping = dataflows_facts()["obs_status"]
    return obs_status.str.strip().str.lower().map(mapping).fillna("definitivo").astype("str")


def _check_complete(text: str, n_fields: int) -> None:
    """A body cut mid-transfer ends without a newline or with a short last line.

    Observed: bulk answers "troncati a 70-80 MB senza errore" (AgID asia.py, 2026); both
    real esploradati CSV files end with a newline.
    """
    stripped = text.rstrip("\n")
    last = stripped.rsplit("\n", 1)[-1]
    fields = next(csv.reader([last]), [])
    if not text.endswith("\n") or len(fields) != n_fields:
        raise RispostaTroncata(
            "La risposta ISTAT è incompleta (l'ultima riga è tronca): il trasferimento si è "
            "interrotto. Ripetere la richiesta più tardi; la risposta parziale non è stata usata."
        )


def _decoded(body: bytes) -> str:
    try:
        return decode_text(body, utf8_only=True)
    except UnicodeDecodeError as error:
        raise FormatoNonRiconosciuto(
            f"La risposta SDMX-CSV non è testo UTF-8 (byte non valido alla posizione {error.start}): ISTAT "
            "la invia sempre in UTF-8, quindi il file è stato salvato di nuovo con un'altra codifica, è "
            "compresso o è danneggiato. Usare il file così come scaricato, oppure scaricarlo di nuovo."
        ) from error


def _observed_values(cells: pd.Series) -> pd.Series:
    """OBS_VALUE as floats, empty and ``NaN`` cells missing; a cell that is not a number is refused."""
    values = pd.to_numeric(cells.replace("", np.nan), errors="coerce").astype("float64")
    wrong = values.isna() & ~cells.str.strip().str.lower().isin(("", "nan"))
    if wrong.any():
        lines = (wrong[wrong].index[:5] + 2).tolist()  # the header is line 1
        shown = ", ".join(f"riga {line}: {cells[line - 2]!r}" for line in lines)
        raise FormatoNonRiconosciuto(
            f"La colonna OBS_VALUE della risposta SDMX-CSV contiene testo dove serve un numero ({shown}"
            f"{', …' if wrong.sum() > len(lines) else ''}): il file è stato modificato a mano o non è una "
            "risposta ISTAT. Usare il file così come scaricato, oppure scaricarlo di nuovo."
        )
    return values


def parse_sdmx_csv(
    body: bytes, *, end_period: int | None = None, start_period: int | None = None
) -> pd.DataFrame:
    """SDMX-CSV 1.0 -> a frame with every column as string plus ``anno`` and ``stato``.

    Dimension columns (between DATAFLOW and TIME_PERIOD) stay strings, so ``REF_AREA``
    ``001001`` keeps its zeros. ``OBS_VALUE`` is float. Rows after ``end_period`` (the
    +1-year bug) and before ``start_period`` are dropped. A BOM is accepted (AgID decodes
    the body as ``utf-8-sig``).
    """
    if looks_like_html(body):
        raise RispostaHtml(
            "ISTAT ha risposto con una pagina HTML invece dei dati CSV: il servizio è in "
            "manutenzione o l'indirizzo è sbagliato. Riprovare più tardi."
        )
    text = _decoded(body).replace("\r\n", "\n")
    header = next(csv.reader([text.split("\n", 1)[0]]), [])
    for needed in ("TIME_PERIOD", "OBS_VALUE"):
        if needed not in header:
            raise FormatoNonRiconosciuto(
                f"La risposta ISTAT non è in formato SDMX-CSV (manca la colonna {needed}); "
                f"intestazione: {', '.join(header) or 'vuota'}. Richiedere il formato con l'header "
                f"Accept: {dataflows_facts()['accept_csv']}."
            )
    _check_complete(text, len(header))
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    frame["OBS_VALUE"] = _observed_values(frame["OBS_VALUE"])
    if "OBS_STATUS" not in frame:
        frame["OBS_STATUS"] = ""
    frame["anno"] = time_period_year(frame["TIME_PERIOD"])
    frame["stato"] = status_of(frame["OBS_STATUS"])
    keep = np.ones(len(frame), dtype=bool)
    if end_period is not None:
        keep &= frame["anno"].to_numpy() <= int(end_period)
    if start_period is not None:
        keep &= frame["anno"].to_numpy() >= int(start_period)
    return frame.loc[keep].reset_index(drop=True)


def dimension_columns(frame: pd.DataFrame) -> list[str]:
    """Columns between DATAFLOW and TIME_PERIOD: SDMX-CSV lists the dimensions there."""
    columns = list(frame.columns)
    start = columns.index("DATAFLOW") + 1 if "DATAFLOW" in columns else 0
    return columns[start:columns.index("TIME_PERIOD")]


def empty_frame(flow_id: str | None = None) -> pd.DataFrame:
    """The frame ``parse_sdmx_csv`` returns when there is no data, with the right columns."""
    dims = flow_facts(flow_id)["dimensions"] if flow_id else []
    columns = {"DATAFLOW": pd.Series(dtype="str")}
    columns.update({d: pd.Series(dtype="str") for d in dims})
    columns.update({
        "TIME_PERIOD": pd.Series(dtype="str"),
        "OBS_VALUE": pd.Series(dtype="float64"),
        "OBS_STATUS": pd.Series(dtype="str"),
        "anno": pd.Series(dtype="int64"),
        "stato": pd.Series(dtype="str"),
    })
    return pd.DataFrame(columns)


def is_no_records(status: int, body: bytes) -> bool:
    """404 ``NoRecordsFound`` (legacy ``Not Found - NoRecordsFound``) means "no data"."""
    return status == 404 and b"norecordsfound" in body[:2048].lower()


def parse_response(
    status: int,
    body: bytes,
    *,
    flow_id: str | None = None,
    end_period: int | None = None,
    start_period: int | None = None,
) -> pd.DataFrame:
    """Turn an HTTP answer of esploradati into a frame, or an error that names the fix."""
    if status == 200:
        frame = parse_sdmx_csv(body, end_period=end_period, start_period=start_period)
        return frame if len(frame) or not flow_id else empty_frame(flow_id)
    if is_no_records(status, body):
        return empty_frame(flow_id)
    snippet = body[:300].decode("utf-8", errors="replace").strip()
    if status == 404 and "mapping store" in snippet.lower():
        raise MappingStoreIstat(
            "ISTAT non riesce a servire questo dataflow (errore 'Mapping Store' dal loro server: "
            f"{snippet}). È un guasto lato ISTAT, non dei parametri: non ripetere subito la "
            "richiesta; riprovare fra qualche ora o usare i file demo.istat.it (POSAS, P2).",
            status=status,
        )
    if status == 400:
        raise ErroreServizioIstat(
            f"ISTAT ha rifiutato la richiesta (400: {snippet}). Di solito la chiave ha troppi "
            "codici (massimo 35) o un numero di dimensioni sbagliato: costruire le richieste con "
            "build_requests().",
            status=status,
        )
    if status in (429, 503):
        raise ErroreServizioIstat(
            f"ISTAT limita le richieste (HTTP {status}). Attendere almeno alcuni minuti prima di "
            "riprovare: richieste ravvicinate portano al blocco dell'indirizzo IP per 1-2 giorni.",
            status=status,
        )
    raise ErroreServizioIstat(
        f"ISTAT ha risposto con HTTP {status}: {snippet or 'nessun messaggio'}. Riprovare più "
        "tardi; se l'errore persiste, controllare che il dataflow esista ancora su esploradati.",
        status=status,
    )


# --- tidy mappings -----------------------------------------------------------------------

def _require_columns(frame: pd.DataFrame, flow_id: str, needed: list[str]) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise StrutturaSdmxCambiata(
            f"Nella risposta del dataflow {flow_id} mancano le dimensioni {', '.join(missing)} "
            f"(colonne presenti: {', '.join(frame.columns)}). ISTAT ha cambiato la struttura: "
            "verificarla con check_structure() e aggiornare diagnosis/sources/istat_dataflows.yaml."
        )


def _keep_totals(frame: pd.DataFrame, facts: dict) -> pd.DataFrame:
    """Keep the "all" code of dimensions the tidy table does not carry.

    Where a DATA_TYPE has a single value on such a dimension (e.g. 164_164 ACQCITIZ is
    given only for CITIZENSHIP=FRG), that value is not a breakdown and is kept.
    """
    for dim, total in (facts.get("totals") or {}).items():
        if dim not in frame:
            continue
        distinct = frame.groupby("DATA_TYPE")[dim].transform("nunique")
        frame = frame.loc[(frame[dim] == str(total)) | (distinct == 1)]
    return frame


def _select_areas(frame: pd.DataFrame, comuni_only: bool) -> pd.DataFrame:
    if comuni_only:
        return frame.loc[frame["REF_AREA"].str.fullmatch(COMUNE_CODE.pattern)]
    return frame


def _sexes(codes: pd.Series) -> pd.Series:
    mapping = {str(k): v for k, v in dataflows_facts()["sex_codes"].items()}
    sexes = codes.map(mapping)
    if sexes.isna().any():
        raise StrutturaSdmxCambiata(
            f"Codice di sesso ISTAT non previsto: {codes[sexes.isna()].iloc[0]!r} (attesi "
            f"{', '.join(mapping)}). Aggiornare sex_codes in diagnosis/sources/istat_dataflows.yaml."
        )
    return sexes.astype("str")


def _population_rows(frame: pd.DataFrame, flow_id: str, comuni_only: bool) -> pd.DataFrame:
    facts = flow_facts(flow_id)
    _require_columns(frame, flow_id, ["REF_AREA", "DATA_TYPE", "SEX"])
    data_type = facts.get("population_data_type")
    if data_type is None:
        raise FormatoNonRiconosciuto(
            f"Il dataflow {flow_id} non contiene la popolazione residente: usare to_balance()."
        )
    rows = frame.loc[frame["DATA_TYPE"] == data_type]
    return _select_areas(_keep_totals(rows, facts), comuni_only)


def _finish(frame: pd.DataFrame, columns: list[str], sort: list[str]) -> pd.DataFrame:
    frame = frame.sort_values(sort, kind="stable").reset_index(drop=True)
    return frame[columns]


def _as_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Population counts as int64, like the demo.istat.it tables (SDMX sends ``2562.0``)."""
    values = frame["valore"]
    if values.notna().all() and (values == values.round()).all():
        frame["valore"] = values.astype("int64")
    return frame


def _tidy_base(rows: pd.DataFrame, facts: dict, vintage: str | None) -> pd.DataFrame:
    shift = {code: spec["shift"] for code, spec in (facts.get("data_types") or {}).items()}
    out = pd.DataFrame({
        "codice": rows["REF_AREA"].astype("str").to_numpy(),
        "anno": (rows["anno"] + rows["DATA_TYPE"].map(shift).fillna(0).astype("int64")).to_numpy(dtype="int64"),
        "sesso": _sexes(rows["SEX"]).to_numpy(),
        "valore": rows["OBS_VALUE"].to_numpy(dtype="float64"),
    })
    out["codice"] = out["codice"].astype("str")
    out["sesso"] = out["sesso"].astype("str")
    out["fonte"] = facts["fonte"]
    out["vintage"] = vintage or _vintage_from(rows)
    out["stato"] = rows["stato"].astype("str").to_numpy()
    out["stato"] = out["stato"].astype("str")
    return out


def _vintage_from(rows: pd.DataFrame) -> str:
    if "DATAFLOW" in rows and len(rows):
        return f"esploradati {rows['DATAFLOW'].iloc[0]}"
    return "esploradati"


def population_totals(
    frame: pd.DataFrame, flow_id: str, *, vintage: str | None = None, comuni_only: bool = True
) -> pd.DataFrame:
    """Total resident population on 1 January (all ages) -> tidy table without age.

    Works for 22_289 and 164_164 (DATA_TYPE JAN) and 29_316 (FJAN, foreign residents).
    ``comuni_only`` keeps 6-digit REF_AREA codes and drops Italy, regions, provinces.
    Columns: codice, anno, sesso, valore, fonte, vintage, stato.
    """
    rows = _population_rows(frame, flow_id, comuni_only)
    if "AGE" in rows:
        rows = rows.loc[rows["AGE"] == "TOTAL"]
    out = _as_counts(_tidy_base(rows, flow_facts(flow_id), vintage))
    out["_sex"] = out["sesso"].map({"M": 0, "F": 1, "T": 2})
    return _finish(out, POPULATION_COLUMNS, ["codice", "anno", "_sex"])


def parse_age_code(codes: pd.Series) -> pd.Series:
    """AGE codes of CL_ETA1: ``Y0``…``Y119`` -> 0…119, ``Y_GE100`` -> 100, others NaN.

    Class codes (``Y0-9``, ``Y_UN17``, ``Y_GE15``) and ``TOTAL`` are not single ages.
    """
    single = codes.str.extract(r"^Y(\d+)$", expand=False)
    ages = pd.to_numeric(single, errors="coerce")
    return ages.mask(codes == "Y_GE100", MAX_AGE)


def population_by_age(
    frame: pd.DataFrame, flow_id: str, *, vintage: str | None = None, comuni_only: bool = True
) -> pd.DataFrame:
    """Population on 1 January by single year of age -> tidy age table, ages 0…100.

    Single ages above 100 (Y101…) are folded into 100 ("100 and over"); when both
    ``Y_GE100`` and single ages ≥100 are present, ``Y_GE100`` alone is used. Sex totals
    (SEX=9) are kept as ``T`` rows if the answer carries them.
    Columns: codice, anno, sesso, eta, valore, fonte, vintage, stato.
    """
    rows = _population_rows(frame, flow_id, comuni_only)
    _require_columns(rows, flow_id, ["AGE"])
    ages = parse_age_code(rows["AGE"])
    rows = rows.assign(eta=ages).loc[ages.notna()]
    if (rows["AGE"] == "Y_GE100").any():
        rows = rows.loc[(rows["eta"] < MAX_AGE) | (rows["AGE"] == "Y_GE100")]
    out = _tidy_base(rows, flow_facts(flow_id), vintage)
    out["eta"] = rows["eta"].clip(upper=MAX_AGE).to_numpy(dtype="int64")
    keys = ["codice", "anno", "sesso", "eta", "fonte", "vintage", "stato"]
    if out.duplicated(["codice", "anno", "sesso", "eta"]).any():
        out = out.groupby(keys, as_index=False, sort=False)["valore"].sum()
    out = _as_counts(out)
    out["_sex"] = out["sesso"].map({"M": 0, "F": 1, "T": 2})
    return _finish(out, AGE_COLUMNS, ["codice", "anno", "_sex", "eta"])


def to_balance(
    frame: pd.DataFrame, flow_id: str, *, vintage: str | None = None, comuni_only: bool = True
) -> pd.DataFrame:
    """Demographic balance (22_315, 29_316, 164_164) -> the balance table of demo_istat.

    DATA_TYPE becomes ``variabile`` with the ids of the demo.istat.it P2/P3 tables; a code
    the yaml does not list keeps its lower-cased code as id. ``anno_bilancio`` is the
    TIME_PERIOD year; ``anno`` adds one for stocks at 31 December (yaml ``shift``).
    Columns: codice, anno, anno_bilancio, sesso, variabile, valore, fonte, vintage, stato.
    """
    facts = flow_facts(flow_id)
    _require_columns(frame, flow_id, ["REF_AREA", "DATA_TYPE", "SEX"])
    rows = _select_areas(_keep_totals(frame, facts), comuni_only)
    if "AGE" in rows:
        rows = rows.loc[rows["AGE"] == "TOTAL"]
    names = {code: spec["variabile"] for code, spec in (facts.get("data_types") or {}).items()}
    out = _tidy_base(rows, facts, vintage)
    out["anno_bilancio"] = rows["anno"].to_numpy(dtype="int64")
    out["variabile"] = rows["DATA_TYPE"].map(names).fillna(rows["DATA_TYPE"].str.lower()).astype("str").to_numpy()
    out["variabile"] = out["variabile"].astype("str")
    out["_sex"] = out["sesso"].map({"M": 0, "F": 1, "T": 2})
    return _finish(out, BALANCE_COLUMNS, ["codice", "anno_bilancio", "variabile", "_sex"])


# --- structure check ---------------------------------------------------------------------

STRUCTURE_NS = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"


def structure_dimensions(xml_bytes: bytes) -> dict[str, list[str]]:
    """DSD id -> dimension ids in position order (TimeDimension excluded), from SDMX-ML 2.1."""
    try:
        root = ET.fromstring(xml_bytes)
    except ET.ParseError as error:
        raise FormatoNonRiconosciuto(
            f"La struttura (DSD) ricevuta da ISTAT non è XML valido ({error}). Scaricarla di nuovo."
        ) from error
    found = {}
    for dsd in root.iter(f"{STRUCTURE_NS}DataStructure"):
        dims = [
            (int(d.get("position", 0)), d.get("id"))
            for d in dsd.iter(f"{STRUCTURE_NS}Dimension")
            if d.get("id") and d.get("position")
        ]
        found[dsd.get("id")] = [dim for _, dim in sorted(dims)]
    return found


def check_structure(xml_bytes: bytes, flow_id: str) -> list[str]:
    """Check a served DSD against the key layout declared for ``flow_id``; return it.

    ISTAT has silently changed layouts before (22_289 went from FREQ.ETA.ITTER107… in
    2020 to FREQ.REF_AREA.DATA_TYPE… on esploradati), so the declared order is checked
    before keys are built from it.
    """
    facts = flow_facts(flow_id)
    dsd_id = facts["dsd"]["id"]
    found = structure_dimensions(xml_bytes)
    if dsd_id not in found and facts["dsd"].get("id_verificato") is False and len(found) == 1:
        # The DSD id was never observed for this flow: the single DSD served with the flow
        # is its structure, and what must match is the layout.
        dsd_id = next(iter(found))
    if dsd_id not in found:
        raise StrutturaSdmxCambiata(
            f"La struttura ricevuta non contiene la DSD {dsd_id} attesa per il dataflow {flow_id} "
            f"(trovate: {', '.join(found) or 'nessuna'}). Verificare il dataflow su esploradati e "
            "aggiornare diagnosis/sources/istat_dataflows.yaml."
        )
    served = found[dsd_id]
    declared = list(facts["dimensions"])
    if served != declared:
        raise StrutturaSdmxCambiata(
            f"ISTAT ha cambiato la struttura del dataflow {flow_id} (DSD {dsd_id}): dimensioni "
            f"dichiarate {'.'.join(declared)}, servite {'.'.join(served)}. Le chiavi costruite "
            "sarebbero sbagliate: aggiornare 'dimensions' in diagnosis/sources/istat_dataflows.yaml."
        )
    return served
