"""Issue 12's account import against the rules of findings 1 and 5: an import only creates.

The attacker is one administrator who hopes that a table, unlike the one-by-one form, resets an
account that has been used, binds it to an address they control at the provider, or opens an
administrator account through the provider — each of which needs a second administrator, or is
refused, on the form.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient

from egide.audit import AuditLog
from egide.auth import Role
from egide.config import load_settings
from tests.support.portal import Clock, PortalHarness, csrf_of

DOMAIN = "interieur.gouv.fr"


def _harness(tmp_path: Path) -> PortalHarness:
    config = tmp_path / "egide.toml"
    # The provider is never contacted: only the administration pages are used.
    config.write_text(
        f"""
[portal.oidc]
issuer = "https://fournisseur.invalid"
client_id = "egide"
required_acr = ["eidas2"]
email_domains = ["{DOMAIN}"]
""",
        encoding="utf-8",
    )
    return PortalHarness(
        load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")}), Clock()
    )


def _import(client: TestClient, table: str) -> dict[str, tuple[str, str]]:
    page = client.get("/admin/utilisateurs/import")
    report = client.post(
        "/admin/utilisateurs/import",
        data={"csrf_token": csrf_of(page)},
        files={"table": ("comptes.csv", table.encode(), "text/csv")},
    )
    rows = re.findall(
        r"<tr>\s*<td>\d+</td>\s*<td>([^<]*)</td>\s*<td>.*?</span> ([^<]*)</td>\s*<td>(.*?)</td>",
        report.text, re.S,
    )  # fmt: skip
    return {html.unescape(login): (html.unescape(outcome), password) for login, outcome,
            password in rows}  # fmt: skip


def test_an_import_never_touches_a_used_account(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    agent = harness.add_user("cmartin")
    harness.first_sign_in(harness.client(), agent)
    chef = harness.client()
    harness.first_sign_in(chef, harness.add_user("chef", Role.ADMINISTRATEUR))
    before = harness.portal.users.named("cmartin")
    report = _import(chef, f"identifiant;rôle;adresse\nCMARTIN;administrateur;pirate@{DOMAIN}\n")
    assert report["CMARTIN"][0].startswith("Refusé : Un utilisateur « cmartin » existe déjà")
    assert harness.portal.users.named("cmartin") == before  # role, password, factors
    assert harness.portal.credentials.is_password(before.id, agent.password)
    assert harness.portal.resets.pending(harness.portal.clock()) == []  # nothing to confirm
    assert harness.portal.identities.list() == []
    actions = {e.action for e in AuditLog.open(harness.settings).events() if e.user == "chef"}
    assert not actions & {"user_password_reset", "user_role_changed", "oidc_provisioned",
                          "oidc_link_requested", "user_full_reset_requested"}  # fmt: skip


def test_an_import_binds_new_accounts_as_the_form_would(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    chef = harness.client()
    harness.first_sign_in(chef, harness.add_user("chef", Role.ADMINISTRATEUR))
    report = _import(
        chef,
        "identifiant;rôle;adresse\n"
        f"lbernard;agent;lea.bernard@{DOMAIN}\n"
        "pdurand;agent;paul.durand@ailleurs.example\n"
        f"adjoint;administrateur;adjoint@{DOMAIN}\n",
    )
    # Bound at once (a new account: its creator's word suffices), with no password to hand.
    assert report["lbernard"][0].startswith("Compte créé et rattaché au fournisseur")
    assert report["lbernard"][1] == "—"
    # Another domain, or an administrator: created, not bound, the password to hand over.
    assert "n'est pas de ceux dont les adresses peuvent rattacher" in report["pdurand"][0]
    assert (
        "Les comptes administrateurs ne se connectent pas par le fournisseur"
        in (report["adjoint"][0])
    )
    assert all(report[login][1].startswith("<code") for login in ("pdurand", "adjoint"))
    bound = {identity.login: identity for identity in harness.portal.identities.list()}
    assert list(bound) == ["lbernard"] and bound["lbernard"].created_by == "chef"
    events = [(e.action, e.extra.get("target")) for e in AuditLog.open(harness.settings).events()]
    assert ("oidc_provisioned", "lbernard") in events
    assert [target for action, target in events if action == "user_created"][-3:] == [
        "lbernard", "pdurand", "adjoint",
    ]  # fmt: skip
