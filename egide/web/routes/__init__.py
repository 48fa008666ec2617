"""The portal's pages, one router per resource."""

from egide.web.routes.account import router as account_router
from egide.web.routes.account_changes import router as account_changes_router
from egide.web.routes.admin import router as admin_router
from egide.web.routes.admin_import import router as admin_import_router
from egide.web.routes.answers import router as answers_router
from egide.web.routes.audit import router as audit_router
from egide.web.routes.batches import router as batches_router
from egide.web.routes.charter import router as charter_router
from egide.web.routes.conversations import router as conversations_router
from egide.web.routes.dashboard import router as dashboard_router
from egide.web.routes.drafts import router as drafts_router
from egide.web.routes.knowledge import router as knowledge_router
from egide.web.routes.my_data import router as my_data_router
from egide.web.routes.oidc import router as oidc_router
from egide.web.routes.preferences import router as preferences_router
from egide.web.routes.replies import router as replies_router
from egide.web.routes.requests import router as requests_router
from egide.web.routes.second_factor import router as second_factor_router
from egide.web.routes.signin import router as signin_router
from egide.web.routes.signin import steps_router
from egide.web.routes.signout import router as signout_router
from egide.web.routes.tasks import router as tasks_router
from egide.web.routes.templates_admin import router as templates_admin_router
from egide.web.routes.training import router as training_router
from egide.web.routes.workspace import router as workspace_router

__all__ = ["PORTAL_ROUTERS"]

PORTAL_ROUTERS = (
    signin_router,
    oidc_router,
    steps_router,
    second_factor_router,
    account_changes_router,
    account_router,
    my_data_router,
    charter_router,
    workspace_router,
    tasks_router,
    knowledge_router,
    conversations_router,
    answers_router,
    replies_router,
    preferences_router,
    requests_router,
    drafts_router,
    batches_router,
    training_router,
    dashboard_router,
    signout_router,
    admin_router,
    admin_import_router,
    templates_admin_router,
    audit_router,
)
