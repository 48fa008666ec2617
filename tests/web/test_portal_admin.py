"""Administration pages: accounts, models and tiers, shared templates, the audit trail."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from egide.audit import AuditLog
from egide.auth import Role
from tests.support.portal import PortalHarness, csrf_of
from tests.support.templates import NOTE


def _as(harness: PortalHarness, login: str, role: Role) -> TestClient:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user(login, role))
    return client


def text(page: object) -> str:
    return html.unescape(page.text)  # type: ignore[attr-defined]


def test_an_administrator_manages_accounts_from_the_portal(harness: PortalHarness) -> None:
    admin = _as(harness, "chef", Role.ADMINISTRATEUR)
    page = admin.get("/admin/utilisateurs")
    created = admin.post(
        "/admin/utilisateurs",
        data={
            "csrf_token": csrf_of(page),
            "login": "lbernard",
            "name": "Léa Bernard",
            "service": "Bureau du séjour",
            "role": "ambassadeur",
        },
    )
    assert 'id="mot-de-passe-temporaire"' in created.text
    user = harness.portal.users.named("lbernard")
    assert user.role is Role.AMBASSADEUR and user.service == "Bureau du séjour"
    disabled = admin.post(
        "/admin/utilisateurs/lbernard/desactiver", data={"csrf_token": csrf_of(page)}
    )
    assert "est désactivé" in text(disabled)
    assert harness.portal.users.named("lbernard").disabled
    role = admin.post(
        "/admin/utilisateurs/lbernard/role", data={"csrf_token": csrf_of(page), "role": "auditeur"}
    )
    assert "« Auditeur »" in text(role)
    self_disable = admin.post(
        "/admin/utilisateurs/chef/desactiver", data={"csrf_token": csrf_of(page)}
    )
    assert self_disable.status_code == 400
    assert not harness.portal.users.named("chef").disabled
    duplicate = admin.post(
        "/admin/utilisateurs",
        data={"csrf_token": csrf_of(page), "login": "lbernard", "role": "agent"},
    )
    assert duplicate.status_code == 400 and "existe déjà" in text(duplicate)
    actions = [
        (e.user, e.action, e.extra.get("target"))
        for e in AuditLog.open(harness.settings.home).events()
    ]
    assert ("chef", "user_created", "lbernard") in actions
    assert ("chef", "user_disabled", "lbernard") in actions


def test_the_models_page_shows_what_the_charter_allows(harness: PortalHarness) -> None:
    admin = _as(harness, "chef", Role.ADMINISTRATEUR)
    page = text(admin.get("/admin/modeles"))
    assert "modèle interne du ministère" in page
    assert '<th scope="row">classifié</th><td>refusé</td>' in page
    assert '<th scope="row">Diffusion Restreinte</th><td>autorisé</td>' in page
    assert "30 jours" in page


def test_pages_are_reserved_to_their_roles(harness: PortalHarness) -> None:
    agent = _as(harness, "cmartin", Role.AGENT)
    for path in ("/admin/utilisateurs", "/admin/modeles", "/admin/modeles-de-documents",
                 "/tableau-de-bord", "/audit"):  # fmt: skip
        assert agent.get(path).status_code == 403, path
    ambassador = _as(harness, "pdurand", Role.AMBASSADEUR)
    assert ambassador.get("/admin/modeles-de-documents").status_code == 200
    assert ambassador.get("/tableau-de-bord").status_code == 200
    assert ambassador.get("/admin/utilisateurs").status_code == 403
    assert ambassador.get("/audit").status_code == 403
    admin = _as(harness, "chef", Role.ADMINISTRATEUR)
    assert admin.get("/audit").status_code == 403  # the trail is the auditors'


def test_an_ambassador_adds_a_checked_template(harness: PortalHarness) -> None:
    ambassador = _as(harness, "pdurand", Role.AMBASSADEUR)
    page = ambassador.get("/admin/modeles-de-documents")
    broken = ambassador.post(
        "/admin/modeles-de-documents",
        data={"csrf_token": csrf_of(page)},
        files={
            "fichier": (
                "note-breve.md",
                NOTE.replace("{{ texte }}", "{{ txte }}").encode(),
                "text/markdown",
            )
        },
    )
    assert broken.status_code == 400 and "n'est pas un champ déclaré" in text(broken)
    assert not (harness.settings.home / "modeles" / "note-breve.md").exists()
    added = ambassador.post(
        "/admin/modeles-de-documents",
        data={"csrf_token": csrf_of(page)},
        files={"fichier": ("Note brève.md", NOTE.encode(), "text/markdown")},
    )
    assert "Le modèle est ajouté" in text(added)
    agent = _as(harness, "cmartin", Role.AGENT)
    assert "Note brève" in text(agent.get("/espace/rediger"))
    form = agent.get("/espace/rediger/note-breve")
    assert 'name="champ_objet"' in form.text
    deleted = ambassador.post(
        "/admin/modeles-de-documents/note-breve/supprimer", data={"csrf_token": csrf_of(page)}
    )
    assert "Le modèle est supprimé" in text(deleted)
    assert agent.get("/espace/rediger/note-breve").status_code == 404


def test_an_auditor_reads_and_verifies_the_trail(harness: PortalHarness) -> None:
    auditor = _as(harness, "audit1", Role.AUDITEUR)
    page = text(auditor.get("/audit"))
    assert "connexion" in page and "charte acceptée" in page
    checked = text(auditor.get("/audit", params={"verifier": "1"}))
    assert 'id="resultat-verification"' in checked and "Chaîne d'audit intègre" in checked
    only = text(auditor.get("/audit", params={"action": "sign_in"}))
    assert "charte acceptée</td>" not in only
