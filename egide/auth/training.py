"""The "Se former" module: the rules in short, a quiz, and each user's completion recorded.

Its text is configuration, like the charter: ``egide/auth/formation.toml`` by default, another
file with ``portal.training_path``. The file's ``version`` goes with each completion, so that a
new quiz can be told from an old one in the figures.
"""

from __future__ import annotations

import builtins
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from egide.auth.watched import WatchedFile
from egide.store.db import Store
from egide.store.errors import StoreError
from egide.store.workspace import TrainingCompletion

__all__ = [
    "DEFAULT_TRAINING_PATH",
    "Attempt",
    "Question",
    "Training",
    "TrainingBook",
    "TrainingSource",
    "parse_training",
]

DEFAULT_TRAINING_PATH = Path(__file__).resolve().parent / "formation.toml"


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    choices: tuple[str, ...]
    answer: int  # index into ``choices``, from 0
    explanation: str


@dataclass(frozen=True, slots=True)
class Attempt:
    """One answered quiz: the score, and for each question whether it was right."""

    score: int
    total: int
    correct: tuple[bool, ...]
    passed: bool


@dataclass(frozen=True, slots=True)
class Training:
    version: str
    rules: tuple[str, ...]
    questions: tuple[Question, ...]
    pass_mark: int

    def grade(self, answers: Mapping[int, int | None]) -> Attempt:
        """``answers`` maps question index to the chosen choice index (None: no answer)."""
        correct = tuple(answers.get(i) == q.answer for i, q in enumerate(self.questions))
        score = sum(correct)
        return Attempt(score, len(self.questions), correct, score >= self.pass_mark)


def _fail(source: Path, problem: str) -> StoreError:
    return StoreError(f"module de formation invalide ({source}) : {problem}")


def parse_training(text: str, source: Path = DEFAULT_TRAINING_PATH) -> Training:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(source, f"TOML invalide ({exc})") from None
    version = str(data.get("version", "")).strip()
    if not version or len(version) > 64:
        raise _fail(source, "« version » manquante ou trop longue (64 caractères au plus)")
    questions = []
    for number, item in enumerate(data.get("questions", []), start=1):
        choices = tuple(str(c) for c in item.get("choix", []))
        answer = item.get("reponse")
        if not item.get("texte") or len(choices) < 2:
            raise _fail(source, f"question {number} : « texte » et au moins deux « choix »")
        if not isinstance(answer, int) or not 1 <= answer <= len(choices):
            raise _fail(
                source, f"question {number} : « reponse » doit être entre 1 et {len(choices)}"
            )
        questions.append(
            Question(str(item["texte"]), choices, answer - 1, str(item.get("explication", "")))
        )
    if not questions:
        raise _fail(source, "aucune question")
    pass_mark = data.get("seuil", len(questions))
    if not isinstance(pass_mark, int) or not 1 <= pass_mark <= len(questions):
        raise _fail(source, f"« seuil » doit être entre 1 et {len(questions)}")
    rules = tuple(str(rule) for rule in data.get("regles", []))
    return Training(version, rules, tuple(questions), pass_mark)


class TrainingSource(WatchedFile[Training]):
    """The module's file, read again when it changes on disk (like the charter)."""

    def __init__(self, path: Path | None) -> None:
        source = Path(path) if path is not None else DEFAULT_TRAINING_PATH
        super().__init__(
            source, lambda text: parse_training(text, source), what="module de formation"
        )


class TrainingBook:
    """Completions of the quiz, per user."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def record(self, user_id: str, training: Training, attempt: Attempt, now: datetime) -> None:
        with self._store.session() as session:
            session.add(
                TrainingCompletion(
                    user_id=user_id,
                    version=training.version,
                    score=attempt.score,
                    total=attempt.total,
                    completed_at=now,
                )
            )

    def latest(self, user_id: str) -> TrainingCompletion | None:
        with self._store.session() as session:
            return session.scalars(
                select(TrainingCompletion)
                .where(TrainingCompletion.user_id == user_id)
                .order_by(TrainingCompletion.completed_at.desc())
                .limit(1)
            ).first()

    def completed_users(self) -> builtins.set[str]:
        """The users who completed the quiz, whatever its version (for aggregated figures)."""
        with self._store.session() as session:
            return set(session.scalars(select(TrainingCompletion.user_id).distinct()))
