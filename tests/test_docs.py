"""Docs that a test keeps honest: every command and every setting is documented."""

from pathlib import Path

from egide.cli import build_parser
from egide.config import (
    DocumentSettings,
    JobSettings,
    KnowledgeSettings,
    LoggingSettings,
    MetricsSettings,
    ModelSettings,
    PortalSettings,
    RetentionSettings,
    Settings,
    StorageSettings,
)

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _commands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)  # type: ignore[arg-type]


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = [name for name in _commands() if f"`egide {name}" not in text]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    keys = [f"`storage.{k}`" for k in StorageSettings.model_fields]
    keys += [f"`models[].{k}`" for k in ModelSettings.model_fields]
    keys += [f"`portal.{k}`" for k in PortalSettings.model_fields]
    keys += [f"`portal.retention.{k}`" for k in RetentionSettings.model_fields]
    keys += [f"`documents.{k}`" for k in DocumentSettings.model_fields]
    keys += [f"`jobs.{k}`" for k in JobSettings.model_fields]
    keys += [f"`metrics.{k}`" for k in MetricsSettings.model_fields]
    keys += [f"`logging.{k}`" for k in LoggingSettings.model_fields]
    keys += [f"`knowledge.{k}`" for k in KnowledgeSettings.model_fields]
    keys += [
        f"`{k}`" for k in Settings.model_fields if k not in ("storage", "models", "config_path")
    ]
    missing = [key for key in keys if key not in text]
    assert not missing, f"settings missing from docs/configuration.md: {missing}"


def test_every_test_named_in_the_security_document_exists() -> None:
    """docs/securite.md maps each finding and requirement to tests: none may be made up."""
    import re

    root = DOCS.parent
    bases = (root, root / "tests", root / "tests" / "security")
    text = (DOCS / "securite.md").read_text(encoding="utf-8")
    missing: list[str] = []
    for line in text.splitlines():
        current: Path | None = None
        for token in re.findall(r"`([^`\s]+)`", line):
            path, _, name = token.partition("::")
            if path.endswith(".py"):
                current = next((b / path for b in bases if (b / path).is_file()), None)
                if current is None:
                    missing.append(path)
                    continue
            elif path:
                continue  # a setting, a command, a code: not a test reference
            if name:
                source = current.read_text(encoding="utf-8") if current else ""
                if not re.search(rf"def {re.escape(name)}\(", source):
                    missing.append(token)
    assert not missing, f"docs/securite.md names tests that do not exist: {missing}"
