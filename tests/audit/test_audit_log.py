"""The audit chain: appends, and every way of tampering with it that verify must catch."""

from __future__ import annotations

import base64
import itertools
import json
import multiprocessing
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from egide.audit import AuditError, AuditLog, load_audit_key
from egide.audit.anchor import write_anchor
from egide.audit.events import canonical_json, key_id
from egide.policy.levels import Level
from egide.policy.tiers import Tier

KEY = b"cle-de-test-fictive-0123456789abcdef"
OTHER_KEY = b"autre-cle-fictive-fedcba9876543210xyz"


def new_log(directory: Path, key: bytes | None = KEY) -> AuditLog:
    return AuditLog(directory / "audit" / "audit.jsonl", key=key)


def fill(log: AuditLog, count: int) -> None:
    for i in range(count):
        log.append(
            user=f"agent{i % 3}",
            action=("summarize", "draft", "refusal")[i % 3],
            model="interne-mistral",
            tier=Tier.INTERNE,
            level=Level.PERSONNEL,
            counts={"PERSON": i, "EMAIL": 1},
            decision="allowed",
            extra={"duration_ms": 120 + i, "channel": "web"},
        )


def lines(log: AuditLog) -> list[bytes]:
    return log.path.read_bytes().splitlines(keepends=True)


def rewrite(log: AuditLog, new_lines: list[bytes]) -> None:
    log.path.write_bytes(b"".join(new_lines))


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    audit = new_log(tmp_path)
    fill(audit, 5)
    return audit


def test_append_then_verify(log: AuditLog) -> None:
    report = log.verify()
    assert report.ok and bool(report)
    assert (report.count, report.broken_seq, report.problem) == (5, None, "ok")
    assert report.message_fr == "chaîne d'audit intègre : 5 événements vérifiés"
    events = list(log.events())
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    third = events[2]
    assert (third.user, third.action, third.model, third.tier, third.level) == (
        "agent2", "refusal", "interne-mistral", "interne", "personnel",
    )  # fmt: skip
    assert dict(third.counts) == {"PERSON": 2, "EMAIL": 1}
    assert dict(third.extra) == {"duration_ms": 122, "channel": "web"}
    assert third.timestamp.endswith("Z")
    assert third.key_id == key_id(KEY)
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert json.loads(log.anchor_path.read_text())["seq"] == 5


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (0, "chaîne d'audit intègre : aucun événement enregistré"),
        (1, "chaîne d'audit intègre : 1 événement vérifié"),
        (2, "chaîne d'audit intègre : 2 événements vérifiés"),
    ],
)
def test_intact_messages(tmp_path: Path, count: int, message: str) -> None:
    audit = new_log(tmp_path)
    fill(audit, count)
    assert audit.verify().message_fr == message


def broken(log: AuditLog, seq: int | None, problem: str) -> str:
    report = log.verify()
    assert not report.ok
    assert (report.broken_seq, report.problem) == (seq, problem)
    return report.message_fr


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user", "agent9"),
        ("action", "detect"),
        ("model", "chatgpt"),
        ("tier", "externe"),
        ("level", "public"),
        ("counts", {"PERSON": 0, "EMAIL": 1}),
        ("decision", "refused_level"),
        ("timestamp", "2020-01-01T00:00:00.000Z"),
        ("extra", {}),
        ("seq", 4),
    ],
)
def test_edited_field_breaks_at_that_event(log: AuditLog, field: str, value: object) -> None:
    content = lines(log)
    record = json.loads(content[2])
    assert record[field] != value
    record[field] = value
    content[2] = json.dumps(record, ensure_ascii=False).encode() + b"\n"
    rewrite(log, content)
    message = broken(log, 3, "modified")
    assert message == "chaîne d'audit rompue à l'événement n° 3 : contenu modifié"


def test_deleted_middle_line(log: AuditLog) -> None:
    content = lines(log)
    del content[2]
    rewrite(log, content)
    message = broken(log, 3, "reordered")
    assert message == (
        "chaîne d'audit rompue à l'événement n° 3 : événement supprimé, inséré ou réordonné"
    )


@pytest.mark.parametrize(("removed", "first_missing"), [(1, 5), (2, 4), (5, 1)])
def test_deleted_last_lines_do_not_match_the_anchor(
    log: AuditLog, removed: int, first_missing: int
) -> None:
    rewrite(log, lines(log)[:-removed])
    message = broken(log, first_missing, "truncated")
    assert f"à l'événement n° {first_missing} : {removed} dernier(s) événement(s) supprimé(s)" in (
        message
    )
    # The next append must not chain onto the truncated log, which would hide the deletion.
    with pytest.raises(AuditError, match="ne correspond plus à son témoin de fin"):
        fill(log, 1)


def test_swapped_lines(log: AuditLog) -> None:
    content = lines(log)
    content[1], content[2] = content[2], content[1]
    rewrite(log, content)
    broken(log, 2, "reordered")


def forge(record: dict[str, object], key: bytes | None) -> bytes:
    import hashlib
    import hmac

    payload = {k: v for k, v in record.items() if k != "hash"}
    data = b"egide-audit-v1\n" + canonical_json(payload)
    digest = (
        hashlib.sha256(data).hexdigest()
        if key is None
        else hmac.new(key, data, hashlib.sha256).hexdigest()
    )
    return json.dumps({**payload, "hash": digest}, ensure_ascii=False).encode() + b"\n"


@pytest.mark.parametrize(
    ("attacker_key", "keep_kid", "problem"),
    [
        (None, True, "modified"),  # recomputed as a plain SHA-256 chain: the HMAC catches it
        (OTHER_KEY, True, "modified"),  # HMAC with a guessed key
        (OTHER_KEY, False, "wrong_key"),
    ],
)
def test_inserted_forged_line(
    log: AuditLog, attacker_key: bytes | None, keep_kid: bool, problem: str
) -> None:
    content = lines(log)
    previous = json.loads(content[2])
    forged = {**previous, "seq": 4, "prev_hash": previous["hash"], "user": "intrus"}
    if not keep_kid:
        forged["kid"] = key_id(attacker_key)
    content.insert(3, forge(forged, attacker_key))
    rewrite(log, content)
    broken(log, 4, problem)


def test_inserted_copy_of_a_genuine_line(log: AuditLog) -> None:
    content = lines(log)
    content.insert(3, content[2])
    rewrite(log, content)
    broken(log, 4, "reordered")


@pytest.mark.parametrize("verify_key", [OTHER_KEY, None])
def test_wrong_key(log: AuditLog, verify_key: bytes | None) -> None:
    other = AuditLog(log.path, key=verify_key)
    message = broken(other, 1, "wrong_key")
    assert "autre clé d'audit" in message
    with pytest.raises(AuditError, match="scellé avec une autre clé"):
        other.append(user="agent1", action="detect")
    assert len(lines(log)) == 5


@pytest.mark.parametrize(
    "garbage", [b"pas du json\n", b"{}\n", b'{"seq": "1"}\n', b"\xff\xfe\n", b"\n"]
)
def test_unreadable_line(log: AuditLog, garbage: bytes) -> None:
    content = lines(log)
    content[1] = garbage
    rewrite(log, content)
    assert broken(log, 2, "unreadable").endswith(": ligne illisible")
    with pytest.raises(AuditError, match="ligne 2 du journal d'audit illisible"):
        list(log.events())


def test_torn_last_line_stops_appends(log: AuditLog) -> None:
    content = lines(log)
    content[-1] = content[-1][:40]
    rewrite(log, content)
    broken(log, 5, "unreadable")
    with pytest.raises(AuditError, match="incomplète ou illisible"):
        fill(log, 1)
    assert [e.seq for e in log.events()] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("tamper", "what"),
    [
        (lambda path: path.unlink(), "absent"),
        (lambda path: path.write_text("{"), "illisible"),
        (
            lambda path: path.write_text(json.dumps({**json.loads(path.read_text()), "seq": 4})),
            "modifié",
        ),
    ],
)
def test_tampered_anchor(log: AuditLog, tamper: Callable[[Path], object], what: str) -> None:
    tamper(log.anchor_path)
    message = broken(log, None, "anchor")
    assert f"témoin de fin (audit.head) {what}" in message
    with pytest.raises(AuditError):
        fill(log, 1)


def test_anchor_left_behind_by_a_crash_is_tolerated(log: AuditLog) -> None:
    fourth = list(log.events())[3]
    write_anchor(log.anchor_path, fourth.seq, fourth.hash, KEY)
    assert log.verify().ok
    fill(log, 1)
    assert log.verify().count == 6


def test_anchor_rewritten_with_a_wrong_hash(log: AuditLog) -> None:
    write_anchor(log.anchor_path, 5, "f" * 64, KEY)
    assert "chaîne réécrite" in broken(log, None, "anchor")


def _append_many(directory: str, worker: int, count: int) -> None:
    audit = new_log(Path(directory))
    for i in range(count):
        audit.append(user=f"agent{worker}", action="draft", extra={"worker": worker, "i": i})


def test_concurrent_appends_from_several_processes(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(str(tmp_path), w, 50)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
        assert process.exitcode == 0
    audit = new_log(tmp_path)
    report = audit.verify()
    assert report.ok, report.message_fr
    assert report.count == 200
    events = list(audit.events())
    assert [e.seq for e in events] == list(range(1, 201))
    assert sorted((e.extra["worker"], e.extra["i"]) for e in events) == [
        (w, i) for w in range(4) for i in range(50)
    ]


def test_concurrent_appends_from_threads(tmp_path: Path) -> None:
    threads = [threading.Thread(target=_append_many, args=(str(tmp_path), w, 25)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = new_log(tmp_path).verify()
    assert (report.ok, report.count) == (True, 100)


def _append_as_unprivileged(home: str, queue: multiprocessing.queues.Queue[str]) -> None:
    try:
        if os.geteuid() == 0:  # root writes anywhere: become nobody to meet the permission
            os.setgid(65534)
            os.setuid(65534)
        new_log(Path(home)).append(user="agent1", action="summarize")
        queue.put("aucune erreur")
    except AuditError as exc:
        queue.put(f"AuditError: {exc}")
    except PermissionError as exc:  # setuid refused: cannot test here
        queue.put(f"SKIP: {exc}")


@pytest.mark.parametrize("audit_folder_exists", [True, False])
def test_read_only_folder_gives_a_french_error(audit_folder_exists: bool) -> None:
    # Under /tmp rather than pytest's folder, which only its owner may traverse.
    home = Path(tempfile.mkdtemp(prefix="egide-audit-ro-"))
    try:
        folder = home / "audit" if audit_folder_exists else home
        folder.mkdir(exist_ok=True)
        os.chmod(home, 0o755)
        os.chmod(folder, 0o555)
        context = multiprocessing.get_context("fork")
        queue: multiprocessing.queues.Queue[str] = context.Queue()
        child = context.Process(target=_append_as_unprivileged, args=(str(home), queue))
        child.start()
        child.join(timeout=60)
        outcome = queue.get(timeout=5)
        if outcome.startswith("SKIP"):
            pytest.skip(outcome)
        assert outcome.startswith("AuditError: impossible d'écrire le journal d'audit")
        assert "permission refusée" in outcome
        assert outcome.endswith("l'action demandée n'est pas effectuée")
        assert not (home / "audit" / "audit.jsonl").exists()
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(home)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full absent")
def test_full_disk_gives_a_french_error(tmp_path: Path) -> None:
    audit = new_log(tmp_path)
    audit.path.parent.mkdir()
    audit.path.symlink_to("/dev/full")  # every write there fails with ENOSPC
    with pytest.raises(AuditError, match="disque plein ; l'action demandée n'est pas effectuée"):
        audit.append(user="agent1", action="summarize")
    assert not audit.anchor_path.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"extra": {"text": "M. Jean Exemple"}}, "ressemble à du contenu"),
        ({"extra": {"prompt": "x"}}, "ressemble à du contenu"),
        ({"extra": {"note": "ligne 1\nligne 2"}}, "plusieurs lignes"),
        ({"extra": {"note": "x" * 201}}, "trop longue"),
        ({"extra": {"liste": [1, 2]}}, "texte court ou un nombre"),
        ({"extra": {"ratio": float("nan")}}, "nombre fini"),
        ({"counts": {"PERSON": -1}}, "entier positif"),
        ({"counts": {"PERSON": True}}, "entier positif"),
        ({"counts": {"nom de personne": 1}}, "catégorie de comptage invalide"),
        ({"action": "Résumer"}, "action d'audit invalide"),
        ({"user": ""}, "utilisateur d'audit invalide"),
        ({"user": "agent\n1"}, "caractères de contrôle"),
        ({"tier": "public"}, "niveau de modèle inconnu"),
        ({"level": "secret"}, "niveau de sensibilité inconnu"),
        ({"model": "mon modèle"}, "nom de modèle invalide"),
    ],
)
def test_content_and_malformed_fields_are_refused(
    log: AuditLog, fields: dict[str, object], message: str
) -> None:
    before = log.path.read_bytes()
    arguments: dict[str, object] = {"user": "agent1", "action": "summarize", **fields}
    with pytest.raises(ValueError, match=message):
        log.append(**arguments)  # type: ignore[arg-type]
    assert log.path.read_bytes() == before
    assert log.verify().ok


def test_events_of_a_missing_log(tmp_path: Path) -> None:
    audit = new_log(tmp_path)
    assert list(audit.events()) == []
    assert audit.verify().ok


def test_open_creates_a_private_key_and_reuses_it(tmp_path: Path) -> None:
    first = AuditLog.open(tmp_path, environ={})
    key_file = tmp_path / "keys" / "audit.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) == 44  # 32 bytes in base64url
    fill(AuditLog(first.path, key=first.key), 2)
    assert AuditLog.open(tmp_path, environ={}).verify().ok
    other = base64.urlsafe_b64encode(b"k" * 32).decode()
    from_env = AuditLog.open(tmp_path, environ={"EGIDE_AUDIT_KEY": other})
    assert from_env.key == b"k" * 32
    assert from_env.verify().problem == "wrong_key"


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    load_audit_key(tmp_path, environ={})
    key_file = tmp_path / "keys" / "audit.key"
    key_file.chmod(0o644)
    with pytest.raises(AuditError, match="chmod 600"):
        load_audit_key(tmp_path, environ={})


@pytest.mark.parametrize("value", ["court", "x" * 31, base64.urlsafe_b64encode(b"k" * 16).decode()])
def test_malformed_environment_key_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(AuditError, match="clé invalide"):
        load_audit_key(tmp_path, environ={"EGIDE_AUDIT_KEY": value})


def test_missing_key_without_creation(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="clé introuvable"):
        load_audit_key(tmp_path, environ={}, create=False)


def test_a_log_opened_from_a_folder_is_read_only(tmp_path: Path) -> None:
    # Without the settings, the database copy of the head is unknown: an append would leave it
    # behind and break the chain for the service.
    with pytest.raises(AuditError, match="lecture seule"):
        AuditLog.open(tmp_path, environ={}).append(user="agent1", action="summarize")
    assert not (tmp_path / "audit" / "audit.jsonl").exists()
