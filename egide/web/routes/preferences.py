"""``/espace/preferences``: what the agent writes on every letter, saved once (sealed).

The values pre-fill the fields of every template whose name or label matches (administration,
service, address, signatory…), so that a form of twenty fields asks for the few that change.
There is no identifier in the address: the profile is always the signed-in agent's own.
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from egide.store.errors import StoreError
from egide.store.profiles import MAX_VALUE, ProfileStore
from egide.web.deps import CurrentUser, WorkspaceDep, portal_router
from egide.web.forms import redirect, sentence
from egide.web.templating import render
from egide.workspace.prefill import PROFILE_FIELDS

__all__ = ["router"]

router = portal_router()
_NOTICES = {
    "enregistre": "Vos préférences sont enregistrées : elles pré-remplissent désormais les "
    "modèles de documents.",
    "efface": "Vos préférences sont effacées.",
}


def _page(
    request: Request,
    values: dict[str, str],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "fields": PROFILE_FIELDS,
        "values": values,
        "error": error,
        "max_value": MAX_VALUE,
        "message": _NOTICES.get(request.query_params.get("fait", "")),
    }
    return render(request, "preferences.html", context, status_code=status_code)


@router.get("/espace/preferences")
def preferences(request: Request, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    return _page(request, ProfileStore(workspace.store).get(user.login))


@router.post("/espace/preferences")
async def save(request: Request, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    form = await request.form()
    values = {
        f.key: str(form.get(f"pref_{f.key}", "")).replace("\r\n", "\n") for f in PROFILE_FIELDS
    }
    profiles = ProfileStore(workspace.store)
    if form.get("action") == "effacer":
        await run_in_threadpool(profiles.clear, user.login)
        return redirect("/espace/preferences?fait=efface")
    too_long = [f.label for f in PROFILE_FIELDS if len(values[f.key].strip()) > MAX_VALUE]
    if too_long:
        names = ", ".join(f"« {label} »" for label in too_long)
        error = f"{names} : {MAX_VALUE} caractères au plus. Raccourcissez, puis enregistrez."
        return _page(request, values, error=error, status_code=400)
    try:
        await run_in_threadpool(profiles.save, user.login, values)
    except StoreError as exc:
        return _page(request, values, error=sentence(str(exc)), status_code=400)
    return redirect("/espace/preferences?fait=enregistre")
