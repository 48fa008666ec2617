"""The charter: accepted at first sign-in, asked again for a new version, acceptances recorded."""

import hashlib
import os
from pathlib import Path

import pytest

from egide.config import ConfigError, Settings, load_settings
from tests.support.portal import Clock, PortalHarness, csrf_of

CHARTER_V1 = """---
version: 2026.1
---

# Charte d'essai

Un humain valide **chaque** décision.
"""


def _settings_with_charter(tmp_path: Path, text: str) -> tuple[Settings, Path]:
    charter = tmp_path / "charte.md"
    charter.write_text(text, encoding="utf-8")
    config = tmp_path / "egide.toml"
    config.write_text(f'[portal]\ncharter_path = "{charter}"\n', encoding="utf-8")
    settings = load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})
    return settings, charter


def _rewrite(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    # Same size and same second on some file systems: make the change visible for sure.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_new_version_is_asked_again_and_both_acceptances_are_kept(
    tmp_path: Path, clock: Clock
) -> None:
    settings, charter = _settings_with_charter(tmp_path, CHARTER_V1)
    harness = PortalHarness(settings, clock)
    client = harness.client()
    landing = harness.first_sign_in(client, harness.add_user("cmartin"))
    assert "version 2026.1" in landing.text

    v2 = CHARTER_V1.replace("2026.1", "2026.2").replace("chaque", "toute")
    _rewrite(charter, v2)
    clock.advance(minutes=1)
    page = client.get("/espace")
    assert page.url.path == "/charte"
    assert 'id="charte-nouvelle-version"' in page.text
    assert "Version 2026.2" in page.text and "<strong>toute</strong>" in page.text
    page = client.post("/charte", data={"accept": "oui", "csrf_token": csrf_of(page)})
    assert page.url.path == "/espace"

    user = harness.portal.users.named("cmartin")
    recorded = harness.portal.book.acceptances(user.id)
    assert [(version, digest) for version, digest, _ in recorded] == [
        ("2026.1", hashlib.sha256(CHARTER_V1.encode()).hexdigest()),
        ("2026.2", hashlib.sha256(v2.encode()).hexdigest()),
    ]
    assert recorded[1][2] == clock.now


def test_a_correction_without_a_new_version_is_not_asked_again(
    tmp_path: Path, clock: Clock
) -> None:
    settings, charter = _settings_with_charter(tmp_path, CHARTER_V1)
    harness = PortalHarness(settings, clock)
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    _rewrite(charter, CHARTER_V1.replace("décision", "décision."))
    assert client.get("/espace").url.path == "/espace"


def test_without_a_declared_version_any_change_asks_again(tmp_path: Path, clock: Clock) -> None:
    text = "# Charte sans version\n\nPremier texte.\n"
    settings, charter = _settings_with_charter(tmp_path, text)
    harness = PortalHarness(settings, clock)
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    _rewrite(charter, text.replace("Premier", "Second"))
    page = client.get("/espace")
    assert page.url.path == "/charte"
    assert "Version sha256:" in page.text


def test_an_accepted_charter_can_be_read_again(harness: PortalHarness) -> None:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    page = client.get("/charte")
    assert page.status_code == 200
    assert 'id="charte-acceptee"' in page.text
    assert 'id="form-charte"' not in page.text
    assert "Un humain valide chaque décision" in page.text


@pytest.mark.parametrize(
    "principle",
    [
        "les applications métier du ministère",
        "le portail interne d'IA",
        "un outil d'IA public ou commercial",
        "Un humain valide chaque décision",
        "Vous restez responsable",
        "Les informations classifiées",
        "Protéger les données des usagers et celles des agents",
    ],
)
def test_the_shipped_charter_states_the_ministry_principles(
    harness: PortalHarness, principle: str
) -> None:
    charter = harness.portal.charter()
    assert charter.version == "1.0"
    assert principle in charter.body_html.replace("&#39;", "'").replace("’", "'")


def test_a_missing_charter_file_stops_at_start_up(tmp_path: Path) -> None:
    config = tmp_path / "egide.toml"
    config.write_text(f'[portal]\ncharter_path = "{tmp_path / "absente.md"}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="portal.charter_path : fichier de charte introuvable"):
        load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})


def test_anyone_may_read_the_charter(harness: PortalHarness) -> None:
    page = harness.client().get("/charte")
    assert page.status_code == 200
    assert "Charte d'utilisation de l'IA — Égide" in page.text
    assert 'id="form-charte"' not in page.text
    assert 'id="bouton-deconnexion"' not in page.text
