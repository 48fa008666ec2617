"""The charter file: its version, its title, its text rendered safely."""

import hashlib

import pytest

from egide.auth.charter import DEFAULT_CHARTER_PATH, parse_charter
from egide.store.errors import StoreError


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("---\nversion: 2.0\n---\n# Titre\n\nTexte.\n", "2.0"),
        ('---\nversion: "2026-11"\nauteur: DNUM\n---\n\nTexte.\n', "2026-11"),
        ("---\r\nversion: 3\r\n---\r\nTexte.\r\n", "3"),
    ],
)
def test_declared_versions(text: str, version: str) -> None:
    assert parse_charter(text).version == version


@pytest.mark.parametrize(
    "text",
    [
        "# Titre\n\nversion: 2.0 n'est pas un en-tête ici.\n",
        "---\nauteur: DNUM\n---\nTexte.\n",
        "---\nversion: 2.0\nTexte sans fin d'en-tête.\n",
    ],
)
def test_without_a_declared_version_the_content_is_the_version(text: str) -> None:
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert parse_charter(text).version == f"sha256:{digest[:16]}"


def test_title_and_body() -> None:
    charter = parse_charter(
        "---\nversion: 1\n---\n\n# Ma charte\n\n## Règle\n\nUn *humain* décide.\n"
    )
    assert charter.title == "Ma charte"
    assert "<h2>Règle</h2>" in charter.body_html
    assert "<em>humain</em>" in charter.body_html
    assert "Ma charte" not in charter.body_html


def test_html_in_the_file_is_shown_as_text() -> None:
    body = parse_charter("Texte <script>alert(1)</script> et <b>gras</b>.\n").body_html
    assert "<script>" not in body and "<b>" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.parametrize("version", ["x" * 65, "ligne\u0007cloche"])
def test_unusable_versions_are_refused(version: str) -> None:
    with pytest.raises(StoreError, match="version de charte invalide"):
        parse_charter(f"---\nversion: {version}\n---\nTexte.\n")


def test_the_shipped_charter_is_declared_and_in_french() -> None:
    charter = parse_charter(DEFAULT_CHARTER_PATH.read_text(encoding="utf-8"))
    assert charter.version == "1.0"
    assert charter.title == "Charte d'utilisation de l'intelligence artificielle"
    assert "J'ai lu et j'accepte la charte" in charter.body_markdown
