"""The sign-in journey in the audit trail: who signed in, how, what failed — never a secret."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from egide.audit import AuditEvent, AuditLog
from egide.auth import Role
from egide.auth.service import UNKNOWN_ACCOUNT
from tests.support.portal import PortalHarness, csrf_of


def _events(harness: PortalHarness) -> list[tuple[str, str]]:
    return [(e.user, e.action) for e in AuditLog.open(harness.settings.home).events()]


def test_first_sign_in_and_sign_out_are_recorded(harness: PortalHarness) -> None:
    client = harness.client()
    account = harness.add_user("cmartin")
    page = harness.first_sign_in(client, account)
    client.post("/deconnexion", data={"csrf_token": csrf_of(page)})
    assert _events(harness) == [
        ("cmartin", "password_changed"),
        ("cmartin", "totp_enrolled"),
        ("cmartin", "sign_in"),
        ("cmartin", "charter_accepted"),
        ("cmartin", "sign_out"),
    ]
    sign_in = next(
        e for e in AuditLog.open(harness.settings.home).events() if e.action == "sign_in"
    )
    assert sign_in.extra == {"method": "enrolment", "ip": "testclient"}
    assert AuditLog.open(harness.settings.home).verify().ok


def test_failures_name_the_account_but_never_what_was_typed(harness: PortalHarness) -> None:
    client = harness.client()
    account = harness.add_user("cmartin")
    harness.first_sign_in(client, account)
    other = harness.client()
    harness.post_sign_in(other, "cmartin", "pas le bon mot de passe")
    harness.post_sign_in(other, "Mon mot de passe secret", "x")
    failures = [
        e for e in AuditLog.open(harness.settings.home).events() if e.action == "sign_in_failed"
    ]
    assert [(e.user, e.extra["step"]) for e in failures] == [
        ("cmartin", "password"),
        (UNKNOWN_ACCOUNT, "password"),
    ]
    raw = (harness.settings.home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    assert "secret" not in raw.lower() and "pas le bon" not in raw


def test_a_wrong_totp_code_is_recorded(harness: PortalHarness) -> None:
    client = harness.client()
    account = harness.add_user("cmartin")
    harness.first_sign_in(client, account)
    other = harness.client()
    harness.clock.advance(seconds=30)
    page = harness.post_sign_in(other, "cmartin", account.password)
    other.post("/connexion/code", data={"code": "000000", "csrf_token": csrf_of(page)})
    last = list(AuditLog.open(harness.settings.home).events())[-1]
    assert (last.user, last.action, last.extra["step"]) == ("cmartin", "sign_in_failed", "totp")


def _auditor(harness: PortalHarness) -> TestClient:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("verif", Role.AUDITEUR))
    return client


def _caption(page: str) -> str:
    found = re.search(r'<caption id="legende-audit">(.*?)</caption>', page, re.S)
    assert found is not None
    return html.unescape(found.group(1))


def test_the_trail_is_paged_filtered_and_in_french(harness: PortalHarness) -> None:
    log = AuditLog.open(harness.settings)
    before = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    log.append(user="chef", action="user_password_reset", extra={"target": "cmartin"},
               now=before)  # fmt: skip
    log.append(user="cmartin", action="refusal", model="public-ia", tier="externe",
               level="personnel", counts={"PERSON": 2}, decision="refused_personal_external",
               extra={"task": "summarize", "documents": 1, "apercu": "conforme"}, now=before)  # fmt: skip
    for _ in range(60):
        log.append(user="lbernard", action="sign_in", extra={"method": "totp", "ip": "10.0.0.7"},
                   now=before)  # fmt: skip
    client = _auditor(harness)
    page = client.get("/audit").text
    assert _caption(page).startswith("Événements 1 à 50 sur ")
    # Pages keep the filter; the last page is reachable in one click.
    filtered = client.get("/audit", params={"compte": "CMARTIN"}).text
    assert _caption(filtered).startswith("Événements 1 à 2 sur 2 (compte « CMARTIN »")
    cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", filtered)]
    assert "chef" in cells and "cmartin" in cells  # who acted on the account, the account
    assert "mot de passe réinitialisé" in cells and "refus de la charte" in cells
    assert "données personnelles" in cells  # the level, in words
    assert "refusée : données personnelles vers un service externe" in cells
    assert "public-ia (service d'IA externe)" in cells
    assert "nom de personne : 2" in cells
    assert any("aperçu conforme" in c and "1 document" in c for c in cells)

    first_page = client.get("/audit", params={"action": "sign_in"}).text
    assert 'href="/audit?action=sign_in&amp;page=2"' in first_page
    second = client.get("/audit", params={"action": "sign_in", "page": "2"}).text
    assert 'aria-current="page">2<' in second

    dated = client.get("/audit", params={"du": "2026-10-05", "au": "2026-10-05"}).text
    assert _caption(dated).startswith("Événements 1 à 50 sur 62 (du 05/10/2026 au 05/10/2026")
    nothing = client.get("/audit", params={"du": "2026-10-06", "au": "2026-10-31"}).text
    assert "Aucun événement ne correspond à ces filtres." in html.unescape(nothing)


def test_the_export_is_recorded_and_its_cells_are_neutralised(harness: PortalHarness) -> None:
    log = AuditLog.open(harness.settings)
    log.append(user="chef", action="user_created", extra={"target": "cmartin", "role": "agent"})
    client = _auditor(harness)
    page = client.get("/audit", params={"compte": "cmartin"})
    exported = client.post(
        "/audit/export",
        data={"csrf_token": csrf_of(page), "compte": "cmartin", "du": "", "au": "",
              "action": ""},
    )  # fmt: skip
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"].startswith('attachment; filename="journal-')
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("N°;Date (heure de Paris);Qui;Compte visé;Événement")
    assert any(";chef;cmartin;compte créé;user_created;" in line for line in lines[1:])
    assert any("rôle : Agent" in line for line in lines[1:])
    last = list(AuditLog.open(harness.settings).events())[-1]
    assert (last.user, last.action) == ("verif", "audit_exported")
    assert last.extra == {"events": len(lines) - 1, "selection": "compte « cmartin »"}
    # Without its token, no export: it is a recorded action, not a page to fetch.
    assert client.post("/audit/export", data={"compte": "cmartin"}).status_code == 403


def test_an_export_cell_that_starts_a_formula_is_text(harness: PortalHarness) -> None:
    from egide.web.audit_rows import audit_csv

    event = AuditEvent(seq=1, timestamp="2026-12-01T08:00:00Z", user="=HYPERLINK(\"x\")",
                       action="sign_in_failed", extra={"step": "password", "ip": "+33 1"})  # fmt: skip
    data = audit_csv([event]).decode("utf-8-sig")
    assert ';"\'=HYPERLINK(""x"")";' in data  # quoted by csv, and an apostrophe first
    assert "=HYPERLINK" not in data.replace("'=HYPERLINK", "")
    assert "adresse +33 1" in data  # inside a cell, not at its start: left as it is


def test_a_filter_typed_with_control_characters_still_exports(harness: PortalHarness) -> None:
    client = _auditor(harness)
    page = client.get("/audit")
    exported = client.post(
        "/audit/export", data={"csrf_token": csrf_of(page), "compte": "verif\n\t\x1b[31m"}
    )
    assert exported.status_code == 200
    last = list(AuditLog.open(harness.settings).events())[-1]
    assert last.extra["selection"] == "compte « verif [31m »"
