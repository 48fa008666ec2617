"""The vault: placeholders per label, consistent keys, sealing and key management."""

from __future__ import annotations

import base64
import itertools
import os
import stat
import string
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from egide.guard.findings import PERSONAL_LABELS
from egide.guard.vault import (
    KEY_ENV,
    PLACEHOLDER_NAMES,
    Vault,
    VaultError,
    load_or_create_key,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))

# Fictitious identifiers with valid check keys.
NIR = "1 85 05 78 006 084 91"
NIR_CORSICA_A = "1 85 05 2A 123 456 33"
NIR_CORSICA_B = "1 85 05 2B 123 456 60"
IBAN = "FR76 3000 6000 0112 3456 7890 189"
SIRET = "732 829 320 00074"


@pytest.mark.parametrize(
    ("label", "value", "expected"),
    [
        ("PERSON", "Jean DUPONT", "[PERSONNE_1]"),
        ("NIR", NIR, "[NIR_1]"),
        ("ADDRESS", "12 rue des Lilas, 75011 Paris", "[ADRESSE_1]"),
        ("PHONE", "06 12 34 56 78", "[TELEPHONE_1]"),
        ("EMAIL", "jean.dupont@exemple.fr", "[COURRIEL_1]"),
        ("IBAN", IBAN, "[IBAN_1]"),
        ("SIRET", SIRET, "[SIRET_1]"),
        ("SIREN", "732 829 320", "[SIREN_1]"),
        ("LOCATION", "Besançon", "[LIEU_1]"),
        ("BIRTH_DATE", "12/03/1985", "[DATE_NAISSANCE_1]"),
        ("PLATE", "AB-123-CD", "[PLAQUE_1]"),
        ("TAX_ID", "30 23 456 789 012", "[NUMERO_FISCAL_1]"),
        ("ID_CARD", "880692310285", "[CNI_1]"),
        ("PASSPORT", "12AB34567", "[PASSEPORT_1]"),
        ("AGDREF", "7501234567", "[AGDREF_1]"),
        ("CAF", "1234567", "[CAF_1]"),
        ("SOMETHING_NEW", "valeur", "[DONNEE_1]"),
    ],
)
def test_first_placeholder_per_label(label: str, value: str, expected: str) -> None:
    vault = Vault()
    assert vault.placeholder_for(label, value) == expected
    assert vault.original(expected) == value
    assert vault.label(expected) == label


def test_every_personal_label_has_a_french_name() -> None:
    assert set(PLACEHOLDER_NAMES) == set(PERSONAL_LABELS)
    assert "DONNEE" not in PLACEHOLDER_NAMES.values()


def test_counters_are_per_label_and_follow_first_appearance() -> None:
    vault = Vault()
    seen = [
        vault.placeholder_for(label, value)
        for label, value in [
            ("PERSON", "Jean DUPONT"),
            ("PHONE", "06 12 34 56 78"),
            ("PERSON", "Awa DIALLO"),
            ("PERSON", "Jean DUPONT"),
            ("PHONE", "01 23 45 67 89"),
            ("MISC_A", "a"),
            ("MISC_B", "b"),
        ]
    ]
    assert seen == [
        "[PERSONNE_1]",
        "[TELEPHONE_1]",
        "[PERSONNE_2]",
        "[PERSONNE_1]",
        "[TELEPHONE_2]",
        "[DONNEE_1]",
        "[DONNEE_2]",
    ]
    assert len(vault) == 6


@pytest.mark.parametrize(
    ("label", "first", "second"),
    [
        ("PERSON", "M. DUPONT", "Jean Dupont"),
        ("PERSON", "Jean Dupont", "Monsieur Jean DUPONT"),
        ("PERSON", "Mme Lefèvre", "Claire LEFEVRE"),
        ("NIR", NIR, NIR.replace(" ", "")),
        ("IBAN", IBAN, IBAN.replace(" ", "").lower()),
        ("SIRET", SIRET, SIRET.replace(" ", "")),
        ("PHONE", "06 12 34 56 78", "06.12.34.56.78"),
        ("PHONE", "06 12 34 56 78", "+33 6 12 34 56 78"),
        ("PHONE", "01 23 45 67 89", "0033 (0)1 23 45 67 89"),
        ("EMAIL", "Jean.Dupont@Exemple.fr", "jean.dupont@exemple.fr"),
        ("ADDRESS", "12 rue des Lilas", "12  RUE DES LILAS"),
        ("PLATE", "AB-123-CD", "ab 123 cd"),
    ],
)
def test_same_value_written_differently_gets_one_placeholder(
    label: str, first: str, second: str
) -> None:
    vault = Vault()
    assert vault.placeholder_for(label, first) == vault.placeholder_for(label, second)
    assert len(vault) == 1


@pytest.mark.parametrize(
    ("label", "first", "second"),
    [
        ("PERSON", "Jean DUPONT", "Awa DIALLO"),
        ("NIR", NIR_CORSICA_A, NIR_CORSICA_B),  # 2A and 2B are two départements
        ("PHONE", "06 12 34 56 78", "06 12 34 56 79"),
        ("PHONE", "06 12 34 56 78", "+262 6 12 34 56 78"),  # La Réunion, not metropolitan
        ("EMAIL", "jean.dupont@exemple.fr", "jean.dupond@exemple.fr"),
        ("SIRET", SIRET, "732 829 320 00082"),
    ],
)
def test_different_values_get_different_placeholders(label: str, first: str, second: str) -> None:
    vault = Vault()
    assert vault.placeholder_for(label, first) != vault.placeholder_for(label, second)


@pytest.mark.parametrize(
    ("mentions", "placeholders"),
    [
        (["Jean DUPONT", "Marie DUPONT"], [1, 2]),
        (["M. DUPONT", "Jean Dupont", "Marie Dupont", "M. DUPONT"], [1, 1, 2, 1]),
        # A surname alone after two namesakes: its own placeholder, never a guess; full names
        # still find their person afterwards.
        (["Jean DUPONT", "Marie DUPONT", "M. DUPONT", "Monsieur Jean DUPONT"], [1, 2, 3, 1]),
        (["Jean DUPONT", "Marie DUPONT", "M. DUPONT", "Paul DUPONT"], [1, 2, 3, 4]),
        (["J. Dupont", "Jacques Dupont", "Jean Dupont"], [1, 1, 2]),
        (["Jean Dupont", "J. Dupont"], [1, 1]),
        (["DUPONT Jean", "Jean DUPONT", "Jean Dupond"], [1, 1, 2]),
        (["Awa DIALLO", "Jean DUPONT", "Mme DIALLO", "Monsieur DUPONT"], [1, 2, 1, 2]),
        # "M." and "Mme" are two people, and each later mention finds the right one.
        (["M. DUPONT", "Mme DUPONT", "Monsieur DUPONT", "Madame Claire DUPONT"], [1, 2, 1, 2]),
        (["Monsieur Jean DUPONT", "Mme DUPONT", "Jean DUPONT", "Madame DUPONT"], [1, 2, 1, 2]),
        (["Jean DUPONT", "Mme DUPONT"], [1, 1]),  # nothing says Jean is not Madame
    ],
)
def test_persons_are_linked_by_surname_and_compatible_given_names(
    mentions: list[str], placeholders: list[int]
) -> None:
    vault = Vault()
    got = [vault.placeholder_for("PERSON", mention) for mention in mentions]
    assert got == [f"[PERSONNE_{n}]" for n in placeholders]


def test_thousands_of_namesakes_are_linked_in_linear_time() -> None:
    # Distinct given names all starting with "A": only an index on the full given name keeps
    # this from comparing every pair (4.5 million comparisons).
    given = ["A" + "".join(t) for t in itertools.product(string.ascii_lowercase, repeat=3)]
    given = given[:3000]
    vault = Vault()
    begin = time.perf_counter()
    first = [vault.placeholder_for("PERSON", f"{name} MARTIN") for name in given]
    again = [vault.placeholder_for("PERSON", f"Monsieur {name} MARTIN") for name in given]
    assert time.perf_counter() - begin < 10  # about 0.5 s
    assert len(set(first)) == 3000
    assert again == first
    assert vault.placeholder_for("PERSON", "M. MARTIN") == "[PERSONNE_3001]"


def test_surname_alone_among_namesakes_restores_as_written() -> None:
    vault = Vault()
    for mention in ["Jean DUPONT", "Marie DUPONT", "Mme DUPONT"]:
        vault.placeholder_for("PERSON", mention)
    assert [vault.original(f"[PERSONNE_{n}]") for n in (1, 2, 3)] == [
        "Jean DUPONT",
        "Marie DUPONT",
        "Mme DUPONT",
    ]


def test_same_text_under_two_labels_gets_two_placeholders() -> None:
    vault = Vault()
    assert vault.placeholder_for("LOCATION", "Jourdain") == "[LIEU_1]"
    assert vault.placeholder_for("PERSON", "Jourdain") == "[PERSONNE_1]"


@pytest.mark.parametrize(
    ("mentions", "restored"),
    [
        (["M. DUPONT", "Jean DUPONT"], "Jean DUPONT"),
        (["Jean Dupont", "Monsieur Jean DUPONT", "M. DUPONT"], "Jean Dupont"),
        (["Monsieur Jean DUPONT", "M. DUPONT"], "Monsieur Jean DUPONT"),
        (["J. Dupont", "Jean Dupont"], "Jean Dupont"),
        (["Jean Dupont", "J. Dupont"], "Jean Dupont"),
        (["DUPONT", "Jean-Marc DUPONT"], "Jean-Marc DUPONT"),
    ],
)
def test_person_restores_to_its_fullest_form(mentions: list[str], restored: str) -> None:
    vault = Vault()
    placeholders = {vault.placeholder_for("PERSON", mention) for mention in mentions}
    assert placeholders == {"[PERSONNE_1]"}
    assert vault.original("[PERSONNE_1]") == restored


@pytest.mark.parametrize(
    ("label", "mentions"),
    [
        ("PHONE", ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78"]),
        ("EMAIL", ["Jean.Dupont@exemple.fr", "jean.dupont@exemple.fr"]),
        ("IBAN", [IBAN.replace(" ", ""), IBAN]),
    ],
)
def test_other_labels_restore_to_the_first_form_seen(label: str, mentions: list[str]) -> None:
    vault = Vault()
    placeholder = {vault.placeholder_for(label, mention) for mention in mentions}.pop()
    assert vault.original(placeholder) == mentions[0]


def test_unknown_placeholder_has_no_original() -> None:
    vault = Vault()
    vault.placeholder_for("PERSON", "Jean DUPONT")
    assert vault.original("[PERSONNE_2]") is None
    assert vault.original("PERSONNE_1") is None
    assert "[PERSONNE_1]" in vault and "[PERSONNE_2]" not in vault


def test_repr_never_shows_a_value() -> None:
    vault = Vault()
    vault.placeholder_for("PERSON", "Jean DUPONT")
    assert "DUPONT" not in repr(vault)


def _filled_vault() -> Vault:
    vault = Vault()
    vault.placeholder_for("PERSON", "M. DUPONT")
    vault.placeholder_for("PERSON", "Jean DUPONT")
    vault.placeholder_for("PERSON", "Awa DIALLO")
    vault.placeholder_for("NIR", NIR)
    vault.placeholder_for("EMAIL", "jean.dupont@exemple.fr")
    vault.placeholder_for("LOCATION", "Besançon")
    return vault


def test_seal_unseal_round_trip_keeps_mapping_and_numbering() -> None:
    vault = _filled_vault()
    opened = Vault.unseal(vault.seal(KEY), KEY)
    assert list(opened) == list(vault)
    for placeholder in vault:
        assert opened.original(placeholder) == vault.original(placeholder)
        assert opened.label(placeholder) == vault.label(placeholder)
    # The conversation goes on: known values keep their placeholder, new ones continue.
    assert opened.placeholder_for("PERSON", "Monsieur DUPONT") == "[PERSONNE_1]"
    assert opened.placeholder_for("PERSON", "Jean Dupont") == "[PERSONNE_1]"
    assert opened.placeholder_for("PERSON", "Marie Dupont") == "[PERSONNE_3]"
    assert opened.placeholder_for("PERSON", "Mme DUPONT") == "[PERSONNE_3]"  # "M." kept
    assert opened.placeholder_for("PERSON", "Léa MARTIN") == "[PERSONNE_4]"
    assert opened.placeholder_for("NIR", NIR.replace(" ", "")) == "[NIR_1]"


def test_sealed_blob_holds_no_clear_value_and_never_repeats() -> None:
    vault = _filled_vault()
    first, second = vault.seal(KEY), vault.seal(KEY)
    assert first != second  # fresh nonce each time
    for clear in (b"DUPONT", b"DIALLO", b"exemple.fr", b"PERSONNE", "Besançon".encode()):
        assert clear not in first


def test_empty_vault_round_trip() -> None:
    assert len(Vault.unseal(Vault().seal(KEY), KEY)) == 0


def _flip(blob: bytes, index: int) -> bytes:
    altered = bytearray(blob)
    altered[index] ^= 0x01
    return bytes(altered)


@pytest.mark.parametrize(
    ("alter", "message"),
    [
        (lambda blob: blob, "clé incorrecte ou fichier altéré"),  # opened with the wrong key
        (lambda blob: _flip(blob, 5), "clé incorrecte ou fichier altéré"),  # nonce
        (lambda blob: _flip(blob, 20), "clé incorrecte ou fichier altéré"),  # ciphertext
        (lambda blob: _flip(blob, len(blob) - 1), "clé incorrecte ou fichier altéré"),  # tag
        (lambda blob: blob[:-1], "clé incorrecte ou fichier altéré"),  # truncated
        (lambda blob: blob + b"\x00", "clé incorrecte ou fichier altéré"),  # extended
        (lambda blob: blob[:10], "clé incorrecte ou fichier altéré"),
        (lambda blob: _flip(blob, 0), "ce n'est pas un coffre Égide"),  # format tag
        (lambda blob: b"", "ce n'est pas un coffre Égide"),
    ],
)
def test_wrong_key_or_altered_blob_is_refused_in_french(
    alter: Callable[[bytes], bytes], message: str
) -> None:
    blob = _filled_vault().seal(KEY)
    altered = alter(blob)
    key = OTHER_KEY if altered == blob else KEY
    with pytest.raises(VaultError, match=f"coffre illisible : {message}"):
        Vault.unseal(altered, key)


def test_blob_only_opens_in_its_own_conversation() -> None:
    blob = _filled_vault().seal(KEY, context="conversation-42")
    assert len(Vault.unseal(blob, KEY, context="conversation-42")) == 5
    with pytest.raises(VaultError, match="clé incorrecte ou fichier altéré"):
        Vault.unseal(blob, KEY, context="conversation-43")
    with pytest.raises(VaultError, match="clé incorrecte ou fichier altéré"):
        Vault.unseal(blob, KEY)


@pytest.mark.parametrize("key", [b"", bytes(16), bytes(33)])
def test_key_of_wrong_size_is_refused(key: bytes) -> None:
    with pytest.raises(VaultError, match="32 octets attendus"):
        Vault().seal(key)
    with pytest.raises(VaultError, match="32 octets attendus"):
        Vault.unseal(Vault().seal(KEY), key)


# --- Key management --------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="droits POSIX")
def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path, environ={})
    path = tmp_path / "keys" / "vault.key"
    assert len(key) == 32
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert base64.urlsafe_b64decode(path.read_text().strip()) == key
    assert load_or_create_key(tmp_path, environ={}) == key
    assert [p.name for p in path.parent.iterdir()] == ["vault.key"]  # no temporary file left


def test_two_homes_get_two_random_keys(tmp_path: Path) -> None:
    first = load_or_create_key(tmp_path / "a", environ={})
    second = load_or_create_key(tmp_path / "b", environ={})
    assert first != second


def test_key_from_environment_wins_and_writes_nothing(tmp_path: Path) -> None:
    encoded = base64.urlsafe_b64encode(OTHER_KEY).decode()
    assert load_or_create_key(tmp_path, environ={KEY_ENV: encoded}) == OTHER_KEY
    assert load_or_create_key(tmp_path, environ={KEY_ENV: encoded.rstrip("=")}) == OTHER_KEY
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize(
    "value",
    [
        base64.urlsafe_b64encode(bytes(16)).decode(),  # AES-128: too short
        base64.urlsafe_b64encode(bytes(64)).decode(),
        "pas de la base64 !",
        "0123456789abcdef0123456789abcdef",  # 32 characters are not 32 bytes
    ],
)
def test_bad_key_in_environment_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(VaultError, match=f"clé invalide \\({KEY_ENV}\\)"):
        load_or_create_key(tmp_path, environ={KEY_ENV: value})


@pytest.mark.skipif(os.name != "posix", reason="droits POSIX")
def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    load_or_create_key(tmp_path, environ={})
    path = tmp_path / "keys" / "vault.key"
    path.chmod(0o644)
    with pytest.raises(VaultError, match="chmod 600"):
        load_or_create_key(tmp_path, environ={})


@pytest.mark.parametrize("content", [b"abc\n", b"", b"\xff\xfe" * 22])
def test_corrupt_key_file_is_refused(tmp_path: Path, content: bytes) -> None:
    load_or_create_key(tmp_path, environ={})
    path = tmp_path / "keys" / "vault.key"
    path.write_bytes(content)
    with pytest.raises(VaultError, match="clé invalide"):
        load_or_create_key(tmp_path, environ={})


def test_missing_key_is_an_error_when_creation_is_not_allowed(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="clé introuvable"):
        load_or_create_key(tmp_path, create=False, environ={})
    assert not (tmp_path / "keys" / "vault.key").exists()
    created = load_or_create_key(tmp_path, environ={})
    assert load_or_create_key(tmp_path, create=False, environ={}) == created


def test_sealed_with_the_stored_key_opens_with_it_again(tmp_path: Path) -> None:
    blob = _filled_vault().seal(load_or_create_key(tmp_path, environ={}))
    assert len(Vault.unseal(blob, load_or_create_key(tmp_path, environ={}))) == 5
