"""A document classified « Secret » is refused when it is deposited: once, with one message, and
nothing of it is stored (issue 12: it used to be kept, then refused at the preview)."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from egide.audit import AuditLog
from egide.store.workspace import UploadRow, WorkRequestRow
from tests.support.portal import PortalHarness, csrf_of

SECRET_NOTE = (
    "SECRET\n\n"
    "Note à l'attention du préfet\n"
    "Objet : dispositif prévu pour la visite du 14 mars.\n"
    "Le détail des moyens engagés figure en annexe.\n"
)


def _rows(harness: PortalHarness) -> tuple[int, int]:
    with harness.portal.store.session() as session:
        uploads = session.scalar(select(func.count()).select_from(UploadRow))
        requests = session.scalar(select(func.count()).select_from(WorkRequestRow))
    return int(uploads or 0), int(requests or 0)


def test_a_secret_document_is_refused_at_the_door_and_not_stored(
    harness: PortalHarness,
) -> None:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    form = client.get("/espace/resumer")
    page = client.post(
        "/espace/resumer",
        data={"csrf_token": csrf_of(form), "length": "page"},
        files={"document": ("note-prefet.txt", SECRET_NOTE.encode(), "text/plain")},
    )
    text = html.unescape(page.text)
    assert page.status_code == 422 and page.url.path == "/espace/resumer"
    assert text.count("n'a pas été enregistré") == 1  # one message, at the top of the form
    assert "« note-prefet.txt » n'a pas été enregistré" in text
    assert "Les informations classifiées (Secret, Très Secret) ne sont jamais traitées" in text
    assert 'id="erreur-resume" tabindex="-1" data-egide-focus' in text
    assert 'value="page" checked' in text  # what the agent chose is kept
    assert _rows(harness) == (0, 0)
    last = list(AuditLog.open(harness.settings).events())[-1]
    assert (last.user, last.action, last.decision, last.level) == (
        "cmartin", "refusal", "refused_classified", "classifie",
    )  # fmt: skip
    assert last.extra["stage"] == "depot"


def test_a_secret_attachment_to_a_question_is_refused_too(harness: PortalHarness) -> None:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    form = client.get("/espace/discuter")
    page = client.post(
        "/espace/discuter",
        data={"csrf_token": csrf_of(form), "question": "Quels moyens sont prévus ?"},
        files=[
            ("documents", ("contexte.txt", b"Les horaires du service changent.", "text/plain")),
            ("documents", ("note-prefet.txt", SECRET_NOTE.encode(), "text/plain")),
        ],
    )
    text = html.unescape(page.text)
    assert page.status_code == 422
    assert text.count("n'a pas été enregistré") == 1
    assert "Quels moyens sont prévus ?" in text  # the question is kept for the agent
    assert _rows(harness) == (0, 0)  # the readable first document went with the refusal


def test_the_word_secret_in_prose_is_not_a_marking(harness: PortalHarness) -> None:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    form = client.get("/espace/resumer")
    prose = "Le médecin est tenu au secret médical ; le secret de l'instruction s'applique."
    page = client.post(
        "/espace/resumer",
        data={"csrf_token": csrf_of(form), "length": "court"},
        files={"document": ("note.txt", prose.encode(), "text/plain")},
    )
    assert page.url.path.startswith("/espace/demandes/")
    assert _rows(harness) == (1, 1)
