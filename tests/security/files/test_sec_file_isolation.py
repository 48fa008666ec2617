"""The parse workers: a bomb holds one worker, not the service; a stopped worker is replaced; a
worker holds no secret and cannot raise its own limits; its answers are checked, not trusted."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from egide.documents import (
    DocumentError,
    LimitExceeded,
    ParseLimits,
    ParsePool,
    read_document_bytes,
)
from egide.documents.wire import WireError, document_from_wire, table_from_wire
from tests.security.files.file_bombs import pdf_from_streams, pdf_heavy_pages

NOTE = b"BT /F1 12 Tf 72 720 Td (Compte rendu de la reunion du service accueil) Tj ET\n"


def _note_pdf() -> bytes:
    return pdf_from_streams([10], {10: NOTE})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _proc(pid, "status").lower()


def _proc(pid: int, entry: str) -> str:
    return Path(f"/proc/{pid}/{entry}").read_bytes().decode(errors="replace")


def _warm(pool: ParsePool) -> None:
    """Start every worker of ``pool`` (reads in parallel, so that each needs its own)."""
    threads = [
        threading.Thread(
            target=read_document_bytes, args=(b"x",), kwargs={"name": "a.txt", "pool": pool}
        )
        for _ in range(pool.workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_a_pdf_bomb_does_not_stall_a_normal_pdf(tight_pool: ParsePool) -> None:
    _warm(tight_pool)
    bomb = pdf_heavy_pages()  # seconds of PDFium work per page, for 200 pages
    refusal: list[BaseException] = []

    def read_bomb() -> None:
        try:
            read_document_bytes(bomb, name="bombe.pdf", pool=tight_pool)
        except DocumentError as exc:
            refusal.append(exc)

    attacker = threading.Thread(target=read_bomb)
    attacker.start()
    time.sleep(0.5)  # the bomb is in PDFium now
    started = time.monotonic()
    document = read_document_bytes(_note_pdf(), name="note.pdf", pool=tight_pool)
    elapsed = time.monotonic() - started
    still_running = attacker.is_alive()
    attacker.join()
    # Before: one PDFium lock for the whole service, so the note waited for the bomb.
    assert still_running
    assert elapsed < 1.5
    assert "Compte rendu" in document.text
    assert isinstance(refusal[0], LimitExceeded) and refusal[0].limit == "time"


def test_a_worker_past_its_time_is_killed_and_replaced(tight_pool: ParsePool) -> None:
    read_document_bytes(b"x", name="a.txt", pool=tight_pool)
    (first,) = tight_pool.worker_pids()
    with pytest.raises(LimitExceeded):
        read_document_bytes(pdf_heavy_pages(), name="bombe.pdf", pool=tight_pool)
    assert not _alive(first)
    (successor,) = tight_pool.worker_pids()  # started at once, warm for the next file
    assert successor != first
    assert read_document_bytes(b"Bonjour", name="a.txt", pool=tight_pool).text == "Bonjour"


def test_workers_hold_no_secret_of_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGIDE_STORE_KEY", "cle-fictive-du-magasin")
    monkeypatch.setenv("EGIDE_INTERNE_KEY", "cle-fictive-du-modele")
    pool = ParsePool(ParseLimits(), workers=1)
    try:
        read_document_bytes(b"x", name="a.txt", pool=pool)
        (pid,) = pool.worker_pids()
        environment = _proc(pid, "environ")
        assert "cle-fictive" not in environment
        assert "EGIDE" not in environment
        assert Path(f"/proc/{pid}/cwd").resolve() == Path("/")
    finally:
        pool.close()


def test_workers_cannot_raise_their_own_limits() -> None:
    pool = ParsePool(ParseLimits(memory_mb=700), workers=1)
    try:
        read_document_bytes(b"x", name="a.txt", pool=pool)
        (pid,) = pool.worker_pids()
        limits = {
            line[:26].strip(): line[26:].split()[:2] for line in _proc(pid, "limits").splitlines()
        }
        address_space = str(700 * 1024 * 1024)
        # Soft and hard limits alike: a worker taken over by a file cannot lift them.
        assert limits["Max address space"] == [address_space, address_space]
        assert limits["Max file size"] == ["0", "0"]
        assert limits["Max core file size"] == ["0", "0"]
    finally:
        pool.close()


def test_closing_a_pool_stops_its_workers() -> None:
    pool = ParsePool(ParseLimits(), workers=1)
    read_document_bytes(b"x", name="a.txt", pool=pool)
    (pid,) = pool.worker_pids()
    pool.close()
    assert not _alive(pid)


@pytest.mark.parametrize(
    "answer",
    [
        None,
        {"text": "abc", "source": "a", "format": "txt", "warnings": [], "sections": [[0, 99, None, 1, None, None]]},
        {"text": "abc", "source": "a", "format": "exe", "warnings": [], "sections": []},
        {"text": "abc", "source": "a", "format": "txt", "warnings": [1], "sections": []},
        {"text": "abc", "source": "a", "format": "txt", "warnings": [], "sections": [[True, 1, None, None, None, None]]},
        {"text": ["abc"], "source": "a", "format": "txt", "warnings": [], "sections": []},
    ],
)  # fmt: skip
def test_a_forged_document_answer_is_refused(answer: object) -> None:
    # A worker taken over by a hostile file could answer anything: the service checks each field.
    with pytest.raises(WireError):
        document_from_wire(answer)


@pytest.mark.parametrize(
    "answer",
    [
        {"columns": ["a"], "rows": [[2, ["x", "y"], None]]},
        {"columns": ["a"], "rows": [[2, [3], None]]},
        {"columns": "a", "rows": []},
    ],
)
def test_a_forged_table_answer_is_refused(answer: object) -> None:
    with pytest.raises(WireError):
        table_from_wire(answer)
