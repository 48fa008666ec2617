"""``egide serve``: the HTTP service."""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path
from typing import Any

from egide.cli.common import EXIT_OK, CliError, settings_from
from egide.config import Settings
from egide.logs import configure_logging

__all__ = ["register"]


_MAX_WORKERS = 64
_SQLITE_WORKERS = (
    "--workers {n} : plusieurs processus web demandent une base PostgreSQL partagée "
    '(storage.url = "postgresql+psycopg://…", voir docs/exploitation.md) ; avec la base '
    "SQLite intégrée, lancez « egide serve » sans --workers (un seul processus)"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser(
        "serve", help="démarrer le service web (GET /healthz, GET /readyz)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (défaut : 8000)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="processus web sur ce port (défaut : 1 ; plus d'un demande PostgreSQL ; "
        "prenez le nombre de cœurs de la machine)",
    )
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = settings_from(args)
    if not 1 <= args.workers <= _MAX_WORKERS:
        raise CliError(f"--workers : entre 1 et {_MAX_WORKERS} processus")
    if args.workers > 1 and not settings.is_shared_database:
        raise CliError(_SQLITE_WORKERS.format(n=args.workers))
    private_home(settings)
    address = f"http://{args.host}:{args.port}/"
    _prepare_store(settings, address)
    if settings.is_shared_database:
        # The workers (egide worker) keep the retention period, once for the deployment.
        print("Conservation et entretien : assurés par les processus « egide worker ».")
    else:
        _schedule_retention(settings)
    plural = f" ({args.workers} processus)" if args.workers > 1 else ""
    print(f"Égide écoute sur {address}{plural} (données : {settings.home})", flush=True)
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1 (or
    # FORWARDED_ALLOW_IPS); the application reads it only from portal.trusted_proxies.
    # log_config=None and no access log of uvicorn's: its loggers go through Égide's handler
    # (egide/logs.py), and the access log is Égide's, which names routes, not typed paths.
    options: dict[str, Any] = {
        "host": args.host, "port": args.port, "log_level": "warning", "proxy_headers": False,
        "log_config": None, "access_log": False,
    }  # fmt: skip
    configure_logging(settings.logging)
    if args.workers == 1:
        from egide.web import create_app

        uvicorn.run(create_app(settings), **options)
        return EXIT_OK
    # Each process builds its own application (one store pool, one audit writer, one guard)
    # from the same settings, found again through the environment.
    if settings.config_path is not None:
        os.environ["EGIDE_CONFIG"] = str(Path(settings.config_path).resolve())
    os.environ["EGIDE_HOME"] = str(Path(settings.home).resolve())
    # Metrics of every process in one place, so that any of them answers for all.
    metrics = Path(settings.home).resolve() / "metriques"
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(mode=0o700)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    uvicorn.run(f"{__name__}:worker_app", factory=True, workers=args.workers, **options)
    return EXIT_OK


def worker_app() -> Any:
    """The application of one of the ``--workers`` processes (uvicorn imports this)."""
    from egide.cli.common import apply_document_limits
    from egide.config import load_settings
    from egide.web import create_app

    settings = load_settings()
    configure_logging(settings.logging)  # a process of its own: the parent's setup is not here
    apply_document_limits(settings)
    return create_app(settings)


def private_home(settings: Settings) -> None:
    """EGIDE_HOME is the service's own: mode 0700 (what it holds is private, 0600, by the
    umask every command sets)."""
    import sys

    from egide.files import make_private_dir

    try:
        tightened = make_private_dir(settings.home)
    except OSError as exc:
        raise CliError(
            f"impossible de créer le dossier EGIDE_HOME {settings.home} : {exc.strerror}"
        ) from None
    if tightened:
        print(
            f"egide : attention : le dossier EGIDE_HOME {settings.home} était ouvert à d'autres "
            "comptes ; ses droits sont ramenés à 0700 (propriétaire seul)",
            file=sys.stderr,
        )


def _prepare_store(settings: Settings, address: str) -> None:
    """Before serving: interrupt the batches a stopped process left running (they resume on
    demand), seal what an earlier version left in clear, and on a store without any account,
    create ``admin`` and print its one-time password.

    The password is stored hashed, works once, and must be replaced at the first sign-in,
    which also enrols the second factor: whoever reads the console first must act at once.
    """
    from egide.audit import AuditError, AuditLog
    from egide.auth import FIRST_ADMIN_LOGIN, Role, UserStore
    from egide.auth.accounts import cli_actor
    from egide.store import StoreError, open_store
    from egide.store.batches import BatchJobStore
    from egide.workspace.batches import seal_clear_batches

    try:
        with open_store(settings) as store:
            users = UserStore(store)
            if not users.count():
                # Recorded before it is made, like every account change (fails closed).
                AuditLog.open(settings).append(
                    user=cli_actor("premier-demarrage").name,
                    action="user_created",
                    extra={"target": FIRST_ADMIN_LOGIN, "role": Role.ADMINISTRATEUR.value},
                )
            password = users.ensure_first_admin()
            if not settings.is_shared_database:
                # Batches left running by the one process that stopped: interrupted, ready to
                # resume. With PostgreSQL the workers run them, and take up a lost one's.
                BatchJobStore(store).interrupt_unfinished()
            # What an earlier version left in clear (batch analyses, journals, reports).
            seal_clear_batches(store, settings.home)
    except (StoreError, AuditError) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(
            f"impossible de chiffrer les journaux des travaux répétitifs dans {settings.home} : "
            f"{exc.strerror} ; vérifiez les droits du dossier"
        ) from None
    if password is None:
        return
    print(
        "Premier démarrage : aucun compte n'existait, le compte administrateur "
        f"« {FIRST_ADMIN_LOGIN} » vient d'être créé.\n"
        f"  Mot de passe temporaire (affiché une seule fois) : {password}\n"
        f"  Connectez-vous sur {address}connexion : vous choisirez votre mot de passe, puis "
        "activerez la double authentification (application TOTP) et accepterez la charte.\n"
        "  Créez ensuite les comptes des agents avec « egide users add IDENTIFIANT --role agent »."
    )


RETENTION_INTERVAL_S = 24 * 3600


def apply_retention(settings: Settings) -> dict[str, int]:
    """Apply each kind's retention period to everything the workspace keeps; counts by kind."""
    from egide.store import StoreError
    from egide.workspace.retention import apply_retention as purge

    try:
        return purge(settings)
    except StoreError as exc:
        raise CliError(str(exc)) from None


def _schedule_retention(settings: Settings) -> None:
    """Apply the retention period now, then once a day for as long as the service runs."""
    import sys
    import threading

    def run() -> None:
        from egide.workspace.retention import describe_purge, periods

        try:
            counts = apply_retention(settings)
        except CliError as exc:
            print(f"egide : attention : conservation non appliquée : {exc}", file=sys.stderr)
        else:
            if any(counts.values()):
                print(describe_purge(counts, periods(settings)))
        timer = threading.Timer(RETENTION_INTERVAL_S, run)
        timer.daemon = True
        timer.start()

    run()
