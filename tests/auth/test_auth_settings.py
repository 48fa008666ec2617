"""The ``[portal]`` section: defaults, values from the file, French errors on bad values."""

from pathlib import Path

import pytest

from egide.config import ConfigError, load_settings


def test_defaults(tmp_path: Path) -> None:
    portal = load_settings(environ={"EGIDE_HOME": str(tmp_path)}).portal
    assert (portal.session_idle_minutes, portal.session_absolute_hours) == (30, 12)
    assert (portal.lockout_failures, portal.lockout_minutes, portal.ip_lockout_failures) == (
        5, 15, 20,
    )  # fmt: skip
    assert portal.charter_path is None and portal.retention_days == 30
    assert portal.behind_tls is False and portal.max_upload_bytes == 20 * 1024 * 1024
    assert portal.trusted_proxies == ()  # no forwarding header believed by default


def test_values_from_the_file(tmp_path: Path) -> None:
    config = tmp_path / "egide.toml"
    config.write_text(
        "[portal]\nsession_idle_minutes = 10\nbehind_tls = true\nmax_upload_bytes = 1048576\n",
        encoding="utf-8",
    )
    portal = load_settings(config, environ={"EGIDE_HOME": str(tmp_path)}).portal
    assert (portal.session_idle_minutes, portal.behind_tls, portal.max_upload_bytes) == (
        10, True, 1048576,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("session_idle_minutes = 0", "portal.session_idle_minutes : valeur trop petite"),
        ("lockout_failures = 1000", "portal.lockout_failures : valeur trop grande"),
        ('behind_tls = "oui"', "portal.behind_tls : true ou false est attendu"),
        ("session_timeout = 5", "portal.session_timeout : clé inconnue"),
        ("max_upload_bytes = 10", "portal.max_upload_bytes : valeur trop petite"),
    ],
)
def test_bad_values_stop_with_a_french_message(tmp_path: Path, line: str, message: str) -> None:
    config = tmp_path / "egide.toml"
    config.write_text(f"[portal]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(config, environ={"EGIDE_HOME": str(tmp_path)})


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('[portal]\ntrusted_proxies = ["*"]', "portal.trusted_proxies : « \\* » n'est ni"),
        ('[portal]\ntrusted_proxies = ["proxy.local"]', "ni une adresse IP ni un réseau"),
        ('[portal.oidc]\nlogin_claim = "email"', "login_claim n'existe plus"),
        ('[portal.oidc]\nemail_domains = ["gouv fr"]', "domaine invalide « gouv fr »"),
    ],
)
def test_unsafe_proxy_and_provider_settings_stop_with_a_french_message(
    tmp_path: Path, section: str, message: str
) -> None:
    config = tmp_path / "egide.toml"
    oidc = 'issuer = "https://fournisseur.invalid"\nclient_id = "egide"\nrequired_acr = ["e"]\n'
    text = section + "\n" + (oidc if "[portal.oidc]" in section else "")
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(config, environ={"EGIDE_HOME": str(tmp_path)})


def test_proxies_are_kept_as_networks(tmp_path: Path) -> None:
    config = tmp_path / "egide.toml"
    config.write_text('[portal]\ntrusted_proxies = ["10.0.0.5", "10.1.0.0/24", "::1"]\n', "utf-8")
    portal = load_settings(config, environ={"EGIDE_HOME": str(tmp_path)}).portal
    assert portal.trusted_proxies == ("10.0.0.5/32", "10.1.0.0/24", "::1/128")
