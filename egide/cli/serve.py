"""``egide serve``: the HTTP service."""

from __future__ import annotations

import argparse

from egide.cli.common import EXIT_OK, settings_from

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser("serve", help="démarrer le service web (GET /healthz)")
    serve.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (défaut : 8000)")
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from egide.web import create_app

    settings = settings_from(args)
    settings.home.mkdir(parents=True, exist_ok=True)
    print(f"Égide écoute sur http://{args.host}:{args.port}/ (données : {settings.home})")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
