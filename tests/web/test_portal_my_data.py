"""« Mes données » under attack: an agent downloads and erases their own content, and nobody
else — another agent, an administrator, a forged form — reads or erases any of it."""

from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from egide.audit import AuditLog
from egide.auth import Role
from egide.cli import main
from egide.config import load_settings
from egide.store.batch_items import BatchItemRow
from egide.store.conversation_rows import AgentProfileRow, ConversationRow
from egide.store.models import Draft
from egide.store.workspace import BatchJobRow, UploadRow, WorkRequestRow
from egide.workspace import Workspace
from tests.support.personal_data import seed
from tests.support.portal import Account, PortalHarness, csrf_of

CONTENT_TABLES = (WorkRequestRow, ConversationRow, Draft, UploadRow, BatchJobRow, AgentProfileRow)


def _text(page: object) -> str:
    return html.unescape(page.text)  # type: ignore[attr-defined]


def _workspace(harness: PortalHarness) -> Workspace:
    workspace: Workspace = harness.app.state.workspace
    return workspace


def _signed_in(harness: PortalHarness, login: str, role: Role = Role.AGENT) -> TestClient:
    client = harness.client()
    account: Account = harness.add_user(login, role, display_name=f"Agent {login}")
    harness.first_sign_in(client, account)
    return client


def _download(client: TestClient) -> zipfile.ZipFile:
    page = client.get("/compte/donnees")
    answer = client.post("/compte/donnees/archive", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["cache-control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(answer.content))


def _everything(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def _owned(harness: PortalHarness, owner: str) -> dict[str, int]:
    with _workspace(harness).store.session() as session:
        counts = {
            table.__tablename__: int(
                session.scalar(
                    select(func.count()).select_from(table).where(table.owner == owner)  # type: ignore[attr-defined]
                )
                or 0
            )
            for table in CONTENT_TABLES
        }
        counts["batch_items"] = int(session.scalar(select(func.count(BatchItemRow.item))) or 0)
    return counts


def test_the_page_shows_each_kind_its_period_and_next_erasure(tmp_path: Path) -> None:
    config = tmp_path / "egide.toml"
    config.write_text(
        "[portal]\nretention_days = 30\n[portal.retention]\ndrafts_days = 90\nuploads_days = 7\n",
        encoding="utf-8",
    )
    harness = PortalHarness(load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "h")}))
    client = _signed_in(harness, "cmartin")
    ids = seed(_workspace(harness), "cmartin", "ROUSSEAU")
    created = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
    with _workspace(harness).store.session() as session:
        session.execute(update(Draft).where(Draft.id == ids["draft"]).values(created_at=created))
    page = _text(client.get("/compte/donnees"))
    assert page.count("jours après leur création") == 5  # preferences have no period
    row = page.split('data-type="drafts"')[1].split("</tr>")[0]
    assert "<td>1</td>" in row and "90 jours" in row and "30/05/2031" in row
    assert "7 jours" in page.split('data-type="uploads"')[1].split("</tr>")[0]
    assert "jusqu'à ce que vous les effaciez" in page.split('data-type="preferences"')[1]
    # Work in progress is named before anything is erased.
    warning = page.split('id="travail-en-cours"')[1].split("</div>")[0]
    assert "1 demande pas encore envoyée" in warning
    assert "1 travail répétitif pas terminé : il sera arrêté" in warning
    assert "1 brouillon pas encore validé" in warning
    # The page is reached from the menu and from « Mon compte ».
    assert 'href="/compte/donnees"' in _text(client.get("/compte"))


def test_the_archive_holds_the_agent_s_data_and_nobody_else_s(harness: PortalHarness) -> None:
    client = _signed_in(harness, "cmartin")
    _signed_in(harness, "pdurand")
    seed(_workspace(harness), "cmartin", "ROUSSEAU")
    seed(_workspace(harness), "pdurand", "LEFEBVRE")
    harness.post_sign_in(harness.client(), "cmartin", "pas le bon mot de passe")

    archive = _download(client)
    names = archive.namelist()
    for expected in (
        "LISEZMOI.txt", "compte.json", "connexions.json", "journal.json", "demandes.json",
        "conversations.json", "brouillons.json", "documents.json", "travaux.json",
        "preferences.json", "conservation.json",
    ):  # fmt: skip
        assert expected in names, expected
    everything = _everything(archive)
    for mine in (
        "Consigne ROUSSEAU", "Question ROUSSEAU ?", "Réponse ROUSSEAU.", "Conversation ROUSSEAU",
        "au sujet de ROUSSEAU", "Courrier de ROUSSEAU", "Signataire ROUSSEAU", "ligne ROUSSEAU",
    ):  # fmt: skip
        assert mine in everything, mine
    assert "LEFEBVRE" not in everything and "pdurand" not in everything
    # Drafts as text, documents as read, the batch's spreadsheet as it was given.
    draft_files = [n for n in names if n.startswith("brouillons/")]
    assert len(draft_files) == 1 and archive.read(draft_files[0]).decode().startswith("Madame,")
    assert any(n.startswith("documents/courrier-ROUSSEAU") for n in names)
    sheet = next(n for n in names if n.startswith("travaux/"))
    assert archive.read(sheet) == b"nom\nROUSSEAU\n"

    account = json.loads(archive.read("compte.json"))
    assert account["identifiant"] == "cmartin" and account["nom"] == "Agent cmartin"
    assert account["charte_acceptee"] and account["double_authentification_activee_le"]
    with harness.portal.store.session() as session:
        from egide.store.accounts import UserAccount

        row = session.scalars(select(UserAccount).where(UserAccount.login == "cmartin")).one()
        password_hash, totp = row.password_hash, row.totp_secret
    assert totp is not None
    raw = b"".join(archive.read(name) for name in names)
    assert password_hash.encode() not in raw and b"argon2" not in raw and totp not in raw
    sign_ins = json.loads(archive.read("connexions.json"))
    assert sign_ins[0]["evenement"] == "connexion" and sign_ins[0]["adresse"] == "testclient"
    assert sign_ins[0]["methode"] == "enrolment"  # the first sign-in
    failed = [s for s in sign_ins if s["resultat"] == "échec"]
    assert len(failed) == 1 and failed[0]["etape"] == "password"

    # The download is in the trail: who and what, nothing else.
    events = [e for e in AuditLog.open(harness.settings).events()]
    exported = [e for e in events if e.action == "personal_data_exported"]
    assert len(exported) == 1 and exported[0].user == "cmartin"
    assert not exported[0].counts and not exported[0].extra


def test_an_administrator_reads_and_erases_only_their_own(harness: PortalHarness) -> None:
    agent = _signed_in(harness, "cmartin")
    admin = _signed_in(harness, "adupont", Role.ADMINISTRATEUR)
    seed(_workspace(harness), "cmartin", "ROUSSEAU")
    # No address takes an owner: guessed ones do not exist, a query string changes nothing.
    for path in (
        "/compte/donnees/cmartin", "/admin/utilisateurs/cmartin/donnees",
        "/admin/donnees/cmartin", "/compte/donnees/archive/cmartin",
    ):  # fmt: skip
        answer = admin.get(path)
        assert answer.status_code in (404, 405) and "ROUSSEAU" not in _text(answer), path
    page = admin.get("/compte/donnees?login=cmartin&owner=cmartin")
    for path in ("/admin/utilisateurs/cmartin/donnees", "/admin/utilisateurs/cmartin/effacer"):
        answer = admin.post(path, data={"csrf_token": csrf_of(page), "confirmation": "EFFACER"})
        assert answer.status_code == 404 and "ROUSSEAU" not in _text(answer), path
    assert "Consigne" not in _text(page)
    token = csrf_of(page)
    archive = admin.post(
        "/compte/donnees/archive?owner=cmartin",
        data={"csrf_token": token, "owner": "cmartin", "login": "cmartin"},
    )
    assert "ROUSSEAU" not in _everything(zipfile.ZipFile(io.BytesIO(archive.content)))
    erased = admin.post(
        "/compte/donnees/effacer?owner=cmartin",
        data={"csrf_token": token, "confirmation": "EFFACER", "owner": "cmartin"},
    )
    assert erased.status_code == 200 and erased.url.path == "/compte/donnees"
    assert _owned(harness, "cmartin")["drafts"] == 1  # the agent's content is untouched
    assert "ROUSSEAU" in _everything(_download(agent))


def test_csrf_and_the_confirmation_word_are_required(harness: PortalHarness) -> None:
    client = _signed_in(harness, "cmartin")
    seed(_workspace(harness), "cmartin", "ROUSSEAU")
    before = _owned(harness, "cmartin")
    assert client.post("/compte/donnees/archive").status_code == 403
    assert client.post("/compte/donnees/archive", data={"csrf_token": "x" * 43}).status_code == 403
    forged = client.post("/compte/donnees/effacer", data={"confirmation": "EFFACER"})
    assert forged.status_code == 403
    page = client.get("/compte/donnees")
    for word in ("", "effacer", "OUI", "EFFACE"):
        wrong = client.post(
            "/compte/donnees/effacer", data={"csrf_token": csrf_of(page), "confirmation": word}
        )
        assert wrong.status_code == 400 and "Rien n'a été effacé" in _text(wrong)
    assert _owned(harness, "cmartin") == before
    actions = {e.action for e in AuditLog.open(harness.settings).events()}
    assert not actions & {"personal_data_exported", "content_erased"}


def test_erasing_leaves_no_content_keeps_the_account_and_the_trail_verifies(
    harness: PortalHarness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    client = _signed_in(harness, "cmartin")
    other = _signed_in(harness, "pdurand")
    ids = seed(_workspace(harness), "cmartin", "ROUSSEAU")
    seed(_workspace(harness), "pdurand", "LEFEBVRE")
    folder = _workspace(harness).batches.folder(ids["batch"])
    folder.mkdir(parents=True)
    (folder / "trace").write_text("x", encoding="utf-8")
    page = client.get("/compte/donnees")
    done = client.post(
        "/compte/donnees/effacer", data={"csrf_token": csrf_of(page), "confirmation": "EFFACER"}
    )
    assert done.status_code == 200 and "Vos contenus sont effacés" in _text(done)
    assert _owned(harness, "cmartin") == {
        "work_requests": 0, "conversations": 0, "drafts": 0, "uploads": 0, "batch_jobs": 0,
        "agent_profiles": 0, "batch_items": 1,  # the other agent's journal entry
    }  # fmt: skip
    assert not folder.exists()
    assert _owned(harness, "pdurand")["drafts"] == 1
    assert "LEFEBVRE" in _everything(_download(other))
    # The account stays: the agent is still signed in and reads an empty page.
    assert client.get("/compte").status_code == 200
    assert "Du travail en cours" not in _text(client.get("/compte/donnees"))

    erased = [e for e in AuditLog.open(harness.settings).events() if e.action == "content_erased"]
    assert len(erased) == 1 and erased[0].user == "cmartin"
    assert dict(erased[0].counts) == {
        "requests": 1, "conversations": 1, "drafts": 1, "uploads": 1, "batches": 1,
        "preferences": 1, "turns": 1,
    }  # fmt: skip
    monkeypatch.setenv("EGIDE_HOME", str(harness.settings.home))
    assert main(["audit", "verify"]) == 0
    capsys.readouterr()


def test_a_running_batch_of_an_erased_agent_stops(harness: PortalHarness) -> None:
    from egide.store.batch_items import stop_requested

    _signed_in(harness, "cmartin")
    ids = seed(_workspace(harness), "cmartin", "ROUSSEAU")
    store = _workspace(harness).store
    assert not stop_requested(store, ids["batch"])
    from egide.workspace.personal_data import erase_content

    erase_content(_workspace(harness), "cmartin")
    assert stop_requested(store, ids["batch"])  # gone: whichever worker runs it stops


def test_a_period_is_counted_from_the_oldest_item(harness: PortalHarness) -> None:
    from egide.workspace.personal_data import holdings

    _signed_in(harness, "cmartin")
    ids = seed(_workspace(harness), "cmartin", "ROUSSEAU")
    old = datetime.now(UTC) - timedelta(days=20)
    with _workspace(harness).store.session() as session:
        session.execute(
            update(UploadRow).where(UploadRow.id == ids["upload"]).values(created_at=old)
        )
    found = {h.kind: h for h in holdings(_workspace(harness), "cmartin")}
    assert found["uploads"].next_erasure == old + timedelta(days=30)
    assert found["preferences"].days is None and found["preferences"].next_erasure is None
