"""``egide keys status|rotate|reencrypt|retire``: rotating the store, vault and audit keys.

The service keeps running throughout: a rotation adds a key, re-encryption goes by short
batches, and an old key leaves only when nothing needs it (:mod:`egide.keyring`). Each step
is recorded in the audit trail with the fingerprints of the keys, never the keys.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egide.cli.common import EXIT_OK, EXIT_USAGE, CliError, current_user, settings_from

if TYPE_CHECKING:
    from egide.audit.events import Scalar
    from egide.config import Settings

__all__ = ["register"]

_KINDS = ("store", "vault", "audit")
_NAMES = {"store": "clé de la base", "vault": "clé du coffre", "audit": "clé d'audit"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = subparsers.add_parser(
        "keys", help="rotation des clés de la base, du coffre et du journal d'audit"
    )
    actions = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    status = actions.add_parser(
        "status", help="empreintes des clés, et ce qui reste chiffré avec les anciennes"
    )
    status.add_argument("--json", action="store_true", help="le même état en JSON")
    status.set_defaults(handler=run_status)
    rotate = actions.add_parser(
        "rotate", help="créer une nouvelle clé et en faire l'actuelle ; l'ancienne reste lisible"
    )
    rotate.add_argument("kind", choices=_KINDS, metavar="CLE", help="store, vault ou audit")
    rotate.add_argument(
        "--preparer",
        action="store_true",
        help="créer seulement la clé suivante (lisible, pas encore utilisée), à copier sur "
        "les autres machines avant la bascule",
    )
    rotate.set_defaults(handler=run_rotate)
    reencrypt = actions.add_parser(
        "reencrypt",
        help="rechiffrer avec la clé actuelle, par lots, service en marche (reprend où il "
        "s'est arrêté)",
    )
    reencrypt.add_argument(
        "--lot", type=int, default=500, metavar="N", help="lignes par transaction (500)"
    )
    reencrypt.add_argument(
        "--pause",
        type=float,
        default=0.0,
        metavar="SECONDES",
        help="attente entre deux lots, pour laisser la place au service (0)",
    )
    reencrypt.add_argument(
        "--file",
        action="store_true",
        help="confier le rechiffrement aux « egide worker » (file de travaux, base PostgreSQL) "
        "au lieu de le faire ici",
    )
    reencrypt.add_argument(
        "--coffre",
        nargs="+",
        type=Path,
        metavar="FICHIER",
        help="rechiffrer ces coffres (egide anonymize) au lieu de la base",
    )
    reencrypt.set_defaults(handler=run_reencrypt)
    retire = actions.add_parser(
        "retire", help="retirer une ancienne clé, seulement quand plus rien ne l'utilise"
    )
    retire.add_argument("kind", choices=_KINDS, metavar="CLE", help="store, vault ou audit")
    retire.add_argument(
        "fingerprint", nargs="?", metavar="EMPREINTE", help="l'ancienne clé (toutes sinon)"
    )
    retire.add_argument(
        "--confirmer",
        action="store_true",
        help="clé du coffre : confirmer que les coffres à garder ont été rechiffrés",
    )
    retire.set_defaults(handler=run_retire)


def _actor() -> str:
    from egide.auth.accounts import cli_actor

    return cli_actor(current_user()).name


def _audit(settings: Settings, action: str, **extra: Scalar) -> None:
    from egide.audit import AuditError, AuditLog

    try:
        AuditLog.open(settings).append(user=_actor(), action=action, extra=extra)
    except AuditError as exc:
        raise CliError(
            f"{exc} (l'opération sur les clés a eu lieu ; tracez-la à la main)"
        ) from None


def _keyring(settings: Settings, kind: str) -> Any:
    from egide.audit import AuditError
    from egide.audit.keys import load_audit_keyring
    from egide.guard.vault import VaultError, load_vault_keyring
    from egide.store import StoreError
    from egide.store.crypto import load_store_keyring

    home = Path(settings.home)
    try:
        if kind == "store":
            return load_store_keyring(home, create=False)
        if kind == "vault":
            return load_vault_keyring(home)
        return load_audit_keyring(home)
    except (StoreError, VaultError, AuditError) as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def _kind(kind: str) -> Any:
    from egide.audit.keys import AUDIT_KEYS
    from egide.guard.vault import VAULT_KEYS
    from egide.store.crypto import STORE_KEYS

    return {"store": STORE_KEYS, "vault": VAULT_KEYS, "audit": AUDIT_KEYS}[kind]


# -- status -------------------------------------------------------------------------------


def _state(settings: Settings) -> dict[str, Any]:
    from egide.audit import AuditError, AuditLog
    from egide.store import StoreError, open_store
    from egide.store.crypto import LEGACY_KEY_ID
    from egide.store.rekey import count_by_key

    state: dict[str, Any] = {}
    for kind in _KINDS:
        ring = _keyring(settings, kind)
        state[kind] = {
            "actuelle": ring.current_id,
            "suivante": ring.next_id,
            "anciennes": list(ring.previous_ids),
        }
    try:
        with open_store(settings) as store:
            counts = count_by_key(store)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    current = state["store"]["actuelle"]
    state["store"]["valeurs"] = dict(sorted(counts.items()))
    state["store"]["a_rechiffrer"] = sum(n for kid, n in counts.items() if kid != current)
    state["store"]["ancien_format"] = counts.get(LEGACY_KEY_ID, 0)
    try:
        state["audit"]["scelle_la_chaine"] = AuditLog.open(settings).sealing_key_id()
    except AuditError as exc:
        raise CliError(str(exc)) from None
    return state


def run_status(args: argparse.Namespace) -> int:
    from egide.policy.wording import format_int_fr

    settings = settings_from(args, documents=False)
    state = _state(settings)
    if args.json:
        print(json.dumps(state, ensure_ascii=False, indent=2))
        return EXIT_OK
    for kind in _KINDS:
        ring = state[kind]
        print(f"{_NAMES[kind].capitalize()} ({kind}) : actuelle {ring['actuelle']}")
        print(f"  suivante : {ring['suivante'] or 'aucune'}")
        print(f"  anciennes : {', '.join(ring['anciennes']) or 'aucune'}")
    store = state["store"]
    print("Base :")
    for kid, count in store["valeurs"].items():
        which = "actuelle" if kid == store["actuelle"] else "à rechiffrer"
        print(f"  {format_int_fr(count)} valeurs chiffrées avec {kid} ({which})")
    if store["a_rechiffrer"]:
        print(
            f"  reste {format_int_fr(store['a_rechiffrer'])} valeurs à rechiffrer : "
            "lancez « egide keys reencrypt »"
        )
    else:
        print("  tout est chiffré avec la clé actuelle")
    print(
        f"Journal d'audit : le prochain événement sera scellé avec {state['audit']['scelle_la_chaine']}"
    )
    print(
        "Coffres (egide anonymize) : ce sont des fichiers, hors de la base ; "
        "« egide keys reencrypt --coffre FICHIER… » les rechiffre"
    )
    return EXIT_OK


# -- rotate -------------------------------------------------------------------------------


def run_rotate(args: argparse.Namespace) -> int:
    from egide.keyring import promote, stage_next
    from egide.keys import KeyFileError

    settings = settings_from(args, documents=False)
    home = Path(settings.home)
    kind = _kind(args.kind)
    _keyring(settings, args.kind)  # the current key must be there, and valid
    try:
        if args.preparer:
            kid = stage_next(kind, home)
            _audit(settings, "key_prepared", kind=args.kind, new_key_id=kid)
            print(
                f"Clé suivante prête : {kid} ({kind.next_path(home)}). Copiez ce fichier (droits "
                "0600) dans keys/ de chaque autre machine, ou donnez-la par "
                f"{kind.next_var} ; redémarrez-les ; puis lancez « egide keys rotate "
                f"{args.kind} » sur chacune."
            )
            return EXIT_OK
        if args.kind == "audit":
            return _rotate_audit(settings, home)
        old, new = promote(kind, home)
    except KeyFileError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    _audit(settings, "key_rotated", kind=args.kind, old_key_id=old, new_key_id=new)
    print(f"{_NAMES[args.kind].capitalize()} changée : {old} → {new}.")
    print(
        f"L'ancienne clé reste lisible ({kind.previous_dir(home)}/{old}.key) ; les processus "
        "en marche prennent la nouvelle d'eux-mêmes en moins de 30 s."
    )
    if args.kind == "store":
        print("Rechiffrez ensuite la base : « egide keys reencrypt » (service en marche).")
    else:
        print("Rechiffrez les coffres à garder : « egide keys reencrypt --coffre FICHIER… ».")
    return EXIT_OK


def _rotate_audit(settings: Settings, home: Path) -> int:
    from egide.audit import AuditError, AuditLog
    from egide.audit.events import key_id
    from egide.audit.keys import AUDIT_KEYS
    from egide.keyring import promote, stage_next
    from egide.keys import decode_key, read_key_file

    from_env = bool(os.environ.get(AUDIT_KEYS.env_var))
    if from_env:
        text = os.environ.get(AUDIT_KEYS.next_var, "")
        if not text:
            raise CliError(
                f"la clé d'audit vient de {AUDIT_KEYS.env_var} : donnez d'abord la nouvelle "
                f"dans {AUDIT_KEYS.next_var} sur toutes les machines et redémarrez-les ; "
                "rien n'a été modifié",
                EXIT_USAGE,
            )
        new_key = decode_key(text, AUDIT_KEYS.next_var)
    else:
        stage_next(AUDIT_KEYS, home)
        new_key = read_key_file(AUDIT_KEYS.next_path(home))
    new = key_id(new_key)
    try:
        log = AuditLog.open(settings)
        old = log.sealing_key_id()
        if old != new:  # another machine may have handed the chain over already
            log.rotate_key(new_key, user=_actor())
    except AuditError as exc:
        raise CliError(str(exc)) from None
    if from_env:
        print(
            f"La chaîne d'audit est désormais scellée avec {new} (l'événement key_rotated, "
            f"scellé avec {old}, le dit). Mettez maintenant la nouvelle clé dans "
            f"{AUDIT_KEYS.env_var} et l'ancienne dans {AUDIT_KEYS.previous_var} sur chaque "
            "machine, au prochain redémarrage."
        )
        return EXIT_OK
    promote(AUDIT_KEYS, home)
    print(
        f"Clé d'audit changée : {old} → {new}. L'événement key_rotated, scellé avec l'ancienne, "
        "nomme la nouvelle ; tout événement suivant scellé avec l'ancienne est refusé par "
        "« egide audit verify ». L'ancienne clé reste dans keys/audit.previous/ pour vérifier "
        "les événements passés."
    )
    return EXIT_OK


# -- reencrypt ----------------------------------------------------------------------------


def run_reencrypt(args: argparse.Namespace) -> int:
    from egide.policy.wording import format_int_fr
    from egide.store import StoreError, open_store
    from egide.store.rekey import reencrypt

    settings = settings_from(args, documents=False)
    if args.lot < 1:
        raise CliError("--lot : un nombre de lignes positif est attendu", EXIT_USAGE)
    if args.coffre:
        return _reencrypt_vaults(settings, args.coffre)
    if args.file:
        return _queue_reencryption(settings, args)

    def progress(where: str, done: int) -> None:
        print(f"  {where} : {format_int_fr(done)} valeurs rechiffrées", file=sys.stderr)

    try:
        with open_store(settings) as store:
            report = reencrypt(store, batch=args.lot, pause_s=args.pause, progress=progress)
            kid = store.cipher.key_id
    except StoreError as exc:
        raise CliError(
            f"{exc} ; les lots déjà rechiffrés le restent, relancez la commande"
        ) from None
    _audit(
        settings, "keys_reencrypted", kind="store", key_id=kid, done=report.done,
        unreadable=len(report.unreadable),
    )  # fmt: skip
    print(
        f"{format_int_fr(report.done)} valeurs rechiffrées avec la clé {kid} en "
        f"{report.seconds:.1f} s ({report.rate:.0f} par seconde)."
    )
    if report.unreadable:
        shown = ", ".join(report.unreadable[:5]) + (" …" if len(report.unreadable) > 5 else "")
        raise CliError(
            f"{len(report.unreadable)} valeurs n'ont pas pu être ouvertes, et restent telles "
            f"quelles ({shown}) : la clé qui les a chiffrées manque au trousseau, ou elles ont "
            "été altérées ; rien n'a été perdu"
        )
    return EXIT_OK


def _queue_reencryption(settings: Settings, args: argparse.Namespace) -> int:
    from egide.audit import AuditError
    from egide.jobs.rekey import REKEY_JOB
    from egide.runtime import open_runtime
    from egide.store import StoreError

    if not settings.is_shared_database:
        raise CliError(
            "--file : avec la base SQLite intégrée, il n'y a pas de « egide worker » ; lancez "
            "« egide keys reencrypt » sans --file (le service peut rester en marche)",
            EXIT_USAGE,
        )
    try:
        runtime = open_runtime(settings)
    except (StoreError, AuditError) as exc:
        raise CliError(str(exc)) from None
    try:
        job_id = runtime.jobs.enqueue(
            REKEY_JOB, {"lot": args.lot, "pause_s": args.pause or 0.05, "par": _actor()}
        )
    finally:
        runtime.close()
    print(
        f"Rechiffrement confié aux travailleurs (travail {job_id}) : suivez-le avec "
        "« egide keys status store »."
    )
    return EXIT_OK


def _reencrypt_vaults(settings: Settings, files: list[Path]) -> int:
    from egide.cli.common import write_bytes_atomic
    from egide.guard.vault import Vault, VaultError

    ring = _keyring(settings, "vault")
    done = 0
    for path in files:
        try:
            vault = Vault.unseal(path.read_bytes(), ring)
        except OSError as exc:
            raise CliError(f"coffre illisible : {path} ({exc.strerror})") from None
        except VaultError as exc:
            raise CliError(f"{path} : {exc}") from None
        write_bytes_atomic(path, vault.seal(ring), private=True)
        done += 1
    _audit(settings, "keys_reencrypted", kind="vault", key_id=ring.current_id, done=done)
    print(f"{done} coffre(s) rechiffré(s) avec la clé {ring.current_id}.")
    return EXIT_OK


# -- retire -------------------------------------------------------------------------------


def run_retire(args: argparse.Namespace) -> int:
    from egide.keyring import retire
    from egide.keys import KeyFileError

    settings = settings_from(args, documents=False)
    home = Path(settings.home)
    if args.kind == "audit":
        raise CliError(
            "une ancienne clé d'audit ne se retire pas : elle reste nécessaire pour vérifier "
            "les événements qu'elle a scellés, et elle ne peut déjà plus rien sceller (tout "
            "événement scellé avec elle après la rotation est refusé par « egide audit "
            "verify ») ; gardez-la avec les autres clés",
            EXIT_USAGE,
        )
    ring = _keyring(settings, args.kind)
    targets = [args.fingerprint] if args.fingerprint else list(ring.previous_ids)
    if not targets:
        print(f"Aucune ancienne {_NAMES[args.kind]} à retirer.")
        return EXIT_OK
    for kid in targets:
        if kid in (ring.current_id, ring.next_id):
            raise CliError(f"{kid} est la clé actuelle ou la suivante : elle ne se retire pas")
        if kid not in ring.previous_ids:
            raise CliError(f"aucune ancienne {_NAMES[args.kind]} {kid}", EXIT_USAGE)
    if args.kind == "store":
        _refuse_while_used(settings, targets)
    elif not args.confirmer:
        raise CliError(
            "les coffres sont des fichiers qu'Égide ne peut pas compter : rechiffrez ceux à "
            "garder (« egide keys reencrypt --coffre FICHIER… »), puis relancez avec "
            "--confirmer ; un coffre resté scellé avec cette clé ne s'ouvrira plus",
            EXIT_USAGE,
        )
    kind = _kind(args.kind)
    for kid in targets:
        try:
            retire(kind, home, kid)
        except KeyFileError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        _audit(settings, "key_retired", kind=args.kind, key_id=kid)
        print(f"Ancienne {_NAMES[args.kind]} {kid} retirée de cette machine.")
    print(
        "Gardez-en une copie hors ligne tant que vous gardez des sauvegardes faites avant la "
        "rotation : elles sont chiffrées avec elle. Retirez-la aussi des autres machines."
    )
    return EXIT_OK


def _refuse_while_used(settings: Settings, targets: list[str]) -> None:
    from egide.policy.wording import format_int_fr
    from egide.store import StoreError, open_store
    from egide.store.crypto import LEGACY_KEY_ID
    from egide.store.rekey import count_by_key

    try:
        with open_store(settings) as store:
            counts = count_by_key(store)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    used = {kid: counts[kid] for kid in [*targets, LEGACY_KEY_ID] if counts.get(kid)}
    if used:
        detail = ", ".join(
            f"{format_int_fr(n)} "
            + ("à l'ancien format, sans empreinte" if kid == LEGACY_KEY_ID else f"avec {kid}")
            for kid, n in used.items()
        )
        raise CliError(
            f"refusé : des valeurs de la base sont encore chiffrées avec cette clé ({detail}). "
            "Lancez « egide keys reencrypt », vérifiez avec « egide keys status », puis "
            "relancez ; rien n'a été retiré",
            EXIT_USAGE,
        )
