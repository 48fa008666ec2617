"""The sign-in journey, step by step, and the state the portal's pages share.

First sign-in: temporary password → new password → TOTP enrolment (which counts as the second
factor) → recovery codes shown once → charter → workspace. Later sign-ins: password → TOTP code
or recovery code → charter when a new version came out → workspace. :meth:`Portal.next_step`
says where a session stands; pages send the user there until it answers None.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from egide.audit import AuditError, AuditLog
from egide.audit.events import Scalar
from egide.auth import totp
from egide.auth.charter import Charter, CharterBook, CharterSource
from egide.auth.credentials import Credentials
from egide.auth.passwords import password_problem
from egide.auth.roles import User
from egide.auth.sessions import OIDC_METHOD, SessionState, SessionStore
from egide.auth.throttle import Throttle, account_key, address_key
from egide.auth.training import TrainingBook, TrainingSource
from egide.auth.users import UserStore, normalise_login
from egide.config import Settings
from egide.store.db import Store, open_store

__all__ = ["UNKNOWN_ACCOUNT", "Clock", "Outcome", "Portal", "Step", "utc_now"]

_log = logging.getLogger("egide.auth")
# What the audit trail says of a failed sign-in on a login that names no account: the typed
# text itself might be a password entered in the wrong field, so it is never written.
UNKNOWN_ACCOUNT = "compte-inconnu"

Clock = Callable[[], datetime]

WRONG_CREDENTIALS = "Identifiant ou mot de passe incorrect."
WRONG_CODE = "Code incorrect ou déjà utilisé : saisissez le code affiché en ce moment."
WRONG_RECOVERY = "Code de secours incorrect ou déjà utilisé."
DISABLED = "Ce compte est désactivé : adressez-vous à votre administrateur."
NO_ACCOUNT = (
    "Votre identité est reconnue, mais aucun compte Égide ne lui correspond : demandez à votre "
    "administrateur de créer votre compte."
)
ENROLMENT_LOST = "La clé d'enrôlement a expiré : un nouveau QR code vient d'être créé."


def utc_now() -> datetime:
    return datetime.now(UTC)


class Step(StrEnum):
    TOTP = "totp"
    PASSWORD = "mot-de-passe"
    ENROL = "enrolement"
    RECOVERY_CODES = "codes-de-secours"
    CHARTER = "charte"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one step: on success maybe a new cookie value, on failure a message."""

    ok: bool
    message: str | None = None
    token: str | None = None
    retry_after_s: int | None = None  # set when attempts are held back (delay or lockout)

    @property
    def throttled(self) -> bool:
        return self.retry_after_s is not None


class Portal:
    """Accounts, sessions, throttling and the charter, over one store and one clock."""

    def __init__(
        self, settings: Settings, *, clock: Clock = utc_now, store: Store | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._store = store
        self._audit: AuditLog | None = None
        self._lock = threading.Lock()
        self.charters = CharterSource(settings.portal.charter_path)
        self.trainings = TrainingSource(settings.portal.training_path)

    @property
    def store(self) -> Store:
        # Opened on first use, so that an app that serves only /v1 or /healthz pays nothing.
        with self._lock:
            if self._store is None:
                self._store = open_store(self.settings)
            return self._store

    @property
    def audit(self) -> AuditLog:
        with self._lock:
            if self._audit is None:
                self._audit = AuditLog.open(self.settings.home)
            return self._audit

    def record(self, user: str, action: str, *, required: bool = True, **extra: Scalar) -> None:
        """An event of the sign-in journey in the audit trail (who, what, how — no secret).

        ``required`` events fail closed (AuditError: the step does not happen); a failed
        attempt is recorded when possible, and only logged as a warning otherwise, so that a
        full disk does not turn every typo into an error page.
        """
        try:
            self.audit.append(user=user, action=action, extra=extra)
        except AuditError:
            if required:
                raise
            _log.warning("événement d'audit non enregistré : %s", action)

    @property
    def users(self) -> UserStore:
        return UserStore(self.store)

    @property
    def credentials(self) -> Credentials:
        return Credentials(self.store)

    @property
    def sessions(self) -> SessionStore:
        return SessionStore(self.store, self.settings.portal)

    @property
    def throttle(self) -> Throttle:
        return Throttle(self.store, self.settings.portal)

    @property
    def book(self) -> CharterBook:
        return CharterBook(self.store)

    @property
    def training_book(self) -> TrainingBook:
        return TrainingBook(self.store)

    def charter(self) -> Charter:
        return self.charters.current()

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()

    # -- where a session stands ------------------------------------------------------------

    def resolve(self, token: str | None) -> tuple[SessionState, User] | None:
        """The live session behind a cookie and its user; a disabled user's session ends."""
        state = self.sessions.lookup(token, self.clock())
        if state is None:
            return None
        user = self.users.get(state.user_id)
        if user is None or user.disabled:
            self.sessions.end(state)
            return None
        return state, user

    def next_step(self, state: SessionState, user: User) -> Step | None:
        if state.by_provider:
            # The identity provider checked the password and the second factor (its acr).
            if not self.book.has_accepted(user.id, self.charter()):
                return Step.CHARTER
            return None
        if user.totp_enrolled and not state.second_factor_done:
            return Step.TOTP
        if user.must_change_password:
            return Step.PASSWORD
        if not user.totp_enrolled or not state.second_factor_done:
            return Step.ENROL
        if state.has_recovery_pending:
            return Step.RECOVERY_CODES
        if not self.book.has_accepted(user.id, self.charter()):
            return Step.CHARTER
        return None

    # -- the steps -------------------------------------------------------------------------

    def _limits(self, login: str, address: str) -> list[tuple[str, int]]:
        portal = self.settings.portal
        return [
            (account_key(login), portal.lockout_failures),
            (address_key(address), portal.ip_lockout_failures),
        ]

    def _refused(self, login: str, address: str, now: datetime) -> Outcome | None:
        refusal = self.throttle.check(self._limits(login, address), now)
        if refusal is None:
            return None
        return Outcome(ok=False, message=refusal.message, retry_after_s=refusal.retry_after_s)

    def _failed(self, login: str, address: str, now: datetime, message: str) -> Outcome:
        locked = self.throttle.record_failure(self._limits(login, address), now)
        if locked is None:
            return Outcome(ok=False, message=message)
        return Outcome(ok=False, message=locked.message, retry_after_s=locked.retry_after_s)

    def sign_in(self, login: str, password: str, address: str) -> Outcome:
        """Check the password; on success, a new session waiting for its next step."""
        now = self.clock()
        login = normalise_login(login)
        refused = self._refused(login, address, now)
        if refused is not None:
            return refused
        user = self.credentials.check_password(login, password)
        if user is None:
            known = self.users.find(login)
            who = known.login if known is not None else UNKNOWN_ACCOUNT
            self.record(who, "sign_in_failed", required=False, step="password", ip=address)
            return self._failed(login, address, now, WRONG_CREDENTIALS)
        if user.disabled:
            self.record(user.login, "sign_in_failed", required=False, step="disabled", ip=address)
            return Outcome(ok=False, message=DISABLED)
        self.sessions.purge(now)
        self.throttle.purge(now)
        token, _ = self.sessions.create(user.id, now)
        return Outcome(ok=True, token=token)

    def sign_in_oidc(self, login: str, address: str, *, acr: str) -> Outcome:
        """A user the identity provider vouched for (both factors, at a required ``acr``).

        The account must exist and be enabled; the session starts with its second factor done.
        """
        now = self.clock()
        user = self.users.find(login.split("@", 1)[0])
        if user is None:
            self.record(UNKNOWN_ACCOUNT, "sign_in_failed", required=False, step="oidc", ip=address)
            return Outcome(ok=False, message=NO_ACCOUNT)
        if user.disabled:
            self.record(user.login, "sign_in_failed", required=False, step="disabled", ip=address)
            return Outcome(ok=False, message=DISABLED)
        self.record(user.login, "sign_in", method="oidc", acr=acr[:64], ip=address)
        self.credentials.record_sign_in(user.id, now)
        self.sessions.purge(now)
        token, _ = self.sessions.create(user.id, now, method=OIDC_METHOD)
        return Outcome(ok=True, token=token)

    def change_password(
        self, state: SessionState, user: User, password: str, confirmation: str
    ) -> Outcome:
        problem = password_problem(password, login=user.login, confirmation=confirmation)
        if problem is None and self.credentials.is_password(user.id, password):
            problem = "Le nouveau mot de passe doit être différent de l'actuel."
        if problem is not None:
            return Outcome(ok=False, message=problem)
        self.record(user.login, "password_changed")
        self.credentials.change_password(user.id, password, self.clock())
        self.sessions.end_all(user.id, keep=state.id)
        return Outcome(ok=True)

    def enrolment_secret(self, state: SessionState) -> str:
        """The secret being enrolled in this session (the same one until it is confirmed)."""
        secret = self.sessions.totp_pending(state)
        if secret is None:
            secret = totp.new_secret()
            self.sessions.set_totp_pending(state, secret)
        return secret

    def finish_enrolment(self, state: SessionState, user: User, code: str, address: str) -> Outcome:
        now = self.clock()
        refused = self._refused(user.login, address, now)
        if refused is not None:
            return refused
        secret = self.sessions.totp_pending(state)
        if secret is None:
            return Outcome(ok=False, message=ENROLMENT_LOST)
        step = totp.matching_step(secret, code, now, after=None)
        if step is None:
            self.record(user.login, "sign_in_failed", required=False, step="enrolment", ip=address)
            return self._failed(user.login, address, now, WRONG_CODE)
        self.record(user.login, "totp_enrolled")
        self.credentials.enrol_totp(user.id, secret, step, now)
        codes = self.credentials.new_recovery_codes(user.id, now)
        token, fresh = self._second_factor_given(
            state, user, now, method="enrolment", address=address
        )
        self.sessions.set_recovery_pending(fresh, codes)
        return Outcome(ok=True, token=token)

    def verify_code(self, state: SessionState, user: User, code: str, address: str) -> Outcome:
        now = self.clock()
        refused = self._refused(user.login, address, now)
        if refused is not None:
            return refused
        if not self.credentials.check_totp(user.id, code, now):
            self.record(user.login, "sign_in_failed", required=False, step="totp", ip=address)
            return self._failed(user.login, address, now, WRONG_CODE)
        token, _ = self._second_factor_given(state, user, now, method="totp", address=address)
        return Outcome(ok=True, token=token)

    def verify_recovery_code(
        self, state: SessionState, user: User, code: str, address: str
    ) -> Outcome:
        now = self.clock()
        refused = self._refused(user.login, address, now)
        if refused is not None:
            return refused
        if not self.credentials.use_recovery_code(user.id, code, now):
            self.record(user.login, "sign_in_failed", required=False, step="recovery", ip=address)
            return self._failed(user.login, address, now, WRONG_RECOVERY)
        token, _ = self._second_factor_given(
            state, user, now, method="recovery_code", address=address
        )
        return Outcome(ok=True, token=token)

    def _second_factor_given(
        self, state: SessionState, user: User, now: datetime, *, method: str, address: str
    ) -> tuple[str, SessionState]:
        # Recorded first, failing closed: no session opens that the audit trail does not show.
        self.record(user.login, "sign_in", method=method, ip=address)
        self.throttle.clear(account_key(user.login))
        self.credentials.record_sign_in(user.id, now)
        return self.sessions.complete_second_factor(state, now)

    def accept_charter(self, user: User) -> Charter:
        charter = self.charter()
        self.record(user.login, "charter_accepted", version=charter.version[:64])
        self.book.accept(user.id, charter, self.clock())
        return charter

    def sign_out(self, state: SessionState, user: User) -> None:
        self.sessions.end(state)
        self.record(user.login, "sign_out", required=False)

    def sign_out_everywhere(self, user: User) -> int:
        ended = self.sessions.end_all(user.id)
        self.record(user.login, "sign_out_everywhere", required=False, sessions=ended)
        return ended
