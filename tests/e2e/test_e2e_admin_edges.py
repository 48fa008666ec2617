"""The rough edges of issue 12 for administrators and auditors, in a real browser, each page
through axe-core at every width from 320 to 1440 px: a reset that a reload does not repeat, an
account import with its report downloaded once, logins shown as typed, the audit trail filtered,
paged and exported, and a pilot's dashboard that shows its totals."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from egide.audit import AuditLog
from egide.config import load_settings
from tests.e2e.flows import check_widths, first_sign_in, path_of
from tests.e2e.server import EgideServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

ACCOUNTS = (
    "identifiant;nom;service;rôle\n"
    "MDurand;Marc Durand;Bureau du séjour;agent\n"
    "sbenali;Sarah Benali;Bureau du séjour;ambassadeur\n"
    "nom invalide;;;agent\n"
)


def _add(server: EgideServer, login: str, role: str) -> str:
    return server.egide("users", "add", login, "--role", role, "--service", "SIDSIC").strip()


def test_an_administrator_resets_and_imports_without_repeating_anything(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    first_sign_in(page, egide_server, "adj.chef", _add(egide_server, "adj.chef", "administrateur"))
    _add(egide_server, "RLefevre", "agent")
    base = egide_server.base_url
    page.goto(base + "/admin/utilisateurs")
    assert page.get_by_role("cell", name="RLefevre", exact=True).count() == 1  # as typed
    page.click("button:has-text('Nouveau mot de passe pour RLefevre')")
    assert path_of(page) == "/admin/utilisateurs"
    shown = page.inner_text("#mot-de-passe-valeur")
    assert page.evaluate("() => document.activeElement.id") == "mot-de-passe-temporaire"
    check_widths(page, "/admin/utilisateurs", "70-reinitialisation", artifacts)
    page.reload()
    assert not page.is_visible("#mot-de-passe-valeur")  # shown once, and not reset again
    events = AuditLog.open(load_settings(environ={"EGIDE_HOME": str(egide_server.home)}))
    resets = [e for e in events.events() if e.action == "user_password_reset"]
    assert [e.extra["target"] for e in resets] == ["rlefevre"] and shown

    page.click("#lien-import")
    check_widths(page, "/admin/utilisateurs/import", "71-import", artifacts)
    page.set_input_files(
        "#tableau-comptes",
        files=[{"name": "comptes.csv", "mimeType": "text/csv", "buffer": ACCOUNTS.encode()}],
    )
    page.click("#bouton-import")
    assert path_of(page) == "/admin/utilisateurs/import"
    assert "2 comptes créés sur 3 lignes." in page.inner_text("#resume-import")
    check_widths(page, "/admin/utilisateurs/import", "72-import-rapport", artifacts)
    with page.expect_download() as waited:
        page.click("#telecharger-rapport")
    report = Path(waited.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(report), delimiter=";"))
    assert rows[0] == ["Ligne", "Identifiant", "Résultat", "Mot de passe temporaire"]
    assert rows[1][:3] == ["2", "MDurand", "Compte créé."] and len(rows[1][3]) == 19
    assert rows[3][3] == "" and rows[3][2].startswith("Refusé : Identifiant invalide")
    page.reload()
    assert not page.is_visible("#rapport-import")  # the passwords are gone with the page
    page.goto(base + "/admin/utilisateurs")
    assert page.get_by_role("cell", name="MDurand", exact=True).count() == 1


def test_an_auditor_filters_pages_and_exports_the_trail(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    first_sign_in(page, egide_server, "adj.verif", _add(egide_server, "adj.verif", "auditeur"))
    page.goto(egide_server.base_url + "/audit")
    check_widths(page, "/audit", "73-audit", artifacts)
    page.fill("#filtre-compte", "ADJ.VERIF")
    page.select_option("#action", "sign_in")
    today = datetime.now(UTC).date().isoformat()
    page.fill("#filtre-du", today)
    page.fill("#filtre-au", today)
    page.click("#bouton-filtrer")
    caption = page.inner_text("#legende-audit")
    assert "Événements 1 à 1 sur 1" in caption and "compte « ADJ.VERIF »" in caption
    assert page.locator("#tableau-audit td", has_text="par activation").count() == 1
    check_widths(page, "/audit", "74-audit-filtre", artifacts)
    with page.expect_download() as waited:
        page.click("#bouton-export")
    assert waited.value.suggested_filename.startswith("journal-audit-")
    exported = Path(waited.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(exported) == 2 and ";adj.verif;;connexion;sign_in;" in exported[1]
    page.click("#effacer-filtres")
    page.select_option("#action", "audit_exported")
    page.click("#bouton-filtrer")
    assert page.locator("#tableau-audit td", has_text="export du journal d'audit").count() == 1


def test_a_pilot_dashboard_shows_its_totals_and_what_it_hides(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    """Six agents of one service, three summarising and three drafting, last week: no cell
    of five, but a service's week of six — the totals show, the detail says « moins de 5 »."""
    settings = load_settings(environ={"EGIDE_HOME": str(egide_server.home)})
    for i in range(6):
        egide_server.egide("users", "add", f"pilote{i}", "--role", "agent", "--service",
                           "Bureau pilote")  # fmt: skip
    last_week = datetime.now(UTC) - timedelta(days=7)
    log = AuditLog.open(settings)
    for i in range(6):
        log.append(user=f"pilote{i}", action="summarize" if i < 3 else "draft", tier="interne",
                   decision="allowed", now=last_week)  # fmt: skip
    first_sign_in(page, egide_server, "adj.suivi", _add(egide_server, "adj.suivi", "auditeur"))
    page.goto(egide_server.base_url + "/tableau-de-bord?periode=4&service=Bureau+pilote")
    keys = page.inner_text("#chiffres-cles")
    assert "Demandes comptées sur la période : 6, dont 0 détaillée" in keys
    assert "Personnes dont des demandes sont comptées : 6" in keys
    assert page.is_visible("#graphique-semaines-toutes svg")
    assert "moins de 5 personnes chacune" in page.inner_text("#masque-taches")
    check_widths(page, "/tableau-de-bord", "75-tableau-de-bord-pilote", artifacts)
