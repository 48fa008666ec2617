from pathlib import Path

import pytest

from egide.config import ConfigError, load_settings
from egide.policy.levels import Level
from egide.policy.tiers import Tier


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "egide.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_embedded_defaults_use_the_local_engine_and_sqlite_in_home(tmp_path: Path) -> None:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path)})
    assert [m.name for m in settings.models] == ["local"]
    assert settings.models[0].backend == "local"
    assert settings.database_url == f"sqlite:///{tmp_path / 'egide.db'}"


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[storage]
url = "postgresql+psycopg://egide@127.0.0.1/egide"

[[models]]
name = "interne-mistral"
tier = "interne"
backend = "openai"
base_url = "http://127.0.0.1:8001/v1"
model = "mistral-small"
api_key_env = "EGIDE_INTERNE_KEY"
max_sensitivity = "diffusion_restreinte"

[[models]]
name = "public-gpt"
tier = "externe"
backend = "openai"
base_url = "http://127.0.0.1:8002/v1"
""",
    )
    settings = load_settings(environ={"EGIDE_CONFIG": str(path)})
    assert settings.database_url.startswith("postgresql+psycopg://")
    interne, externe = settings.models
    assert interne.tier is Tier.INTERNE
    assert interne.effective_max_sensitivity is Level.DIFFUSION_RESTREINTE
    assert externe.effective_max_sensitivity is Level.INTERNE


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[storage\nurl=1", "n'est pas un fichier TOML valide"),
        ('[storage]\nurll = "x"', "storage.urll : clé inconnue"),
        ('[[models]]\nname = "a"\ntier = "interne"\nbackend = "openai"', "exige base_url"),
        ('[[models]]\nname = "a"\ntier = "galactique"\nbackend = "local"', "models.0.tier"),
        ('[[models]]\nname = "a"\ntier = "interne"\nbackend = "llama_cpp"', "exige path"),
        (
            '[[models]]\nname = "a"\ntier = "externe"\nbackend = "local"\n'
            'max_sensitivity = "personnel"',
            "la charte l'interdit",
        ),
        (
            '[[models]]\nname = "a"\ntier = "interne"\nbackend = "local"\n'
            'max_sensitivity = "tres_secret"',
            "niveau de sensibilité inconnu",
        ),
        (
            '[[models]]\nname = "a"\ntier = "interne"\nbackend = "local"\n'
            '[[models]]\nname = "a"\ntier = "interne"\nbackend = "local"',
            "noms de modèles en double",
        ),
    ],
)
def test_broken_configuration_is_loud_and_french(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, body), environ={})
    assert expected in str(error.value)
    assert "configuration" in str(error.value) or "TOML" in str(error.value)


def test_missing_file_is_an_error_not_a_silent_default(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="introuvable"):
        load_settings(tmp_path / "absent.toml", environ={})


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "egide.toml"
    path.write_bytes('[storage]\nurl = "é"'.encode("utf-16"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings(path, environ={})


def test_unknown_model_lists_the_configured_ones(tmp_path: Path) -> None:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path)})
    with pytest.raises(ConfigError, match="modèles configurés : local"):
        settings.model("chatgpt")
