"""The ``egide`` command line. Each capability registers its commands in its own module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from egide import __version__
from egide.cli import french
from egide.cli.common import EXIT_ERROR, CliError, fail
from egide.files import restrict_umask

__all__ = ["main", "build_parser"]

# Modules that add subcommands: each exposes ``register(subparsers)``.
_COMMAND_MODULES = (
    "egide.cli.guard",
    "egide.cli.assist",
    "egide.cli.audit",
    "egide.cli.drafts",
    "egide.cli.drafting",
    "egide.cli.batch",
    "egide.cli.serve",
    "egide.cli.worker",
    "egide.cli.backup",
    "egide.cli.apps",
    "egide.cli.users",
    "egide.cli.models",
    "egide.cli.kb",
    "egide.cli.keys",
)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    french.install()
    parser = argparse.ArgumentParser(
        prog="egide",
        description="Égide — assistant IA souverain pour les agents publics, charte intégrée.",
    )
    parser.add_argument("--version", action="version", version=f"egide {__version__}")
    parser.add_argument(
        "--config", metavar="FICHIER", help="fichier egide.toml (sinon EGIDE_CONFIG ou défauts)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)
    for module_name in _COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    restrict_umask()  # what any command writes (EGIDE_HOME, results) is its user's only
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CliError as exc:
        return fail(str(exc), exc.exit_code, kind=exc.kind)
    except KeyboardInterrupt:
        return fail("interrompu par l'utilisateur", EXIT_ERROR)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
