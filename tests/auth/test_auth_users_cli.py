"""``egide users …`` through the real entry point, and the first administrator of ``egide serve``."""

import re
from pathlib import Path

import pytest

from egide.auth import FIRST_ADMIN_LOGIN, Role, UserStore
from egide.auth.passwords import verify_password
from egide.cli import main
from egide.config import load_settings
from egide.store import open_store
from egide.store.accounts import UserAccount

TEMPORARY = re.compile(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}")


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)


def _users() -> UserStore:
    return UserStore(open_store(load_settings()))


def test_add_prints_a_one_time_password_that_is_stored_hashed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["users", "add", "cmartin", "--role", "agent", "--name", "Claire Martin",
         "--service", "Bureau des étrangers"]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0
    password = captured.out.strip()
    assert TEMPORARY.fullmatch(password)
    assert "affiché une seule fois" in captured.err
    assert "double authentification" in captured.err
    user = _users().named("cmartin")
    assert (user.display_name, user.service, user.role) == (
        "Claire Martin", "Bureau des étrangers", Role.AGENT,
    )  # fmt: skip
    assert user.must_change_password and not user.totp_enrolled
    store = open_store(load_settings())
    with store.session() as session:
        row = session.get(UserAccount, user.id)
        assert row is not None
        assert row.password_hash.startswith("$argon2id$")
        assert verify_password(row.password_hash, password)


@pytest.mark.parametrize(
    ("argv", "exit_code", "message"),
    [
        (["users", "add", "cmartin", "--role", "chef"], 2, "rôle inconnu « chef »"),
        (["users", "add", "C Martin", "--role", "agent"], 1, "identifiant invalide"),
        (["users", "add", "é", "--role", "agent"], 1, "identifiant invalide"),
        (["users", "disable", "personne"], 1, "utilisateur inconnu « personne »"),
        (["users", "set-role", "personne", "agent"], 1, "utilisateur inconnu"),
        (["users", "reset-totp", "personne"], 1, "utilisateur inconnu"),
    ],
)
def test_mistakes_are_explained_in_french(
    capsys: pytest.CaptureFixture[str], argv: list[str], exit_code: int, message: str
) -> None:
    assert main(argv) == exit_code
    assert message in capsys.readouterr().err


def test_a_login_is_taken_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "add", "cmartin", "--role", "agent"]) == 0
    assert main(["users", "add", "CMartin", "--role", "auditeur"]) == 1
    assert "existe déjà" in capsys.readouterr().err


def test_list_set_role_disable_enable_and_resets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "list"]) == 0
    assert "Aucun compte" in capsys.readouterr().out
    main(["users", "add", "cmartin", "--role", "agent", "--name", "Claire Martin"])
    main(["users", "add", "LPetit", "--role", "auditeur"])
    capsys.readouterr()

    assert main(["users", "set-role", "cmartin", "ambassadeur"]) == 0
    assert "Ambassadeur IA" in capsys.readouterr().out
    assert main(["users", "disable", "lpetit"]) == 0
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:5] == [
        "cmartin", "ambassadeur", "Claire Martin", "—", "mot de passe temporaire",
    ]  # fmt: skip
    # The login as the administrator typed it (sign-in ignores case).
    assert lines[1].split("\t")[:2] == ["LPetit", "auditeur"]
    assert lines[1].split("\t")[4] == "désactivé"
    assert "argon2" not in "\n".join(lines)

    assert main(["users", "enable", "lpetit"]) == 0
    assert not _users().named("lpetit").disabled
    assert main(["users", "reset-totp", "cmartin"]) == 0
    assert "nouvelle" in capsys.readouterr().out
    assert main(["users", "reset-password", "cmartin"]) == 0
    assert TEMPORARY.fullmatch(capsys.readouterr().out.strip())


def test_the_first_start_creates_one_administrator_only() -> None:
    store = _users()
    password = store.ensure_first_admin()
    assert password is not None and TEMPORARY.fullmatch(password)
    admin = store.named(FIRST_ADMIN_LOGIN)
    assert admin.role is Role.ADMINISTRATEUR and admin.must_change_password
    assert store.ensure_first_admin() is None
    assert [user.login for user in store.list()] == [FIRST_ADMIN_LOGIN]


def test_no_administrator_is_created_when_accounts_exist() -> None:
    main(["users", "add", "cmartin", "--role", "administrateur"])
    assert _users().ensure_first_admin() is None
    assert [user.login for user in _users().list()] == ["cmartin"]
