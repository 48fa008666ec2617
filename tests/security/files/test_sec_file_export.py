"""A draft holding characters XML 1.0 forbids (a paste from a terminal, a model's odd output) is
exported as a clean DOCX or ODT — never a server error, never a file an office suite rejects."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egide.config import load_settings
from egide.documents import render_docx, render_odt
from egide.documents.writers import xml_safe
from egide.tasks.exporting import render_export
from tests.support.portal import PortalHarness, csrf_of

# Every C0 control but tab, line feed and carriage return, a lone surrogate, U+FFFE/U+FFFF.
HOSTILE = "".join(chr(c) for c in range(32) if c not in (9, 10, 13)) + "\ud800\ufffe\uffff"
DRAFT = f"# Objet\x0b: relance\n\nMadame,\x0cvotre dossier{HOSTILE} est complet.\x1b[31m"
# What a browser can send: UTF-8 has no lone surrogates.
TYPED = DRAFT.replace("\ud800", "")


def _xml_parts(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as package:
        return {n: package.read(n) for n in package.namelist() if n.endswith(".xml")}


def _assert_well_formed(archive: bytes) -> None:
    for name, part in _xml_parts(archive).items():
        try:
            ElementTree.fromstring(part)  # expat: strict XML 1.0
        except ElementTree.ParseError as exc:  # pragma: no cover - the failure being tested
            raise AssertionError(f"{name}: {exc}") from None


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_export_of_a_draft_with_control_characters_is_clean(fmt: str) -> None:
    data = render_export(fmt, title=f"Relance{HOSTILE}", text=DRAFT, mention="Mention\x00.")
    _assert_well_formed(data)
    body = "".join(part.decode("utf-8") for part in _xml_parts(data).values())
    assert not any(char in body for char in HOSTILE if char != "\ufffd")
    # Word's manual line and page breaks become line breaks; the text around them is kept.
    assert "votre dossier" in body and "est complet." in body and "[31m" in body


def test_docx_export_keeps_the_text_readable_by_word() -> None:
    data = render_export("docx", title="Relance", text=DRAFT, mention="Mention.")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    # The vertical tab after "# Objet" is a line break: the heading ends there.
    assert paragraphs[:4] == ["Relance", "Objet", ": relance", "Madame,\nvotre dossier"]
    assert "\ufffd est complet.[31m" in paragraphs


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x00b", "ab"),
        ("ligne\x0bsuite", "ligne\nsuite"),
        ("page\x0csuivante", "page\nsuivante"),
        ("tab\tet\r\nfin", "tab\tet\r\nfin"),
        ("\ud83d seul", "\ufffd seul"),
        ("Préfecture « ok » \u00a0€", "Préfecture « ok » \u00a0€"),
    ],
)
def test_xml_safe(raw: str, expected: str) -> None:
    assert xml_safe(raw) == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(max_size=40), body=st.lists(st.text(max_size=200), max_size=5))
def test_any_text_gives_well_formed_exports(title: str, body: list[str]) -> None:
    for render in (render_docx, render_odt):
        _assert_well_formed(render(title=title, body=body, mention=title or None, author=title))


def test_the_portal_exports_a_draft_the_agent_filled_with_control_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    harness = PortalHarness(load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")}))
    client: TestClient = harness.client()
    account = harness.add_user("cmartin")
    harness.first_sign_in(client, account)
    form = client.get("/espace/resumer")
    note = "Note d'information\n\nLe service sera fermé le lundi de Pentecôte.\n"
    preview = client.post(
        "/espace/resumer",
        data={"csrf_token": csrf_of(form), "length": "court"},
        files={"document": ("note.txt", note.encode(), "text/plain")},
    )
    send = client.post(
        preview.url.path + "/envoyer",
        data={"csrf_token": csrf_of(preview), "modele": "auto"},
        follow_redirects=False,
    )
    draft = client.get(send.headers["location"])
    saved = client.post(
        draft.url.path,
        data={"csrf_token": csrf_of(draft), "contenu": TYPED, "action": "enregistrer"},
    )
    assert saved.status_code == 200
    for fmt in ("docx", "odt"):
        exported = client.get(draft.url.path + f"/export/{fmt}")
        assert exported.status_code == 200, fmt  # before: 500 for DOCX, a broken ODT
        _assert_well_formed(exported.content)
