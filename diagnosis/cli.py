"""The ``diagnosis`` command. Words for the user in Italian, code in English."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from pathlib import Path

from diagnosis import __version__, config, threads
from diagnosis.errors import DiagnosisError, describe_unexpected

# Imports inside functions: each sub-command imports its work only when it runs, so that
# `diagnosis --help` and a mistyped option answer at once instead of after the scientific stack loads.

DEFAULT_REPORTS_DIR = Path("reports")
EDITIONS, DEFAULT_EDITION = config.EDITIONS, config.DEFAULT_EDITION
EXIT_ERROR = 2  # an error the package raised on purpose, with its cause and fix
EXIT_UNEXPECTED = 3  # anything else: a defect, or the system (memory, disk) failing
DEBUG_HELP = "in caso di errore mostrare anche il dettaglio tecnico (traceback)"
EDITION_HELP = ("per chi è la fotografia: cliente (predefinita: la lettura, senza comandi né sezioni vuote) "
                "o analista (con i comandi che ottengono i dati mancanti)")
BRAND_HELP = ("file YAML del marchio di chi consegna la fotografia: logo, cliente, autore, testo di copertina, "
              "due colori (un esempio è marchio.yaml nella cartella che stampa diagnosis lab --percorso-modelli)")
NOTEBOOK_HELP = ("il notebook da eseguire, ad esempio una copia modificata preparata da diagnosis lab --cartella; "
                 "predefinito: fotografia.ipynb del pacchetto")


def _common_options() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--offline", action="store_true", help="non usare la rete (anche con DIAGNOSIS_OFFLINE=1)")
    shared.add_argument("--silenzioso", action="store_true", help="non mostrare le note sulle conversioni")
    # Also accepted after the command; SUPPRESS keeps a --debug given before it.
    shared.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return shared


def _add_territori(commands, shared) -> None:
    territori = commands.add_parser("territori", help="cercare comuni, distretti, province e regioni")
    actions = territori.add_subparsers(dest="azione", required=True, metavar="AZIONE")
    cerca = actions.add_parser("cerca", parents=[shared], help="cercare un comune per nome o codice")
    cerca.add_argument("nome", nargs="+", help="nome (anche parziale o con errori), codice ISTAT o catastale")
    cerca.set_defaults(handler=_run_territori_cerca)
    distretti = actions.add_parser("distretti", parents=[shared], help="elencare e validare i distretti definiti")
    distretti.set_defaults(handler=_run_territori_distretti)


def _add_indicatori(commands, shared) -> None:
    indicatori = commands.add_parser("indicatori", parents=[shared], help="indicatori di un territorio a confronto")
    indicatori.add_argument("territorio", help="comune, id di distretto, provincia:XX, regione:NN o italia")
    indicatori.add_argument("--anno", type=int, help="anno (popolazione al 1° gennaio); predefinito: l'ultimo")
    indicatori.add_argument("--json", action="store_true", help="stampare in JSON")
    indicatori.set_defaults(handler=_run_indicatori)


def _add_fotografia(commands, shared) -> None:
    fotografia = commands.add_parser("fotografia", parents=[shared], help="produrre la fotografia di partenza (HTML, e PDF)")
    fotografia.add_argument("territorio", help="comune, id di distretto, provincia:XX, regione:NN o italia")
    fotografia.add_argument("--anno", type=int, help="anno di riferimento; predefinito: l'ultimo disponibile")
    fotografia.add_argument("--output", type=Path, default=DEFAULT_REPORTS_DIR, help="cartella di uscita (predefinita: reports/)")
    fotografia.add_argument("--pdf", action="store_true", help="anche fotografia.pdf, stampato con Chromium headless")
    fotografia.add_argument("--notebook", type=Path, help=NOTEBOOK_HELP)
    fotografia.add_argument("--marchio", type=Path, help=BRAND_HELP)
    fotografia.add_argument("--edizione", choices=EDITIONS, default=DEFAULT_EDITION, help=EDITION_HELP)
    fotografia.set_defaults(handler=_run_fotografia)


def _add_proiezioni(commands, shared) -> None:
    proiezioni = commands.add_parser("proiezioni", parents=[shared], help="proiezioni della popolazione con intervalli")
    proiezioni.add_argument("territorio", help="comune, id di distretto, provincia:XX, regione:NN o italia")
    proiezioni.add_argument("--orizzonte", type=int, default=5, help="anni di proiezione dopo l'anno base (1-10, predefinito 5)")
    proiezioni.add_argument("--per-comune", action="store_true", help="una proiezione per ogni comune del territorio")
    proiezioni.add_argument("--anno", type=int, help="1° gennaio da cui partire (predefinito: l'ultimo con i totali "
                            "ufficiali); con un anno passato, confronta con la popolazione pubblicata dopo")
    proiezioni.add_argument("--json", action="store_true", help="stampare in JSON")
    proiezioni.set_defaults(handler=_run_proiezioni)


def _add_dati(commands, shared) -> None:
    dati = commands.add_parser("dati", help="scaricare, importare, elencare e rimuovere i dati")
    actions = dati.add_subparsers(dest="azione", required=True, metavar="AZIONE")
    scarica = actions.add_parser("scarica", parents=[shared], help="scaricare i file pubblicati nell'archivio locale")
    scarica.add_argument("--fonte", required=True, help=(
        "file nazionali: posas, strasa, p2, p3, mef_irpef, comuni_soppressi, elenco_comuni, variazioni_comuni, "
        "ricodifica_sardegna, pendolarismo (censimento 2011), pendolarismo_lavoro (censimento 2021); per territorio "
        "(con --territorio): asia_ul, asia_ul_ateco2, stranieri_sdmx, bilancio_sdmx, popolazione_sdmx, "
        "popolazione_ricostruita, osm (negozi), osm_rete (strade, ciclabili e stazioni); per regione (con "
        "--regione o --territorio): sezioni_2011, sezioni_2021, confini_sezioni_2011, confini_sezioni_2021, "
        "imprese_sezioni_2011"))
    scarica.add_argument("--anni", help="anno o intervallo (es. 2019-2025); predefinito: l'ultimo pubblicato")
    scarica.add_argument("--territorio", help="territorio (per le fonti interrogate per comune)")
    scarica.add_argument("--regione", help="codici ISTAT delle regioni per le sezioni di censimento (es. 03 o 03,08)")
    scarica.add_argument("--senza-confronti", action="store_true",
                         help="solo i comuni del territorio, senza quelli della provincia e dei comuni simili "
                              "(per osm: senza i comuni simili)")
    scarica.set_defaults(handler=_run_dati_scarica)
    aggiungi = actions.add_parser("aggiungi", parents=[shared], help="importare file scaricati a mano (ZIP o CSV)")
    aggiungi.add_argument("file", nargs="+", help="uno o più file, con qualsiasi nome")
    aggiungi.add_argument("--territorio", help=(
        "il territorio a cui appartengono i file degli analisti (registro negozi, rilevazione sfitti, "
        "questionario, presenze) e le esportazioni OpenStreetMap"))
    aggiungi.set_defaults(handler=_run_dati_aggiungi)
    stato = actions.add_parser("stato", parents=[shared], help="cosa c'è nell'archivio, anno per anno, e che cosa usa")
    stato.set_defaults(handler=_run_dati_stato)
    rimuovi = actions.add_parser("rimuovi", parents=[shared], help="togliere dall'archivio file importati o scaricati")
    rimuovi.add_argument("file", nargs="*", help=(
        "file dell'archivio, come li mostra diagnosis dati stato (es. p2/P2_2025_it_Comuni.csv) o per nome"))
    rimuovi.add_argument("--dataset", help="tutti i file di un dataset (es. mef_irpef), con --anno e --territorio")
    rimuovi.add_argument("--anno", type=int, help="con --dataset: solo i file che coprono quell'anno")
    rimuovi.add_argument("--territorio", help="con --dataset: solo i file di quel territorio")
    rimuovi.add_argument("--si", action="store_true", help="rimuovere senza chiedere conferma (per gli script)")
    rimuovi.set_defaults(handler=_run_dati_rimuovi)


def _add_confronta(commands, shared) -> None:
    confronta = commands.add_parser("confronta", parents=[shared], help="cosa è cambiato dalla fotografia di partenza")
    confronta.add_argument("baseline", help="manifest.json della fotografia di partenza (o la sua cartella)")
    confronta.add_argument("nuovo", help="un secondo manifest.json, oppure il territorio da ricalcolare ora")
    confronta.add_argument("--output", type=Path, default=DEFAULT_REPORTS_DIR / "confronti", help="cartella di uscita")
    confronta.set_defaults(handler=_run_confronta)


def _add_batch(commands, shared) -> None:
    batch = commands.add_parser("batch", parents=[shared], help="fotografie di molti territori, riprendibili")
    batch.add_argument("territori", nargs="*", help="territori; provincia:XX, regione:NN e tutti valgono per ogni comune")
    batch.add_argument("--distretti", help="file YAML di un distretto, o cartella di file, da aggiungere")
    batch.add_argument("--output", type=Path, default=DEFAULT_REPORTS_DIR, help="cartella di uscita (predefinita: reports/)")
    batch.add_argument("--workers", type=int, help="processi in parallelo (predefinito: i core della macchina)")
    batch.add_argument("--scheduler", help="indirizzo di un cluster Dask, es. tcp://10.0.0.5:8786")
    batch.add_argument("--anno", type=int, help="anno di riferimento; predefinito: l'ultimo disponibile")
    batch.add_argument("--forza", action="store_true", help="rifare anche le fotografie già aggiornate")
    batch.add_argument("--baseline", type=Path, help="cartella di un batch precedente: confronto per ogni territorio")
    batch.add_argument("--notebook", type=Path, help=NOTEBOOK_HELP)
    batch.add_argument("--pdf", action="store_true", help="anche fotografia.pdf per ogni territorio (serve Chromium)")
    batch.add_argument("--marchio", type=Path, help=BRAND_HELP)
    batch.add_argument("--edizione", choices=EDITIONS, default=DEFAULT_EDITION, help=EDITION_HELP)
    batch.set_defaults(handler=_run_batch)


def _add_lab(commands, shared) -> None:
    lab = commands.add_parser(
        "lab", parents=[shared], help="aprire JupyterLab sui notebook del progetto",
        usage="diagnosis lab [--cartella CARTELLA] [--porta PORTA] [--percorso-notebook | --percorso-modelli] "
              "[-- OPZIONI_JUPYTERLAB ...]",
        epilog="Esempi: diagnosis lab --cartella mio_lavoro; diagnosis lab -- --no-browser --ServerApp.port=9999",
    )
    lab.add_argument("--cartella", type=Path, help=(
        "copiare i notebook (e i modelli da compilare, in templates/) in questa cartella, senza sovrascrivere "
        "quelli già presenti, e aprire JupyterLab lì; predefinito: i notebook del pacchetto"))
    lab.add_argument("--porta", type=int, default=None, help="porta di JupyterLab")
    # For plain papermill and nbconvert, which need the shipped files by path.
    paths = lab.add_mutually_exclusive_group()
    paths.add_argument("--percorso-notebook", action="store_true", help=(
        "stampare la cartella dei notebook del pacchetto (per papermill) e uscire"))
    paths.add_argument("--percorso-modelli", action="store_true", help=(
        "stampare la cartella del modello HTML fotografia (per jupyter nbconvert "
        "--TemplateExporter.extra_template_basedirs) e uscire"))
    lab.add_argument("opzioni_jupyterlab", nargs=argparse.REMAINDER, metavar="-- OPZIONI_JUPYTERLAB", help=(
        "dopo --, opzioni passate così come sono a JupyterLab (come root si aggiunge da sé --allow-root)"))
    lab.set_defaults(handler=_run_lab)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="diagnosis",
        description="Fotografia di partenza di comuni e Distretti del Commercio.",
    )
    parser.add_argument("--version", action="version", version=f"diagnosis {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    commands = parser.add_subparsers(dest="comando", required=True, metavar="COMANDO")
    shared = _common_options()
    for add in (_add_territori, _add_indicatori, _add_proiezioni, _add_fotografia, _add_dati, _add_confronta, _add_batch, _add_lab):
        add(commands, shared)
    return parser


def _run_territori_cerca(args) -> int:
    from diagnosis.commands.territori import print_search

    return print_search(" ".join(args.nome))


def _run_territori_distretti(args) -> int:
    from diagnosis.commands.territori import print_districts

    return print_districts()


def _run_indicatori(args) -> int:
    from diagnosis.commands.indicatori import indicators_json, print_indicators

    if args.json:
        print(json.dumps(indicators_json(args.territorio, args.anno), ensure_ascii=False, indent=2))
        return 0
    return print_indicators(args.territorio, args.anno)


def _run_proiezioni(args) -> int:
    from diagnosis.commands.proiezioni import print_projections, projections_json

    if args.json:
        print(json.dumps(projections_json(args.territorio, args.orizzonte, args.per_comune, args.anno),
                         ensure_ascii=False, indent=2))
        return 0
    return print_projections(args.territorio, args.orizzonte, args.per_comune, args.anno)


def _run_fotografia(args) -> int:
    from diagnosis.report.brand import load_brand
    from diagnosis.report.fotografia import build_fotografia
    from diagnosis.territory import resolve_territory

    brand = load_brand(args.marchio) if args.marchio else None
    territory = resolve_territory(args.territorio)
    result = build_fotografia(territory, year=args.anno, output_dir=args.output, notebook=args.notebook,
                              brand=brand, pdf=args.pdf, edition=args.edizione)
    print(f"Fotografia di {territory.nome}: {result.html}")
    if result.pdf:
        print(f"PDF: {result.pdf}")
    return 0


def _run_dati_scarica(args) -> int:
    from diagnosis.commands.dati import download

    return download(args.fonte, args.anni, args.territorio, with_comparisons=not args.senza_confronti,
                    regions_text=args.regione)


def _run_dati_aggiungi(args) -> int:
    from diagnosis.commands.dati import add

    return add(args.file, args.territorio)


def _run_dati_stato(args) -> int:
    from diagnosis.commands.dati import status

    return status()


def _run_dati_rimuovi(args) -> int:
    from diagnosis.commands.dati import remove

    return remove(args.file, args.dataset, args.anno, args.territorio, confirmed=args.si)


def _run_confronta(args) -> int:
    from diagnosis.commands.confronta import compare

    return compare(args.baseline, args.nuovo, args.output)


def _run_batch(args) -> int:
    from diagnosis.commands.batch import run

    return run(args.territori, args.distretti, args.output, args.workers, args.scheduler, args.forza, args.anno,
               args.baseline, args.notebook, args.marchio, args.pdf, args.edizione)


def _run_lab(args) -> int:
    from diagnosis.commands.lab import open_lab, print_folder

    if args.percorso_notebook or args.percorso_modelli:
        return print_folder(notebooks=args.percorso_notebook)
    return open_lab(args.cartella, args.porta, args.opzioni_jupyterlab)


def _configure_notices(quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("Nota: %(message)s"))
    logger = logging.getLogger("diagnosis")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    logger.propagate = False


def _command_name(args) -> str:
    words = ["diagnosis", args.comando] + ([args.azione] if getattr(args, "azione", None) else [])
    return "«" + " ".join(words) + "»"


def main(argv: list[str] | None = None) -> int:
    threads.default_to_one_thread()
    # Imported after the line above: it loads numpy, which reads the thread settings once.
    from diagnosis.string_storage import keep_text_as_python_strings
    from diagnosis.unused_imports import skip_iri_grammar

    keep_text_as_python_strings()
    skip_iri_grammar()
    args = build_parser().parse_args(argv)
    _configure_notices(getattr(args, "silenzioso", False))
    if getattr(args, "offline", False):
        config.set_offline(True)
    if getattr(args, "debug", False):
        config.set_debug(True)
    try:
        return args.handler(args)
    except DiagnosisError as error:
        _traceback_if_debug()
        print(f"Errore: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Interrotto.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of the output went away (``| head``): nothing is wrong, stop quietly.
        sys.stdout = open(os.devnull, "w")
        return 0
    except Exception as error:  # noqa: BLE001 — the last resort: no traceback reaches the user unasked
        _traceback_if_debug()
        print(describe_unexpected(error, _command_name(args)), file=sys.stderr)
        return EXIT_UNEXPECTED


def _traceback_if_debug() -> None:
    if config.is_debug():
        traceback.print_exc(file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
