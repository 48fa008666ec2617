"""Guard commands: ``detect`` (machine contract), ``scan`` (report), ``anonymize``, ``restore``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from egide.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    read_text_file,
    settings_from,
    write_bytes_atomic,
    write_text_atomic,
)

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    detect = subparsers.add_parser(
        "detect",
        help="détecter les données personnelles d'un fichier JSONL (contrat machine)",
        description='Lit des lignes {"id", "text"} et écrit {"id", "spans"} '
        "(positions en caractères, étiquettes en majuscules).",
    )
    detect.add_argument(
        "input", type=Path, metavar="ENTREE.jsonl", help="« - » pour l'entrée standard"
    )
    detect.add_argument(
        "-o", "--output", type=Path, metavar="SORTIE.jsonl", help="défaut : sortie standard"
    )
    detect.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        default=None,
        help="processus d'analyse en parallèle (défaut : un par cœur disponible)",
    )
    detect.set_defaults(handler=run_detect)

    scan = subparsers.add_parser(
        "scan", help="rapport lisible : niveau de sensibilité, raisons, données trouvées"
    )
    scan.add_argument("file", type=Path, metavar="FICHIER")
    scan.add_argument("--json", action="store_true", help="rapport au format JSON")
    scan.set_defaults(handler=run_scan)

    anonymize = subparsers.add_parser(
        "anonymize", help="pseudonymiser un document (coffre chiffré pour la restauration)"
    )
    anonymize.add_argument("file", type=Path, metavar="FICHIER")
    anonymize.add_argument(
        "-o", "--output", type=Path, metavar="SORTIE", help="défaut : sortie standard"
    )
    anonymize.add_argument(
        "--vault",
        type=Path,
        metavar="COFFRE",
        help="coffre chiffré à écrire (défaut : SORTIE.coffre, ou FICHIER.coffre)",
    )
    anonymize.set_defaults(handler=run_anonymize)

    restore = subparsers.add_parser(
        "restore",
        help="avec --vault COFFRE : remettre les valeurs d'origine dans un texte pseudonymisé ; "
        "sans --vault : restaurer une sauvegarde (egide backup) dans un EGIDE_HOME vide",
    )
    restore.add_argument(
        "file",
        type=Path,
        metavar="FICHIER",
        help="texte pseudonymisé (« - » : entrée standard) avec --vault, sinon ARCHIVE de "
        "« egide backup »",
    )
    restore.add_argument(
        "--vault",
        type=Path,
        metavar="COFFRE",
        help="coffre écrit par « egide anonymize » (restauration d'un texte)",
    )
    restore.add_argument(
        "-o", "--output", type=Path, metavar="SORTIE", help="défaut : sortie standard"
    )
    restore.set_defaults(handler=run_restore)


def _guard() -> Any:
    from egide.guard import Guard

    return Guard()


# --- detect ---------------------------------------------------------------------------------


def run_detect(args: argparse.Namespace) -> int:
    from egide.cli.detect import default_jobs, run

    # The configuration is checked (loud on error); detect reads JSONL text, never a document,
    # so the document readers are not loaded.
    settings_from(args, documents=False)
    jobs = default_jobs() if args.jobs is None else args.jobs
    count, warnings = run(args.input, args.output, jobs)
    if args.output is not None:
        print(f"{count} documents analysés → {args.output}", file=sys.stderr)
    for message in warnings:
        print(f"egide : attention : {message}", file=sys.stderr)
    return EXIT_ERROR if warnings else EXIT_OK


# --- scan -----------------------------------------------------------------------------------


def _read_any(path: Path) -> str:
    from egide.documents import DocumentError, read_document

    if not path.exists():
        raise CliError(f"fichier introuvable : {path}")
    try:
        return read_document(path).text
    except DocumentError as exc:
        raise CliError(str(exc)) from None


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    return starts


def run_scan(args: argparse.Namespace) -> int:
    import bisect

    settings_from(args)
    text = _read_any(args.file)
    result = _guard().scan(text)
    starts = _line_starts(text)
    # Reported where they are in the file, even when invisible characters disguised them.
    findings = [(bisect.bisect_right(starts, f.start), f) for f in result.findings_in_source()]
    if args.json:
        payload = {
            "level": result.level.key,
            "reasons": [
                {"category": r.category, "label": r.label_fr, "count": r.count, "level": r.level.key}
                for r in result.reasons
            ],
            "findings": [
                {"line": line, "start": f.start, "end": f.end, "label": f.label,
                 "score": round(f.score, 4), "text": f.text, "explanation": f.explanation}
                for line, f in findings
            ],
        }  # fmt: skip
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return EXIT_OK
    from egide.cli.report import print_scan_report

    print_scan_report(args.file, result, findings)
    return EXIT_OK


# --- anonymize / restore ----------------------------------------------------------------------


def run_anonymize(args: argparse.Namespace) -> int:
    from egide.guard.pseudonymize import pseudonymize
    from egide.guard.vault import Vault, load_vault_keyring

    settings = settings_from(args)
    # The normalised text, as the pipeline would send it: no disguised identifier survives.
    scan = _guard().scan(_read_any(args.file))
    vault = Vault()
    output = pseudonymize(scan.text, scan.findings, vault)
    output_text = output if isinstance(output, str) else output.text
    vault_path = args.vault or Path(f"{args.output or args.file}.coffre")
    blob = vault.seal(load_vault_keyring(settings.home))
    write_bytes_atomic(vault_path, blob, private=True)
    if args.output is None:
        sys.stdout.write(output_text)
    else:
        write_text_atomic(args.output, output_text)
    print(
        f"{len(vault)} valeurs remplacées ; coffre chiffré : {vault_path} "
        f"(clé : {settings.home / 'keys' / 'vault.key'} ou EGIDE_VAULT_KEY)",
        file=sys.stderr,
    )
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    if args.vault is None:  # an archive of egide backup, not a pseudonymised text
        from egide.cli.backup import run_restore_archive

        return run_restore_archive(args)
    from egide.guard.pseudonymize import restore
    from egide.guard.vault import Vault, VaultError, load_vault_keyring

    settings = settings_from(args, documents=False)  # a text file, never a document
    text = sys.stdin.read() if str(args.file) == "-" else read_text_file(args.file)
    try:
        blob = args.vault.read_bytes()
    except OSError:
        raise CliError(f"coffre introuvable ou illisible : {args.vault}", EXIT_USAGE) from None
    try:
        vault = Vault.unseal(blob, load_vault_keyring(settings.home, create=False))
    except VaultError as exc:
        raise CliError(str(exc)) from None
    restored = restore(text, vault)
    if args.output is None:
        sys.stdout.write(restored)
    else:
        write_text_atomic(args.output, restored)
    for warning in restore_warnings(text, vault):
        print(f"egide : attention : {warning}", file=sys.stderr)
    return EXIT_OK


def restore_warnings(text: str, vault: Any) -> list[str]:
    """What ``restore`` left as it was, and why: placeholders this vault does not know (the
    text of another document, or a model that made one up), and placeholders in web addresses
    (a value is never put back into a link)."""
    from egide.guard.pseudonymize import unrestored_placeholders

    unknown, in_links = unrestored_placeholders(text, vault)
    warnings = []
    if unknown:
        shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
        plural = "s" if len(unknown) > 1 else ""
        warnings.append(
            f"{len(unknown)} marqueur{plural} inconnu{plural} du coffre, laissé{plural} "
            f"tel{plural} quel{plural} : {shown} ; ce texte vient-il d'un autre document que "
            "celui de ce coffre ?"
        )
    if in_links:
        plural = "s" if in_links > 1 else ""
        warnings.append(
            f"{in_links} marqueur{plural} placé{plural} dans une adresse web, laissé{plural} "
            f"tel{plural} quel{plural} : une valeur n'est jamais remise dans un lien"
        )
    return warnings
