"""``egide worker``: run the deployment's background work (batches, ingestion, upkeep)."""

from __future__ import annotations

import argparse
import os
import socket

from egide.cli.common import EXIT_OK, CliError, settings_from

__all__ = ["register"]

_SQLITE = (
    "« egide worker » demande une base PostgreSQL partagée (storage.url = "
    '"postgresql+psycopg://…", voir docs/exploitation.md) : avec la base SQLite intégrée, '
    "« egide serve » exécute lui-même les travaux en arrière-plan, il n'y a rien à lancer"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = subparsers.add_parser(
        "worker",
        help="exécuter les travaux en arrière-plan (lots, ingestion, entretien) ; PostgreSQL",
    )
    worker.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="travaux exécutés en même temps (défaut : jobs.concurrency, 2)",
    )
    worker.add_argument(
        "--queue",
        action="append",
        metavar="FILE",
        help="ne prendre que les travaux de cette file (répétable ; défaut : toutes)",
    )
    worker.set_defaults(handler=run_worker)


def run_worker(args: argparse.Namespace) -> int:
    from egide.audit import AuditError
    from egide.cli.serve import private_home
    from egide.logs import configure_logging
    from egide.runtime import open_runtime
    from egide.store import StoreError

    settings = settings_from(args)
    if not settings.is_shared_database:
        raise CliError(_SQLITE)
    concurrency = args.concurrency or settings.jobs.concurrency
    if not 1 <= concurrency <= 64:
        raise CliError("--concurrency : entre 1 et 64 travaux à la fois")
    private_home(settings)
    configure_logging(settings.logging)
    try:
        from egide.jobs.postgres import run_worker as run
    except ImportError as exc:
        raise CliError(
            f"module absent ({exc.name}) : installez Égide avec l'option postgresql "
            "(pip install 'egide[postgresql]')"
        ) from None
    try:
        runtime = open_runtime(settings)
    except (StoreError, AuditError) as exc:
        raise CliError(str(exc)) from None
    name = f"{socket.gethostname()}:{os.getpid()}"
    queues = ", ".join(args.queue) if args.queue else "toutes"
    print(
        f"Égide : travailleur {name} prêt ({concurrency} travaux à la fois ; files : {queues}). "
        "Arrêt propre : SIGTERM ou Ctrl-C (les travaux en cours reprennent ailleurs).",
        flush=True,
    )
    try:
        run(runtime, concurrency=concurrency, queues=args.queue, name=name)
    finally:
        runtime.close()
    print("Égide : travailleur arrêté.", flush=True)
    return EXIT_OK
