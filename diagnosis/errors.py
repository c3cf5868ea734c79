"""Every error a user can meet, in one tree, each naming the cause and the fix.

``DiagnosisError`` is the root: the command line turns any of its subclasses into the
Italian message it carries and a non-zero exit, never a traceback. Below it, one branch per
kind of trouble, so that code can react to a kind (``except RichiestaNonValida``) or to one
failure (``except TerritorioAmbiguo``):

- ``RichiestaNonValida``: what was asked names no territory, year, source or option that exists;
- ``DatiNonDisponibili``: a figure needs data that is neither embedded nor in the store;
- ``FormatoNonRiconosciuto``: a published or compiled file is not what its reader knows;
- ``ErroreArchivio``: the local store itself (its manifest, a stored file) is damaged or asked
  for something it does not hold;
- ``ErroreServizio``: a web service refused, failed, or was not called (offline, dry run);
- ``ErroreReport``: a fotografia, a batch or a comparison could not be produced or written;
- ``SnapshotIncoerente``: the rebuild of the embedded snapshot found its inputs inconsistent.

The class names are Italian because users meet them: in ``--json`` errors and when they
catch them in a notebook. The message is written where the error is raised, because only
there are the cause's particulars (the file, the comune, the command to run) known.
"""


class DiagnosisError(Exception):
    """Root of every error the package raises on purpose."""


# --- what was asked -------------------------------------------------------------------------

class RichiestaNonValida(DiagnosisError):
    """An argument names nothing that exists, or asks for what cannot be done honestly."""


class TerritorioSconosciuto(RichiestaNonValida):
    """The territory argument matches no comune, district, province or region."""


class TerritorioAmbiguo(TerritorioSconosciuto):
    """A name matches several comuni; the message lists them with their province."""

    def __init__(self, message: str, candidates: list):
        super().__init__(message)
        self.candidates = candidates


class AnnoNonDisponibile(RichiestaNonValida):
    """The year asked for is not among those the data hold."""


class DistrettoNonValido(RichiestaNonValida):
    """A district definition file is malformed or names unknown comuni."""


class FonteSconosciuta(RichiestaNonValida):
    """``--fonte`` names no downloadable source; the message lists those that exist."""


class AnniNonValidi(RichiestaNonValida):
    """``--anni`` is not a year or a range of years the source publishes."""


class MarchioNonValido(RichiestaNonValida):
    """The brand file given with ``--marchio`` cannot be read, names a missing logo or holds a bad value."""


class SenzaPerimetro(RichiestaNonValida):
    """A figure of a district's perimeter was asked for a territory that has none, or none drawn."""


class OrizzonteNonValido(RichiestaNonValida):
    """The projection horizon is outside what the model can honestly support."""


class IndicatoreNonValido(RichiestaNonValida):
    """An indicator id names no indicator, or one without a yearly series; the message lists the valid ids."""


class LivelloNonValido(RichiestaNonValida):
    """What was asked does not exist at the territory's level (the peers of a province or a region)."""


# --- data that is not there -----------------------------------------------------------------

class DatiNonDisponibili(DiagnosisError):
    """A source needed for a computation is not in the store; the message names the command that gets it."""


class SnapshotNonDisponibile(DatiNonDisponibili):
    """A table of the embedded snapshot is missing or unknown; the message names the rebuild command."""


class SezioniNonDisponibili(DatiNonDisponibili):
    """The census sections a perimeter needs (variables or boundaries of its region) are not in the store."""


class PerimetroSenzaSezioni(DatiNonDisponibili):
    """No census section of the district's comuni meets its perimeter, or its codes are not among them."""


class FileSorgenteMancante(DatiNonDisponibili):
    """A published file the snapshot is built from is not in the folder of real data."""


# --- files that are not what they should be ---------------------------------------------------

class FormatoNonRiconosciuto(DiagnosisError):
    """A published file does not have the layout its parser knows (columns, title, container)."""


class ArchivioSenzaCsv(FormatoNonRiconosciuto):
    """A ZIP archive holds no CSV file, or more than one where exactly one was expected."""


class RispostaHtml(FormatoNonRiconosciuto):
    """A server answered with an HTML page (often an error page sent with status 200)."""


class TotaliIncoerenti(FormatoNonRiconosciuto):
    """The per-age counts of a file do not add up to the total row the same file gives."""


class RispostaTroncata(FormatoNonRiconosciuto):
    """A response body was cut before its end (last line incomplete)."""


class DownloadNonValido(FormatoNonRiconosciuto):
    """A downloaded or imported file failed its content check; the store was left untouched."""


class FileNonRiconosciuto(FormatoNonRiconosciuto):
    """A file given to the store is none of the datasets the package can recognise."""


class FileIncompleto(DownloadNonValido):
    """A national file covers too few (or too many) comuni, repeats a comune or lacks a column."""


class FileAnalistaNonValido(FormatoNonRiconosciuto):
    """A file given as shop register or vacancy survey has neither layout, or cannot be read."""


class QuestionarioNonValido(FormatoNonRiconosciuto):
    """A file is not a survey export, or a mapping does not fit it; the message says how to fix it."""


class FileOsmNonValido(FormatoNonRiconosciuto):
    """An OpenStreetMap extract (OSM XML, Overpass JSON) that cannot be read as a street network."""


class PresenzeNonValide(FormatoNonRiconosciuto):
    """A file is not a presences export in a known layout, or a mapping does not fit it."""


class PerimetroNonValido(FormatoNonRiconosciuto):
    """A district's ``perimetro`` cannot be used; the subclass says why, the message how to redraw it."""


class PerimetroIllegibile(PerimetroNonValido):
    """The perimeter file is missing, has an unknown extension, or GDAL cannot read it."""


class PerimetroNonPoligonale(PerimetroNonValido):
    """The perimeter file holds points or lines, not only polygons."""


class PerimetroSenzaCrs(PerimetroNonValido):
    """The perimeter file declares no CRS, or one its coordinates contradict (metres labelled as degrees)."""


class PerimetroAutointersecante(PerimetroNonValido):
    """A polygon of the perimeter is invalid (its edge crosses itself); the message gives the point."""


class PerimetroFuoriDaiComuni(PerimetroNonValido):
    """The perimeter lies outside the district's comuni, wholly or beyond the tolerance for drawing slop."""


class PerimetroVuoto(PerimetroNonValido):
    """The perimeter file holds no geometry, or polygons of no area."""


class CodiciPerimetroNonValidi(PerimetroNonValido):
    """The census sections or ACE of a perimeter are badly written or belong to no comune of the district."""


class StradeNonValide(FormatoNonRiconosciuto):
    """The street lines given for a perimeter's frontage lack ``classe``, are not lines or not in EPSG:3035."""


class LimiteSuperato(DiagnosisError):
    """A file is larger, unpacks to more, or holds more members or rows than the limits allow.

    ``limite`` names the constant of ``diagnosis/store/limits.py`` that was exceeded. Not a
    ``FormatoNonRiconosciuto``: a reader that tries another layout on a format error must
    stop at once on a file too large to open.
    """

    def __init__(self, message: str, limite: str):
        super().__init__(message)
        self.limite = limite


# --- the local store ------------------------------------------------------------------------

class ErroreArchivio(DiagnosisError):
    """The local store is damaged, or was asked for a file it does not hold."""


class ManifestoDanneggiato(ErroreArchivio):
    """The store's manifest cannot be read as JSON with the expected shape."""


class FileArchiviatoIlleggibile(ErroreArchivio):
    """A file already in the store no longer reads; the message names it and the command that removes it."""

    def __init__(self, message: str, path: str):
        super().__init__(message)
        self.path = path


class FileArchiviatoSconosciuto(ErroreArchivio):
    """``dati rimuovi`` was given a name that matches no stored file; the message lists what is stored."""


# --- web services ---------------------------------------------------------------------------

class ErroreServizio(DiagnosisError):
    """A web service refused or failed a request, or the request was not made at all."""


class RisorsaOffline(ErroreServizio):
    """A network call was attempted while the offline switch is on."""


class ChiamataSimulata(RisorsaOffline):
    """Dry-run mode: the request was shown (``url``) instead of being made.

    A subclass of ``RisorsaOffline`` so that readers which stop at once when offline also
    stop at once in a dry run, instead of trying fall-back URLs.
    """

    def __init__(self, message: str, url: str):
        super().__init__(message)
        self.url = url


class ServizioNonRaggiungibile(ErroreServizio):
    """A host did not answer (timeouts after the retries, refused connection, DNS failure)."""


class ErroreServizioIstat(ErroreServizio):
    """The ISTAT SDMX web service answered with an error that is not 'no data'."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class MappingStoreIstat(ErroreServizioIstat):
    """ISTAT's 404 'Mapping Store' error: a server-side fault, not to be retried in a loop."""


class StrutturaSdmxCambiata(ErroreServizio):
    """The DSD ISTAT serves no longer matches the key layout the package declares."""


class ErroreOverpass(ErroreServizio):
    """Overpass (OpenStreetMap) refused or interrupted a query: busy, timed out, or a bad answer."""


# --- reports, batches, comparisons ----------------------------------------------------------

class ErroreReport(DiagnosisError):
    """A fotografia, a batch or a comparison could not be produced or written."""


class UscitaOccupata(ErroreReport):
    """The output folder holds something the tool did not create and would have to replace."""

    def __init__(self, message: str, percorsi: list | None = None):
        super().__init__(message)
        self.percorsi = list(percorsi or [])


class EsecuzioneNotebookFallita(ErroreReport):
    """A notebook cell raised while building a report; the message names the notebook and the cell."""


class ChromiumNonTrovato(ErroreReport):
    """No headless browser to print the PDF with; the message says how to install one."""


class StampaPdfFallita(ErroreReport):
    """The browser ran but produced no PDF."""


class BatchInterrotto(ErroreReport):
    """The user stopped the batch (Ctrl-C); the finished reports are kept."""


class ManifestoNonValido(ErroreReport):
    """A file given to ``confronta`` is not a fotografia manifest of a known schema and sound shape."""


class ManifestiNonConfrontabili(ErroreReport):
    """Two manifests describe different territories, or their years cannot be compared."""


# --- the snapshot build ---------------------------------------------------------------------

class SnapshotIncoerente(DiagnosisError):
    """A check of the snapshot build failed: the files disagree with what the build relies on."""


def describe_unexpected(error: BaseException, what: str) -> str:
    """An Italian sentence for an error the package did not raise on purpose.

    ``what`` names the work that failed ("diagnosis dati aggiungi", "l'importazione di X").
    The traceback is for whoever fixes the program, so the sentence says how to get it.
    """
    if isinstance(error, MemoryError):
        cause = "memoria esaurita"
        fix = "chiudere altri programmi o usare una macchina con più memoria, poi ripetere"
    elif isinstance(error, OSError):
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        cause = f"operazione sui file non riuscita: {error.strerror or error}{where}"
        fix = "controllare che il percorso esista, sia accessibile e che il disco non sia pieno, poi ripetere"
    else:
        cause = f"errore interno {type(error).__name__}: {error}"
        fix = "è un difetto del programma, non dei dati forniti: segnalarlo allegando il dettaglio"
    return (f"Errore imprevisto durante {what} ({cause}). Che cosa fare: {fix}. Per il dettaglio tecnico "
            "(traceback) ripetere il comando con --debug.")
