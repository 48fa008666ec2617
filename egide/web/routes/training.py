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
    status_code: int = 200,
) -> Response:
    ambassadors = [u for u in portal.users.list() if u.role is Role.AMBASSADEUR and not u.disabled]
    context = {
        "training": training,
        "attempt": attempt,
        "answers": answers or {},
        "latest": portal.training_book.latest(user.id),
        "ambassadors": ambassadors,
    }
    return render(request, "se_former.html", context, status_code=status_code)


@router.get("/se-former")
def training_page(request: Request, user: CurrentUser, portal: PortalDep) -> Response:
    return _page(request, portal, user, portal.trainings.current())


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
