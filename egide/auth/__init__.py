"""Who may use the portal: accounts, argon2id passwords, mandatory TOTP, sessions, roles, charter.

``Portal`` (:mod:`egide.auth.service`) ties them together for the web pages; ``UserStore`` is
what ``egide users …`` uses. Public views (:class:`User`) never carry a secret.
"""

from egide.auth.charter import Charter, CharterBook, CharterSource
from egide.auth.roles import Role, RoleError, User
from egide.auth.service import Clock, Outcome, Portal, Step, utc_now
from egide.auth.sessions import SESSION_COOKIE, SessionState
from egide.auth.users import FIRST_ADMIN_LOGIN, UserStore

__all__ = [
    "FIRST_ADMIN_LOGIN",
    "SESSION_COOKIE",
    "Charter",
    "CharterBook",
    "CharterSource",
    "Clock",
    "Outcome",
    "Portal",
    "Role",
    "RoleError",
    "SessionState",
    "Step",
    "User",
    "UserStore",
    "utc_now",
]
