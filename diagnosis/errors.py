"""Errors a user can meet, each naming the cause and the fix.

One root class so the CLI can turn any of them into a clear Italian message and a
non-zero exit, and typed subclasses so code can react to a specific failure.
"""


class DiagnosisError(Exception):
    """Root of every error the package raises on purpose."""


class TerritorioSconosciuto(DiagnosisError):
    """The territory argument matches no comune, district, province or region."""


class TerritorioAmbiguo(TerritorioSconosciuto):
    """A name matches several comuni; the message lists them with their province."""

    def __init__(self, message: str, candidates: list):
        super().__init__(message)
        self.candidates = candidates


class AnnoNonDisponibile(DiagnosisError):
    """The year asked for is not among those the data hold."""


class DistrettoNonValido(DiagnosisError):
    """A district definition file is malformed or names unknown comuni."""


class DatiNonDisponibili(DiagnosisError):
    """A source needed for a computation is not in the store."""


class RisorsaOffline(DiagnosisError):
    """A network call was attempted while the offline switch is on."""


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


class ErroreServizioIstat(DiagnosisError):
    """The ISTAT SDMX web service answered with an error that is not 'no data'."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class MappingStoreIstat(ErroreServizioIstat):
    """ISTAT's 404 'Mapping Store' error: a server-side fault, not to be retried in a loop."""


class StrutturaSdmxCambiata(DiagnosisError):
    """The DSD ISTAT serves no longer matches the key layout the package declares."""


class ChiamataSimulata(RisorsaOffline):
    """Dry-run mode: the request was shown (``url``) instead of being made.

    A subclass of ``RisorsaOffline`` so that readers which stop at once when offline also
    stop at once in a dry run, instead of trying fall-back URLs.
    """

    def __init__(self, message: str, url: str):
        super().__init__(message)
        self.url = url


class ServizioNonRaggiungibile(DiagnosisError):
    """A host did not answer (timeouts after the retries, refused connection, DNS failure)."""


class DownloadNonValido(FormatoNonRiconosciuto):
    """A downloaded or imported file failed its content check; the store was left untouched."""


class FileNonRiconosciuto(FormatoNonRiconosciuto):
    """A file given to the store is none of the datasets the package can recognise."""


class FileIncompleto(DownloadNonValido):
    """A national file covers too few (or too many) comuni, repeats a comune or lacks a column."""


class FileArchiviatoIlleggibile(DiagnosisError):
    """A file already in the store no longer reads; the message names it and the command that removes it."""

    def __init__(self, message: str, path: str):
        super().__init__(message)
        self.path = path


class FileArchiviatoSconosciuto(DiagnosisError):
    """``dati rimuovi`` was given a name that matches no stored file; the message lists what is stored."""


class LimiteSuperato(DiagnosisError):
    """A file is larger, unpacks to more, or holds more members or rows than the limits allow.

    ``limite`` names the constant of ``diagnosis/store/limits.py`` that was exceeded.
    """

    def __init__(self, message: str, limite: str):
        super().__init__(message)
        self.limite = limite


class ManifestNonValido(DiagnosisError):
    """A file given to ``confronta`` is not a fotografia manifest of a known schema and sound shape."""


class ManifestNonConfrontabili(DiagnosisError):
    """Two manifests describe different territories, or their years cannot be compared."""


class ErroreOverpass(DiagnosisError):
    """Overpass (OpenStreetMap) refused or interrupted a query: busy, timed out, or a bad answer."""


class UscitaOccupata(DiagnosisError):
    """The output folder holds something the tool did not create and would have to replace."""

    def __init__(self, message: str, percorsi: list | None = None):
        super().__init__(message)
        self.percorsi = list(percorsi or [])


class SnapshotNonDisponibile(DatiNonDisponibili):
    """A table of the embedded snapshot is missing or unknown; the message names the rebuild command."""


class FileSorgenteMancante(DatiNonDisponibili):
    """A published file the snapshot is built from is not in the folder of real data."""


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
