"""``/se-former``: the rules in short, a quiz whose completion is recorded, the ambassadeurs IA."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from egide.auth import Portal, Role, User
from egide.auth.training import Attempt, Training
from egide.web.deps import CurrentUser, PortalDep, portal_router
from egide.web.templating import render

__all__ = ["router"]

router = portal_router()


def _page(
    request: Request,
    portal: Portal,
    user: User,
    training: Training,
    *,
    attempt: Attempt | None = None,
    answers: dict[int, int | None] | None = None,
    missing: list[int] | None = None,
    status_code: int = 200,
) -> Response:
    ambassadors = [u for u in portal.users.list() if u.role is Role.AMBASSADEUR and not u.disabled]
    context = {
        "training": training,
        "attempt": attempt,
        "answers": answers or {},
        "missing": missing or [],
        "missing_message": _missing_message(missing) if missing else None,
        "missing_links": [(f"question-{i}", f"Question {i + 1}") for i in missing or []],
        "latest": portal.training_book.latest(user.id),
        "ambassadors": ambassadors,
    }
    return render(request, "se_former.html", context, status_code=status_code)


@router.get("/se-former")
def training_page(request: Request, user: CurrentUser, portal: PortalDep) -> Response:
    return _page(request, portal, user, portal.trainings.current())


def _missing_message(missing: list[int]) -> str:
    numbers = [str(index + 1) for index in missing]
    if len(numbers) == 1:
        which = f"la question {numbers[0]} est restée sans réponse"
    else:
        which = (
            f"les questions {', '.join(numbers[:-1])} et {numbers[-1]} sont restées sans réponse"
        )
    return (
        f"Répondez à toutes les questions avant de valider : {which}. Vos autres réponses sont "
        "conservées ; les réponses attendues s'affichent une fois le quiz complet."
    )


def _choice(value: object, count: int) -> int | None:
    if isinstance(value, str) and value.isdigit() and int(value) < count:
        return int(value)
    return None


@router.post("/se-former")
async def answer_quiz(request: Request, user: CurrentUser, portal: PortalDep) -> Response:
    form = await request.form()
    training = portal.trainings.current()
    answers = {
        index: _choice(form.get(f"question_{index}"), len(question.choices))
        for index, question in enumerate(training.questions)
    }
    missing = [index for index, choice in answers.items() if choice is None]
    if missing:
        # Grading an incomplete quiz would show every expected answer: refused, answers kept.
        return _page(
            request, portal, user, training, answers=answers, missing=missing, status_code=400
        )
    attempt = training.grade(answers)
    if attempt.passed:
        portal.training_book.record(user.id, training, attempt, portal.clock())
        portal.record(
            user.login,
            "training_completed",
            version=training.version,
            score=attempt.score,
            total=attempt.total,
        )
    return _page(request, portal, user, training, attempt=attempt, answers=answers)
