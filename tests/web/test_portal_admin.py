"""Administration pages: accounts, models and tiers, shared templates, the audit trail."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

from fastapi.testclient import TestClient

from egide.audit import AuditLog
from egide.auth import Role
from tests.support.portal import Account, PortalHarness, csrf_of
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


def _reset_events(harness: PortalHarness) -> int:
    events = AuditLog.open(harness.settings).events()
    return sum(1 for e in events if e.action == "user_password_reset")


def test_a_reset_is_not_repeated_by_reloading_the_page(harness: PortalHarness) -> None:
    """Post/redirect/get: the password is shown once, on the page the reset redirected to."""
    admin = _as(harness, "chef", Role.ADMINISTRATEUR)
    harness.add_user("lbernard")
    page = admin.get("/admin/utilisateurs")
    reset = admin.post(
        "/admin/utilisateurs/lbernard/reinitialiser-mot-de-passe",
        data={"csrf_token": csrf_of(page)},
    )
    assert reset.history[0].status_code == 303
    assert reset.url.path == "/admin/utilisateurs"
    assert reset.url.fragment == "mot-de-passe-temporaire"
    shown = re.search(r'id="mot-de-passe-valeur">([A-Z2-9-]{19})<', reset.text)
    assert shown is not None
    assert 'id="mot-de-passe-temporaire" tabindex="-1" data-egide-focus' in reset.text
    reloaded = admin.get(str(reset.url))
    assert 'id="mot-de-passe-valeur"' not in reloaded.text  # a reload shows nothing more…
    assert _reset_events(harness) == 1  # …and resets nothing more
    assert harness.portal.credentials.check_password("lbernard", shown.group(1)) is not None


def test_a_login_keeps_the_case_it_was_typed_in_for_display_only(harness: PortalHarness) -> None:
    admin = _as(harness, "chef", Role.ADMINISTRATEUR)
    page = admin.get("/admin/utilisateurs")
    created = admin.post(
        "/admin/utilisateurs",
        data={"csrf_token": csrf_of(page), "login": "CMartin", "role": "agent"},
    )
    assert "Mot de passe temporaire de « CMartin »" in text(created)
    user = harness.portal.users.named("cmartin")
    assert (user.login, user.shown_login) == ("cmartin", "CMartin")
    assert "<td>CMartin</td>" in admin.get("/admin/utilisateurs").text
    # Every lookup stays on the canonical form: the same account, whatever the case.
    duplicate = admin.post(
        "/admin/utilisateurs",
        data={"csrf_token": csrf_of(page), "login": "cmartin", "role": "agent"},
    )
    assert duplicate.status_code == 400 and "existe déjà" in text(duplicate)
    events = [e for e in AuditLog.open(harness.settings).events() if e.action == "user_created"]
    assert events[-1].extra["target"] == "cmartin"
    password = re.search(r'id="mot-de-passe-valeur">([^<]+)<', created.text)
    assert password is not None
    client = harness.client()
    signed = harness.post_sign_in(client, "CMARTIN", password.group(1))
    assert signed.url.path == "/connexion/mot-de-passe"
    harness.first_sign_in(harness.client(), Account("cmartin", password.group(1)))


IMPORT = (
    "Identifiant;Nom;Service;Rôle;Téléphone\n"
    "LBernard;Léa Bernard;Bureau du séjour;Ambassadeur IA;01 02 03 04 05\n"
    "cmartin;Claire Martin;Cabinet;;\n"
    "nom invalide;;;agent;\n"
    'pdurand;=HYPERLINK("http://exemple.invalid");Cabinet;chef;\n'
    "lbernard;Doublon;;;\n"
    "sdupont;Sophie Dupont;;auditeur;\n"
)


def test_an_administrator_imports_accounts_from_a_table(harness: PortalHarness) -> None:
    admin = _as(harness, "chef", Role.ADMINISTRATEUR)
    used = harness.add_user("cmartin")
    harness.first_sign_in(harness.client(), used)
    before = harness.portal.users.named("cmartin")
    page = admin.get("/admin/utilisateurs/import")
    report = admin.post(
        "/admin/utilisateurs/import",
        data={"csrf_token": csrf_of(page)},
        files={"table": ("comptes.csv", IMPORT.encode("utf-8"), "text/csv")},
    )
    assert report.history[0].status_code == 303 and report.url.fragment == "rapport-import"
    body = text(report)
    rows = re.findall(
        r"<tr>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>\s*<td>.*?</span> ([^<]*)</td>\s*<td>(.*?)</td>",
        body, re.S,
    )  # fmt: skip
    outcomes = {line: (login, outcome, password) for line, login, outcome, password in rows}
    assert outcomes["2"][:2] == ("LBernard", "Compte créé.")
    assert outcomes["3"][1] == "Refusé : Un utilisateur « cmartin » existe déjà."
    assert outcomes["4"][1].startswith("Refusé : Identifiant invalide « nom invalide »")
    assert outcomes["5"][1].startswith("Refusé : Rôle inconnu « chef »")
    assert outcomes["6"][1] == "Identifiant déjà présent plus haut dans le tableau : ligne ignorée."
    assert outcomes["7"][:2] == ("sdupont", "Compte créé.")
    assert "Colonnes ignorées : Téléphone." in body
    assert "2 comptes créés sur 6 lignes." in body
    passwords = {line: re.sub(r"</?code[^>]*>", "", outcomes[line][2]) for line in ("2", "7")}
    assert all(re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", p) for p in passwords.values())
    assert outcomes["3"][2] == "—"

    lea = harness.portal.users.named("lbernard")
    assert (lea.shown_login, lea.role, lea.service) == ("LBernard", Role.AMBASSADEUR,
                                                        "Bureau du séjour")  # fmt: skip
    assert harness.portal.users.named("cmartin") == before  # an existing account: untouched
    assert harness.portal.users.find("pdurand") is None
    created = [
        e.extra["target"] for e in AuditLog.open(harness.settings).events()
        if e.action == "user_created" and e.user == "chef"
    ]  # fmt: skip
    assert created == ["lbernard", "sdupont"]  # one audited creation per account

    download = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)" download="([^"]+)"',
                         report.text)  # fmt: skip
    assert download is not None and download.group(2).endswith(".csv")
    csv_text = unquote(download.group(1))
    assert f"2;LBernard;Compte créé.;{passwords['2']}" in csv_text
    assert "'=HYPERLINK" not in csv_text  # the refused row's name was not written back…
    assert "5;pdurand;" in csv_text  # …and each report cell is neutralised on the way out

    again = admin.get("/admin/utilisateurs/import")
    assert passwords["2"] not in again.text and 'id="rapport-import"' not in again.text


def test_an_import_whose_table_cannot_be_used_creates_nothing(harness: PortalHarness) -> None:
    admin = _as(harness, "chef", Role.ADMINISTRATEUR)
    page = admin.get("/admin/utilisateurs/import")
    count = len(harness.portal.users.list())
    for name, content, problem in (
        ("comptes.csv", "nom;service\nLéa;Cabinet\n", "aucune colonne « identifiant »"),
        ("comptes.csv", "identifiant;adresse\nlea;lea@exemple.fr\n",
         "la colonne « adresse » rattache les comptes au fournisseur d'identité"),
        ("comptes.ods", "identifiant\nlea\n", "comptes.ods : enregistrez le tableau au format XLSX"),
    ):  # fmt: skip
        answer = admin.post(
            "/admin/utilisateurs/import",
            data={"csrf_token": csrf_of(page)},
            files={"table": (name, content.encode(), "text/csv")},
        )
        assert answer.status_code == 400, name
        assert "Aucun compte créé" in text(answer) and problem in text(answer)
        assert 'id="erreur-import" tabindex="-1" data-egide-focus' in answer.text
    assert len(harness.portal.users.list()) == count


def test_an_import_csv_cell_starting_a_formula_is_neutralised(harness: PortalHarness) -> None:
    from egide.auth.bulk import ImportedRow
    from egide.web.routes.admin_import import report_csv

    data = report_csv([ImportedRow(2, "=cmd|' /C calc'!A0", False, "@SOMME(A1)", None)])
    assert b"'=cmd" in data and b"'@SOMME" in data
