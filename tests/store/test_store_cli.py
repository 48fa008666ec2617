"""``egide drafts`` and ``egide validate``, run in-process through the real entry point."""

from pathlib import Path

import pytest

from egide.cli import main
from egide.config import load_settings
from egide.store import DraftStore, open_store


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EGIDE_USER", "cmartin")


def _seed(
    owner: str, title: str, content: str, task: str = "summarize", model: str = "local"
) -> str:
    with open_store(load_settings()) as store:
        return DraftStore(store).create(owner, task, model, "interne", "public", title, content).id


def _stored(draft_id: str, owner: str = "cmartin") -> tuple[str, str | None]:
    with open_store(load_settings()) as store:
        record = DraftStore(store).get(draft_id, owner=owner)
    return record.status.value, record.validated_by


def test_drafts_lists_only_the_current_users(capsys: pytest.CaptureFixture[str]) -> None:
    mine = _seed("cmartin", "Synthèse [bold]réunion[/bold]", "Compte rendu.")
    theirs = _seed("pdurand", "Note de Paul", "Privé.")
    assert main(["drafts"]) == 0
    out = capsys.readouterr().out
    assert mine[:8] in out and "résumé" in out and "brouillon" in out
    assert "[bold]réunion[/bold]" in out  # titles are text, never markup
    assert theirs[:8] not in out and "Note de Paul" not in out


@pytest.mark.parametrize(
    ("search", "found"),
    [("reunion", True), ("COMPTE RENDU", True), ("comptes rendus", False), ("Paul", False)],
)
def test_drafts_search(capsys: pytest.CaptureFixture[str], search: str, found: bool) -> None:
    mine = _seed("cmartin", "Synthèse réunion", "Compte rendu.")
    _seed("pdurand", "Note de Paul", "Privé.")
    assert main(["drafts", "--search", search]) == 0
    out = capsys.readouterr().out
    assert (mine[:8] in out) is found
    assert ("Aucun brouillon ne contient" in out) is not found


def test_drafts_when_there_are_none(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drafts"]) == 0
    assert "Aucun brouillon." in capsys.readouterr().out


@pytest.mark.parametrize("length", [8, 36])
@pytest.mark.parametrize(
    ("model", "mention"),
    [
        # The built-in engine quotes and fills templates: no « IA » claimed for it.
        ("local", "Brouillon préparé avec le moteur intégré d'Égide (extraits de documents"),
        # A model no longer configured is taken for a generative one.
        ("albert-large", "Brouillon préparé avec l'assistance d'une IA — non validé."),
    ],
)
def test_drafts_show(
    capsys: pytest.CaptureFixture[str], length: int, model: str, mention: str
) -> None:
    draft_id = _seed("cmartin", "Réponse", "Madame,\n\nvotre demande est complète.", model=model)
    assert main(["drafts", "show", draft_id[:length]]) == 0
    captured = capsys.readouterr()
    assert captured.out == "Madame,\n\nvotre demande est complète.\n"
    assert f"Réponse — brouillon — {mention}" in captured.err


@pytest.mark.parametrize(
    ("extra", "expected_by"), [([], "cmartin"), (["--by", "Camille Martin"], "Camille Martin")]
)
def test_validate(capsys: pytest.CaptureFixture[str], extra: list[str], expected_by: str) -> None:
    draft_id = _seed("cmartin", "Arrêté", "Texte de l'arrêté.")
    assert main(["validate", draft_id[:8], *extra]) == 0
    out = capsys.readouterr().out
    assert f"relu et validé par {expected_by} le " in out
    assert _stored(draft_id) == ("valide", expected_by)
    assert main(["validate", draft_id]) == 1
    assert "déjà été validé le " in capsys.readouterr().err
    assert _stored(draft_id) == ("valide", expected_by)


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "{other}"],
        ["validate", "{other_short}"],
        ["validate", "0b6c1f2e-5d0e-4c1f-9a53-3b8e2c1d7f40"],
        ["drafts", "show", "{other}"],
        ["drafts", "show", "inconnu"],
    ],
)
def test_unknown_or_foreign_id_exits_1(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    other = _seed("pdurand", "Note de Paul", "Privé.")
    argv = [a.format(other=other, other_short=other[:8]) for a in argv]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "egide : erreur : brouillon introuvable : " in captured.err
    assert "Privé." not in captured.out + captured.err
    assert _stored(other, owner="pdurand") == ("brouillon", None)


def test_a_wrong_key_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed("cmartin", "Note", "Texte.")
    monkeypatch.setenv("EGIDE_STORE_KEY", "A" * 43)
    assert main(["drafts"]) == 1
    assert "n'est pas celle qui a chiffré cette base" in capsys.readouterr().err


def test_purge_applies_the_retention_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from egide.cli import main
    from egide.config import load_settings
    from egide.store import DraftStore, open_store
    from egide.store.models import Draft

    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    settings = load_settings()
    with open_store(settings) as store:
        drafts = DraftStore(store)
        old = drafts.create(
            owner="a",
            task="chat",
            model="local",
            tier="interne",
            level="interne",
            title="ancien",
            content="x",
        )
        drafts.create(
            owner="b",
            task="chat",
            model="local",
            tier="interne",
            level="interne",
            title="récent",
            content="y",
        )
        with store.session() as session:
            record = session.get(Draft, old.id)
            assert record is not None
            record.created_at = datetime.now(UTC) - timedelta(days=31)
    assert main(["drafts", "purge"]) == 0
    assert "1 brouillon(s) de plus de 30 jours supprimé(s)" in capsys.readouterr().out
    assert main(["drafts", "purge", "--days", "1"]) == 0
    assert "0 brouillon(s)" in capsys.readouterr().out


def test_serve_applies_the_configured_retention(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from egide.cli.serve import apply_retention
    from egide.store.models import Draft

    config = tmp_path / "egide.toml"
    config.write_text("[portal]\nretention_days = 7\n", encoding="utf-8")
    settings = load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})
    with open_store(settings) as store:
        drafts = DraftStore(store)
        fields = {"task": "chat", "model": "local", "tier": "interne", "level": "interne"}
        old = drafts.create(owner="a", title="ancien", content="x", **fields)
        drafts.create(owner="b", title="récent", content="y", **fields)
        with store.session() as session:
            record = session.get(Draft, old.id)
            assert record is not None
            record.created_at = datetime.now(UTC) - timedelta(days=8)
    assert apply_retention(settings)["brouillons"] == 1
    assert apply_retention(settings) == {
        "brouillons": 0,
        "demandes": 0,
        "conversations": 0,
        "travaux répétitifs": 0,
        "documents": 0,
    }
