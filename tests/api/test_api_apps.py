"""``egide apps add|list|revoke`` and how applications are kept: token shown once, stored hashed."""

from __future__ import annotations

import hashlib
import importlib
import sqlite3
from pathlib import Path

import openai
import pytest
from api_support import Served

from egide.cli import main
from egide.store.applications import TOKEN_PREFIX, hash_token, new_token


@pytest.fixture
def cli_env(gateway: Served, monkeypatch: pytest.MonkeyPatch) -> Served:
    monkeypatch.setenv("EGIDE_HOME", gateway.env["EGIDE_HOME"])
    monkeypatch.setenv("EGIDE_CONFIG", gateway.env["EGIDE_CONFIG"])
    return gateway


def test_tokens_are_random_and_recognisable() -> None:
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert token.startswith(TOKEN_PREFIX) and len(token) == len(TOKEN_PREFIX) + 43
        assert hash_token(token) == hashlib.sha256(token.encode()).hexdigest()


def test_add_shows_the_token_once_and_stores_its_hash_only(
    cli_env: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["apps", "add", "gestion-titres", "--models", "interne-echo,local",
                 "--max-level", "personnel", "--rpm", "60", "--daily", "10000"])  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    token = captured.out.strip()
    assert token.startswith("egd_")
    assert "affiché une seule fois" in captured.err and "60 requêtes/min" in captured.err
    database = (cli_env.home / "egide.db").read_bytes()
    assert token.encode() not in database
    assert hash_token(token).encode() in database
    # The token printed is the one that works.
    client = openai.OpenAI(api_key=token, base_url=cli_env.base_url + "/v1", max_retries=0)
    assert [m.id for m in client.models.list()] == ["auto", "interne-echo", "local"]

    assert main(["apps", "list"]) == 0
    listing = capsys.readouterr().out
    line = next(row for row in listing.splitlines() if row.startswith("gestion-titres\t"))
    assert token[:8] + "…" in line and "active" in line and token not in listing

    assert main(["apps", "revoke", "gestion-titres"]) == 0
    assert "révoqué" in capsys.readouterr().out
    with pytest.raises(openai.AuthenticationError):
        client.models.list()
    assert main(["apps", "revoke", "gestion-titres"]) == 1
    assert "déjà révoqué" in capsys.readouterr().err
    assert main(["apps", "list"]) == 0
    assert "révoquée le" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["--models", "gpt-4o", "--max-level", "interne"], 2, "modèle(s) inconnu(s) : gpt-4o"),
        (["--models", "local", "--max-level", "tres_secret"], 2, "niveau de sensibilité inconnu"),
        (["--models", "local", "--max-level", "classifie"], 2, "jamais traitées"),
        (["--models", "local", "--max-level", "interne", "--tiers", "cloud"], 2, "tier(s) inconnu"),
        (["--models", "local", "--max-level", "interne", "--rpm", "0"], 1, "entier positif"),
        (["--models", "local", "--max-level", "interne", "--daily", "-5"], 1, "entier positif"),
    ],
)
def test_add_rejects_bad_options(
    cli_env: Served,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    code: int,
    message: str,
) -> None:
    assert main(["apps", "add", "mauvaise", *arguments]) == code
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


@pytest.mark.parametrize(
    ("name", "ok"),
    [("ok-nom_1.v2", True), ("_souligne", False), ("avec espace", False), ("x" * 65, False)],
)
def test_application_names(cli_env: Served, capsys: pytest.CaptureFixture[str], name: str,
                           ok: bool) -> None:  # fmt: skip
    code = main(["apps", "add", name, "--models", "local", "--max-level", "interne"])
    assert (code == 0) is ok
    if not ok:
        assert "nom d'application invalide" in capsys.readouterr().err


def test_duplicate_name_refused(cli_env: Served, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apps", "add", "doublon", "--models", "local", "--max-level", "interne"]) == 0
    assert main(["apps", "add", "doublon", "--models", "local", "--max-level", "interne"]) == 1
    assert "existe déjà" in capsys.readouterr().err


def test_unknown_application_cannot_be_revoked(
    cli_env: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apps", "revoke", "fantome"]) == 1
    assert "application inconnue « fantome »" in capsys.readouterr().err


def test_migration_0002_creates_the_tables(gateway: Served) -> None:
    migration = importlib.import_module("egide.store.migrations.versions.0002_applications")
    assert (migration.revision, migration.down_revision) == ("0002", "0001")
    with sqlite3.connect(Path(gateway.home) / "egide.db") as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"applications", "application_usage"} <= tables
