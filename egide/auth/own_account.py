"""« Mon compte »: what a signed-in person changes on their own account, without an administrator.

Both changes ask for the current password first, even in a session whose second factor was
given: a session left open on an unlocked screen must not be enough to take the account over
(OWASP ASVS 2.1.5 and 2.5.x). Wrong passwords count against the account and the address like
failed sign-ins, so that a stolen session cannot try passwords either. The changes themselves go
through :class:`egide.auth.accounts.AccountAdmin`, which records each one before making it.

A session opened through the identity provider has no password of Égide to check: its owner's
password and second factor are the provider's, and these changes are refused with that reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from egide.auth.outcome import Outcome
from egide.auth.passwords import MAX_LENGTH, password_problem
from egide.auth.roles import User
from egide.auth.sessions import SessionState

if TYPE_CHECKING:
    from egide.auth.service import Portal

__all__ = ["BY_PROVIDER", "WRONG_CURRENT_PASSWORD", "OwnAccount"]

WRONG_CURRENT_PASSWORD = (
    "Votre mot de passe actuel est incorrect : rien n'a été changé. Saisissez-le à nouveau."
)
BY_PROVIDER = (
    "Vous êtes connecté par le fournisseur d'identité : votre mot de passe et votre double "
    "authentification sont ceux du fournisseur, à changer chez lui."
)
SAME_PASSWORD = "Le nouveau mot de passe doit être différent de l'actuel : rien n'a été changé."


class OwnAccount:
    def __init__(self, portal: Portal) -> None:
        self._portal = portal

    def _check_current(
        self, state: SessionState, user: User, current: str, address: str
    ) -> Outcome | None:
        """None when ``current`` is the user's password; otherwise the refusal to show."""
        portal = self._portal
        if state.by_provider:
            return Outcome(ok=False, message=BY_PROVIDER)
        now = portal.clock()
        held = portal.held_back(user.login, address, now)
        if held is not None:
            return held
        if len(current) <= MAX_LENGTH and portal.credentials.is_password(user.id, current):
            return None
        portal.record(
            user.login, "reauthentication_failed", required=False, step="password", ip=address
        )
        return portal.failed_attempt(user.login, address, now, WRONG_CURRENT_PASSWORD)

    def change_password(
        self,
        state: SessionState,
        user: User,
        *,
        current: str,
        new: str,
        confirmation: str,
        address: str,
    ) -> Outcome:
        """Replace the password; every other session of the account ends."""
        refused = self._check_current(state, user, current, address)
        if refused is not None:
            return refused
        problem = password_problem(new, login=user.login, confirmation=confirmation)
        if problem is None and new == current:
            problem = SAME_PASSWORD
        if problem is not None:
            return Outcome(ok=False, message=problem)
        self._portal.accounts.change_own_password(user, new)
        self._portal.sessions.end_all(user.id, keep=state.id)
        return Outcome(ok=True)

    def renew_recovery_codes(
        self, state: SessionState, user: User, *, current: str, address: str
    ) -> Outcome:
        """Ten new recovery codes, waiting in this session to be shown once."""
        refused = self._check_current(state, user, current, address)
        if refused is not None:
            return refused
        codes = self._portal.accounts.renew_recovery_codes(user)
        self._portal.sessions.set_recovery_pending(state, codes)
        return Outcome(ok=True)
