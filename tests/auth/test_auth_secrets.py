"""Passwords, TOTP codes and recovery codes: formats, checks, and the near misses they refuse."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from egide.auth import recovery, totp
from egide.auth.passwords import (
    hash_password,
    needs_rehash,
    new_temporary_password,
    password_problem,
    verify_password,
)
from egide.auth.roles import Role, RoleError
from egide.auth.throttle import delay_after

NOW = datetime(2026, 11, 23, 8, 0, 10, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_passwords_are_argon2id_hashes_with_a_salt_each() -> None:
    first, second = hash_password("phrase de passe 2026"), hash_password("phrase de passe 2026")
    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert first != second
    assert "phrase" not in first
    assert not needs_rehash(first)


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("Café crème le matin", True),
        ("Cafe\u0301 crème le matin", True),  # decomposed "é", as some keyboards send it
        ("café crème le matin", False),
        ("Café crème le matin ", False),
        ("", False),
        ("x" * 200, False),
    ],
)
def test_password_check(typed: str, ok: bool) -> None:
    assert verify_password(hash_password("Café crème le matin"), typed) is ok


def test_a_damaged_hash_never_verifies() -> None:
    assert not verify_password("$argon2id$pas-un-hash", "mot de passe")
    assert needs_rehash("$argon2id$pas-un-hash")


@pytest.mark.parametrize(
    ("password", "confirmation", "problem"),
    [
        ("trois mots simples", "trois mots simples", None),
        ("Grenoble2026!", None, None),
        ("trois mots simples", "trois mots simple", "différents"),
        ("onze carac.", None, "au moins 12"),
        ("x" * 129, None, "au plus 128"),
        (" commence par une espace", None, "espace"),
        ("aaaaaaaaaaaaaaaa", None, "répétitif"),
        ("ababababababab", None, "répétitif"),
        ("moi c'est CMartin 2026", None, "identifiant"),
    ],
)
def test_new_password_rules(password: str, confirmation: str | None, problem: str | None) -> None:
    found = password_problem(password, login="cmartin", confirmation=confirmation)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_temporary_passwords_are_random_and_readable() -> None:
    passwords = {new_temporary_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}", password)
        assert password_problem(password, login="admin") is None


@pytest.mark.parametrize(
    ("offset_s", "accepted"),
    [(-60, False), (-30, True), (0, True), (29, True), (30, True), (60, False)],
)
def test_totp_codes_one_step_either_way(offset_s: int, accepted: bool) -> None:
    code = pyotp.TOTP(SECRET).at(NOW + timedelta(seconds=offset_s))
    step = totp.matching_step(SECRET, code, NOW, after=None)
    assert (step is not None) is accepted


def test_a_step_already_used_or_older_is_refused() -> None:
    code = pyotp.TOTP(SECRET).at(NOW)
    step = totp.matching_step(SECRET, code, NOW, after=None)
    assert step is not None
    assert totp.matching_step(SECRET, code, NOW, after=step) is None
    previous = pyotp.TOTP(SECRET).at(NOW - timedelta(seconds=30))
    assert totp.matching_step(SECRET, previous, NOW, after=step) is None
    following = pyotp.TOTP(SECRET).at(NOW + timedelta(seconds=30))
    assert totp.matching_step(SECRET, following, NOW, after=step) == step + 1


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("123456", "123456"),
        ("123 456", "123456"),
        (" 123456 ", "123456"),
        ("123\u00a0456", "123456"),
        ("12345", None),
        ("1234567", None),
        ("12345a", None),
        ("１２３４５６", None),  # full-width digits are not what the application shows
        ("", None),
    ],
)
def test_totp_code_normalisation(typed: str, normalised: str | None) -> None:
    assert totp.normalise_code(typed) == normalised


def test_enrolment_material() -> None:
    secret = totp.new_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert totp.format_secret(secret).replace(" ", "") == secret
    uri = totp.provisioning_uri(secret, "cmartin")
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    svg = totp.qr_svg(uri)
    assert svg.startswith("<svg ") and 'role="img"' in svg and "aria-label=" in svg
    assert "style=" not in svg and "<script" not in svg and "mm" not in svg.split(">", 1)[0]


def test_recovery_codes_are_random_and_hashed_per_user() -> None:
    codes = recovery.new_codes()
    assert len(codes) == len(set(codes)) == recovery.CODE_COUNT
    for code in codes:
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}", code)
    normalised = recovery.normalise_code(codes[0])
    assert normalised is not None
    digest = recovery.hash_code("utilisateur-1", normalised)
    assert (
        digest
        == hashlib.sha256(f"egide-recovery\x00utilisateur-1\x00{normalised}".encode()).hexdigest()
    )
    assert digest != recovery.hash_code("utilisateur-2", normalised)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("ABCD-EFGH-JKLM-NPQR", "ABCDEFGHJKLMNPQR"),
        ("abcd efgh jklm npqr", "ABCDEFGHJKLMNPQR"),
        ("ABCDEFGHJKLMNPQR", "ABCDEFGHJKLMNPQR"),
        ("ABCD-EFGH-JKLM-NPQ", None),  # one character short
        ("ABCD-EFGH-JKLM-NPQRS", None),
        ("ABCD-EFGH-JKLM-NPQ0", None),  # 0 and O, 1 and I are never used
        ("ABCD-EFGH-JKLM-NPQI", None),
        ("ABCD_EFGH_JKLM_NPQR", None),
    ],
)
def test_recovery_code_normalisation(typed: str, normalised: str | None) -> None:
    assert recovery.normalise_code(typed) == normalised


@pytest.mark.parametrize(
    ("failures", "threshold", "delay"),
    [
        (0, 5, 0),
        (1, 5, 1),
        (2, 5, 2),
        (3, 5, 4),
        (4, 5, 8),
        (15, 20, 0),
        (16, 20, 1),
        (19, 20, 8),
        (1, 3, 1),
        (2, 3, 2),
    ],
)
def test_growing_delay(failures: int, threshold: int, delay: int) -> None:
    assert delay_after(failures, threshold) == delay


@pytest.mark.parametrize(
    ("typed", "role"),
    [
        ("agent", Role.AGENT),
        (" Administrateur ", Role.ADMINISTRATEUR),
        ("ambassadeur", Role.AMBASSADEUR),
        ("auditeur", Role.AUDITEUR),
    ],
)
def test_roles_parse(typed: str, role: Role) -> None:
    assert Role.parse(typed) is role


@pytest.mark.parametrize("typed", ["admin", "superviseur", "", "agents"])
def test_unknown_roles_are_refused_in_french(typed: str) -> None:
    with pytest.raises(RoleError, match="rôle inconnu"):
        Role.parse(typed)
