"""The audit trail survives an attacker who can write its folder, or the database, but not both
(issue 9, finding 7).

The events are appended the way the service appends them (``AuditLog.open(settings)``); the
attacks are plain file and SQL edits; the verdict is ``egide audit verify`` in-process.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from egide.audit import AuditError, AuditLog
from egide.cli import main
from egide.config import Settings


def _fill(log: AuditLog, count: int) -> None:
    for i in range(count):
        log.append(user=f"agent{i % 3}", action="summarize", tier="interne", decision="allowed")


def _verify(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(["audit", "verify", *extra])
    out, err = capsys.readouterr()
    return status, out, err


def _db_head(settings: Settings) -> bytes | None:
    with sqlite3.connect(settings.home / "egide.db") as db:
        row = db.execute("SELECT value FROM store_meta WHERE name = 'audit_head'").fetchone()
    return None if row is None else bytes(row[0])


def _set_db_head(settings: Settings, value: bytes | None) -> None:
    with sqlite3.connect(settings.home / "egide.db") as db:
        db.execute("DELETE FROM store_meta WHERE name = 'audit_head'")
        if value is not None:
            db.execute("INSERT INTO store_meta (name, value) VALUES ('audit_head', ?)", (value,))


@pytest.fixture
def log(settings: Settings) -> AuditLog:
    audit = AuditLog.open(settings)
    _fill(audit, 5)
    return audit


def test_an_intact_trail_verifies(log: AuditLog, capsys: pytest.CaptureFixture[str]) -> None:
    assert _verify(capsys)[:2] == (0, "chaîne d'audit intègre : 5 événements vérifiés\n")


def test_deleting_the_log_and_its_head_is_detected(
    log: AuditLog, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    log.path.unlink()
    log.anchor_path.unlink()
    status, out, err = _verify(capsys)
    assert status == 1
    assert out.startswith("chaîne d'audit rompue à l'événement n° 1 : 5 dernier(s) événement(s)")
    assert "copie du témoin en base en annonce 5" in out
    assert "Que faire" in err
    # The chain does not silently start again at 1.
    with pytest.raises(AuditError, match="ne correspond plus à son témoin"):
        AuditLog.open(settings).append(user="intrus", action="summarize")


def test_deleting_the_whole_audit_folder_is_detected(
    log: AuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(log.path.parent)
    status, out, _ = _verify(capsys)
    assert status == 1 and "5 dernier(s) événement(s) supprimé(s)" in out


def test_restoring_an_older_head_and_truncating_the_log_is_detected(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    log = AuditLog.open(settings)
    _fill(log, 3)
    old_head = log.anchor_path.read_bytes()
    old_lines = log.path.read_bytes()
    _fill(log, 2)
    log.anchor_path.write_bytes(old_head)
    log.path.write_bytes(old_lines)
    status, out, _ = _verify(capsys)
    assert status == 1
    assert "2 dernier(s) événement(s) supprimé(s)" in out
    with pytest.raises(AuditError):
        _fill(AuditLog.open(settings), 1)


def test_a_head_older_than_the_last_event_is_detected(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    log = AuditLog.open(settings)
    _fill(log, 3)
    old_head = log.anchor_path.read_bytes()
    _fill(log, 2)
    log.anchor_path.write_bytes(old_head)  # two events behind: no crash leaves that
    status, out, _ = _verify(capsys)
    assert status == 1
    assert "le témoin de fin s'arrête à l'événement n° 3 alors que le journal en contient 5" in out


def test_deleting_the_database_copy_is_detected(
    log: AuditLog, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _set_db_head(settings, None)
    status, out, _ = _verify(capsys)
    assert status == 1
    assert "copie du témoin en base absente" in out
    with pytest.raises(AuditError, match="la copie de son témoin en base a disparu"):
        _fill(AuditLog.open(settings), 1)


def test_rolling_the_database_copy_back_is_detected(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    log = AuditLog.open(settings)
    _fill(log, 3)
    old_copy = _db_head(settings)
    _fill(log, 2)
    _set_db_head(settings, old_copy)
    status, out, _ = _verify(capsys)
    assert status == 1
    assert "la copie du témoin en base s'arrête à l'événement n° 3" in out


def test_a_forged_database_copy_is_detected(
    log: AuditLog, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = (_db_head(settings) or b"").replace(b'"seq": 5', b'"seq": 9')
    _set_db_head(settings, forged)
    status, out, _ = _verify(capsys)
    assert status == 1 and "copie du témoin en base modifié" in out


def test_a_crash_leaves_at_most_the_last_event_outside_the_anchors(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    log = AuditLog.open(settings)
    _fill(log, 4)
    head, copy = log.anchor_path.read_bytes(), _db_head(settings)
    _fill(log, 1)
    # As if the process had died after writing the fifth line, before its anchors.
    log.anchor_path.write_bytes(head)
    _set_db_head(settings, copy)
    assert _verify(capsys)[:2] == (0, "chaîne d'audit intègre : 5 événements vérifiés\n")
    _fill(AuditLog.open(settings), 1)  # the next append brings both anchors up to date
    assert _verify(capsys)[0] == 0
    # One event more outside the anchors is no longer a crash.
    head, copy = log.anchor_path.read_bytes(), _db_head(settings)
    _fill(log, 2)
    log.anchor_path.write_bytes(head)
    _set_db_head(settings, copy)
    assert _verify(capsys)[0] == 1


def test_an_exported_anchor_catches_a_rewrite_made_with_the_key(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = AuditLog.open(settings)
    _fill(log, 3)
    exported = tmp_path / "coffre" / "ancre.json"
    capsys.readouterr()
    assert main(["audit", "anchor", "-o", str(exported)]) == 0
    assert "événement n° 3" in capsys.readouterr().err
    _fill(log, 2)
    # Someone holding the audit key and both places rebuilds a shorter, consistent trail.
    shutil.rmtree(log.path.parent)
    _set_db_head(settings, None)
    _fill(AuditLog.open(settings), 2)
    assert _verify(capsys)[0] == 0  # consistent in itself...
    status, out, err = _verify(capsys, "--anchor", str(exported))
    assert status == 1  # ...but the exported anchor is no longer in it
    assert "l'ancre exportée" in out and "Que faire" in err
    # The untouched trail passes with the same anchor.


def test_the_exported_anchor_matches_an_untouched_trail(
    log: AuditLog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "ancre.json"
    assert main(["audit", "anchor", "-o", str(exported)]) == 0
    _fill(log, 3)  # the trail goes on after the export
    status, out, _ = _verify(capsys, "--anchor", str(exported))
    assert status == 0
    assert "8 événements vérifiés ; l'ancre exportée le " in out
    assert "(événement n° 5) est retrouvée à l'identique" in out


def test_an_edited_exported_anchor_is_refused(
    log: AuditLog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "ancre.json"
    assert main(["audit", "anchor", "-o", str(exported)]) == 0
    exported.write_text(exported.read_text().replace('"seq": 5', '"seq": 4'))
    status, _, err = _verify(capsys, "--anchor", str(exported))
    assert status == 1 and "l'ancre" in err and "modifiée" in err


def test_no_anchor_is_exported_from_a_broken_trail(
    log: AuditLog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log.path.write_bytes(b"".join(log.path.read_bytes().splitlines(keepends=True)[:-1]))
    capsys.readouterr()
    assert main(["audit", "anchor", "-o", str(tmp_path / "ancre.json")]) == 1
    assert "aucune ancre exportée : chaîne d'audit rompue" in capsys.readouterr().err
    assert not (tmp_path / "ancre.json").exists()


def test_after_a_restore_the_operator_anchors_again_and_the_break_stays_in_the_chain(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = AuditLog.open(settings)
    _fill(log, 3)
    exported = tmp_path / "ancre.json"
    assert main(["audit", "anchor", "-o", str(exported)]) == 0
    backup = _db_head(settings)
    _fill(log, 3)
    _set_db_head(settings, backup)  # the database alone restored from last night's backup
    assert _verify(capsys)[0] == 1
    with pytest.raises(AuditError):
        _fill(AuditLog.open(settings), 1)  # nothing happens until the operator acts
    assert main(["audit", "reanchor"]) == 2  # not without --confirm
    capsys.readouterr()
    assert main(["audit", "reanchor", "--confirm"]) == 0
    assert "événement n° 7" in capsys.readouterr().out
    last = list(log.events())[-1]
    assert (last.user, last.action) == ("cli:cmartin", "audit_reanchored")
    assert dict(last.extra) == {"log_seq": 6, "file_head_seq": 6, "db_head_seq": 3}
    assert _verify(capsys, "--anchor", str(exported))[0] == 0
    _fill(AuditLog.open(settings), 1)


def test_a_log_whose_events_were_edited_cannot_be_anchored_again(
    log: AuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    content = log.path.read_bytes().splitlines(keepends=True)
    content[1] = content[1].replace(b"agent1", b"agent9")
    log.path.write_bytes(b"".join(content))
    capsys.readouterr()
    assert main(["audit", "reanchor", "--confirm"]) == 1
    err = capsys.readouterr().err
    assert "chaîne d'audit rompue à l'événement n° 2 : contenu modifié" in err
    assert "restaurez le journal" in err
    assert len(log.path.read_bytes().splitlines()) == 5
