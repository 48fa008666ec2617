"""``/se-former``: the rules, the quiz graded with explanations, completions recorded."""

from __future__ import annotations

import html
import re

import pytest

from egide.audit import AuditLog
from egide.auth import Role
from egide.auth.training import DEFAULT_TRAINING_PATH, parse_training
from egide.store.errors import StoreError
from tests.support.portal import PortalHarness, csrf_of


def _answers(harness: PortalHarness, *, right: int) -> dict[str, str]:
    training = harness.portal.trainings.current()
    answers = {}
    for index, question in enumerate(training.questions):
        wrong = (question.answer + 1) % len(question.choices)
        answers[f"question_{index}"] = str(question.answer if index < right else wrong)
    return answers


def test_the_rules_the_ambassadors_and_a_failed_quiz(harness: PortalHarness) -> None:
    harness.add_user("pdurand", Role.AMBASSADEUR, display_name="Pauline Durand", service="SIDSIC")
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    page = client.get("/se-former")
    text = html.unescape(page.text)
    assert "Une donnée pseudonymisée reste une donnée personnelle" in text
    assert "Pauline Durand — SIDSIC" in text
    assert 'id="formation-suivie"' not in text
    result = client.post(
        "/se-former", data={"csrf_token": csrf_of(page), **_answers(harness, right=2)}
    )
    text = html.unescape(result.text)
    assert "2 bonnes réponses sur 6" in text and "recommencez" in text
    assert "Réponse attendue : Non : le courrier contient des données personnelles." not in text
    assert "Réponse attendue" in text
    assert harness.portal.training_book.latest(harness.portal.users.named("cmartin").id) is None


def test_a_passed_quiz_is_recorded(harness: PortalHarness) -> None:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    page = client.get("/se-former")
    result = client.post(
        "/se-former", data={"csrf_token": csrf_of(page), **_answers(harness, right=6)}
    )
    assert "Formation validée" in html.unescape(result.text)
    again = client.get("/se-former")
    assert 'id="formation-suivie"' in again.text and "6/6" in again.text
    last = list(AuditLog.open(harness.settings.home).events())[-1]
    assert last.action == "training_completed" and last.extra["score"] == 6


def test_an_incomplete_quiz_is_refused_without_revealing_any_answer(
    harness: PortalHarness,
) -> None:
    """Sending the quiz empty used to grade it, and so to show every expected answer."""
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    page = client.get("/se-former")
    result = client.post("/se-former", data={"csrf_token": csrf_of(page)})
    text = html.unescape(result.text)
    assert result.status_code == 400
    assert (
        "Répondez à toutes les questions avant de valider : les questions 1, 2, 3, 4, 5 et 6"
        in text
    )
    assert "Réponse attendue" not in text and 'id="resultat-quiz"' not in text
    assert re.search(r'id="erreur-quiz" tabindex="-1" data-egide-focus', text)  # read first

    answers = _answers(harness, right=6)
    del answers["question_0"]
    answers["question_1"] = "99"  # not one of the choices: no answer either
    result = client.post("/se-former", data={"csrf_token": csrf_of(page), **answers})
    text = html.unescape(result.text)
    assert result.status_code == 400
    assert "les questions 1 et 2 sont restées sans réponse" in text
    assert "Réponse attendue" not in text and "Bonne réponse" not in text
    # The answers given are kept, checked as the agent left them.
    assert text.count(" checked") == 4
    assert 'href="#question-0"' in text and 'id="question-1-erreur"' in text
    assert harness.portal.training_book.latest(harness.portal.users.named("cmartin").id) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('version = "1"\n', "aucune question"),
        ('[[questions]]\ntexte = "Q"\nchoix = ["a", "b"]\nreponse = 1\n', "version"),
        (
            'version = "1"\n[[questions]]\ntexte = "Q"\nchoix = ["a", "b"]\nreponse = 3\n',
            "entre 1 et 2",
        ),
        (
            'version = "1"\nseuil = 4\n[[questions]]\ntexte = "Q"\nchoix = ["a", "b"]\nreponse = 1\n',
            "seuil",
        ),
        ("version = [", "TOML invalide"),
    ],
)
def test_a_broken_training_file_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(StoreError, match=problem):
        parse_training(text)


def test_the_shipped_training_file_is_valid() -> None:
    training = parse_training(DEFAULT_TRAINING_PATH.read_text(encoding="utf-8"))
    assert len(training.questions) == 6 and training.pass_mark == 5
