"""Rotation of the audit key: the chain verifies across it, past events are never rewritten,
and an event sealed afterwards with the replaced key is caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egide.audit import AuditError, AuditLog
from egide.audit.events import build_event, key_id
from egide.cli import main
from egide.config import Settings
from egide.keys import read_key_file


def _fill(log: AuditLog, count: int, action: str = "summarize") -> None:
    for _ in range(count):
        log.append(user="cmartin", action=action, counts={"PERSON": 1})


def _lines(home: Path) -> list[dict[str, object]]:
    path = home / "audit" / "audit.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_chain_verifies_across_a_rotation(
    settings: Settings, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    running = AuditLog.open(settings)  # a service started before the rotation
    _fill(running, 3)
    old_key = read_key_file(home / "keys" / "audit.key")
    before = (home / "audit" / "audit.jsonl").read_bytes()

    assert main(["keys", "rotate", "audit"]) == 0
    new_key = read_key_file(home / "keys" / "audit.key")
    assert new_key != old_key
    out = capsys.readouterr().out
    assert key_id(old_key) in out and key_id(new_key) in out

    _fill(running, 2)  # the running service follows the chain to the new key
    _fill(AuditLog.open(settings), 1)
    records = _lines(home)
    assert (home / "audit" / "audit.jsonl").read_bytes().startswith(before)  # nothing rewritten
    rotation = next(r for r in records if r["action"] == "key_rotated")
    assert rotation["kid"] == key_id(old_key)
    assert rotation["extra"] == {
        "kind": "audit", "old_key_id": key_id(old_key), "new_key_id": key_id(new_key),
    }  # fmt: skip
    after = records[records.index(rotation) + 1 :]
    assert after and {r["kid"] for r in after} == {key_id(new_key)}
    assert all(old_key.hex() not in json.dumps(r) for r in records)

    assert main(["audit", "verify"]) == 0
    assert "intègre" in capsys.readouterr().out

    # The old key cannot be retired (it verifies the past), and says why, in French.
    assert main(["keys", "retire", "audit"]) == 2
    assert "ne se retire pas" in capsys.readouterr().err


def test_an_event_forged_with_the_replaced_key_is_caught(
    settings: Settings, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = AuditLog.open(settings)
    _fill(log, 2)
    old_key = read_key_file(home / "keys" / "audit.key")
    assert main(["keys", "rotate", "audit"]) == 0
    _fill(AuditLog.open(settings), 1)
    last = _lines(home)[-1]
    # Whoever stole the old key chains a well-formed event onto the end, sealed with it.
    forged = build_event(
        seq=int(str(last["seq"])) + 1, prev_hash=str(last["hash"]), key=old_key,
        user="cmartin", action="summarize",
    )  # fmt: skip
    with (home / "audit" / "audit.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(forged.to_record(), ensure_ascii=False) + "\n")
    report = AuditLog.open(settings).verify()
    assert not report.ok and report.problem == "retired_key"
    assert report.broken_seq == forged.seq
    assert main(["audit", "verify"]) == 1
    assert "clé d'audit remplacée" in capsys.readouterr().out


def test_a_process_with_the_old_key_alone_refuses_to_append(settings: Settings, home: Path) -> None:
    log = AuditLog.open(settings)
    _fill(log, 1)
    old_key = read_key_file(home / "keys" / "audit.key")
    assert main(["keys", "rotate", "audit"]) == 0
    size = (home / "audit" / "audit.jsonl").stat().st_size
    stale = AuditLog(home / "audit" / "audit.jsonl", key=old_key)  # no keyring to reload
    with pytest.raises(AuditError, match="scellé avec une autre clé"):
        _fill(stale, 1)
    assert (home / "audit" / "audit.jsonl").stat().st_size == size  # nothing written


def test_store_and_vault_rotations_are_audited_without_key_material(
    settings: Settings, home: Path
) -> None:
    AuditLog.open(settings)
    from egide.store import open_store

    open_store(settings).close()
    assert main(["keys", "rotate", "store"]) == 0
    assert main(["keys", "rotate", "vault"]) == 0
    records = [r for r in _lines(home) if r["action"] == "key_rotated"]
    assert [r["extra"]["kind"] for r in records] == ["store", "vault"]  # type: ignore[index]
    keys = [p.read_text() for p in (home / "keys").rglob("*.key")]
    text = (home / "audit" / "audit.jsonl").read_text()
    assert keys and not any(key.strip() in text for key in keys)
