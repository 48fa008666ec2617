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
from datetime import UTC, datetime
from enum import StrEnum

from egide.audit import AuditError, AuditLog
from egide.audit.events import Scalar
from egide.auth import totp
from egide.auth.accounts import AccountAdmin
from egide.auth.charter import Charter, CharterBook, CharterSource
from egide.auth.credentials import Credentials
from egide.auth.identities import (
    BoundIdentity,
    OidcIdentities,
    ProviderIdentity,
    email_domain,
    normalise_email,
)
from egide.auth.outcome import Outcome
from egide.auth.own_account import OwnAccount
from egide.auth.passwords import password_problem
from egide.auth.resets import FactorResets
from egide.auth.roles import Role, User
from egide.auth.sessions import OIDC_METHOD, SessionState, SessionStore
from egide.auth.throttle import Throttle, account_key, address_key
from egide.auth.training import TrainingBook, TrainingSource
from egide.auth.users import UserStore, normalise_login
from egide.config import Settings
from egide.store.db import Store, open_store

__all__ = ["UNKNOWN_ACCOUNT", "Clock", "Outcome", "Portal", "Step", "utc_now"]

_log = logging.getLogger("egide.auth")
# What the audit trail says of a failed sign-in on a login that names no account: the typed
# text itself might be a password entered in the wrong field, so it is never written. Spaces
# and parentheses keep it outside the logins' grammar (LOGIN_PATTERN): no account can bear it.
UNKNOWN_ACCOUNT = "(compte inconnu)"

Clock = Callable[[], datetime]

WRONG_CREDENTIALS = "Identifiant ou mot de passe incorrect."
WRONG_CODE = "Code incorrect ou déjà utilisé : saisissez le code affiché en ce moment."
WRONG_RECOVERY = "Code de secours incorrect ou déjà utilisé."
DISABLED = "Ce compte est désactivé : adressez-vous à votre administrateur."
NO_ACCOUNT = (
    "Votre identité est reconnue, mais aucun compte Égide ne lui correspond : demandez à votre "
    "administrateur de créer votre compte et de le rattacher au fournisseur d'identité."
)
ADMINISTRATOR_BY_PROVIDER = (
    "Les comptes administrateurs ne se connectent pas par le fournisseur d'identité : "
    "connectez-vous avec votre identifiant, votre mot de passe et votre code de double "
    "authentification."
)
LINK_LAPSED = (
    "Le rattachement de votre compte au fournisseur d'identité n'est plus valable : votre compte "
    "a servi depuis avec votre mot de passe. Connectez-vous avec votre identifiant, votre mot "
    "de passe et votre code, et demandez à vos administrateurs de refaire le rattachement (deux "
    "administrateurs doivent le confirmer)."
)
ENROLMENT_LOST = "La clé d'enrôlement a expiré : un nouveau QR code vient d'être créé."


def utc_now() -> datetime:
    return datetime.now(UTC)


class Step(StrEnum):
    TOTP = "totp"
    PASSWORD = "mot-de-passe"
    ENROL = "enrolement"
    RECOVERY_CODES = "codes-de-secours"
    CHANGES = "changements"  # the ways into the account changed since the owner last looked
    CHARTER = "charte"


class Portal:
    """Accounts, sessions, throttling and the charter, over one store and one clock."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        store: Store | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        """``store`` and ``audit``: the process's own (its composition root); else opened on
        first use."""
        self.settings = settings
        self.clock = clock
        self._store = store
        self._audit: AuditLog | None = audit
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
                self._audit = AuditLog.open(self.settings)
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
    def accounts(self) -> AccountAdmin:
        """Every change of an account, audited, under the two-person rule."""
        return AccountAdmin(
            self.store, self.audit, clock=self.clock, oidc=self.settings.portal.oidc
        )

    @property
    def own_account(self) -> OwnAccount:
        """What a signed-in person changes on their own account (« Mon compte »)."""
        return OwnAccount(self)

    @property
    def identities(self) -> OidcIdentities:
        return OidcIdentities(self.store)

    @property
    def resets(self) -> FactorResets:
        return FactorResets(self.store)

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
            if self.resets.unseen(user.id):
                return Step.CHANGES
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
        if self.resets.unseen(user.id):
            return Step.CHANGES
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

    def held_back(self, login: str, address: str, now: datetime) -> Outcome | None:
        """Attempts of this login or address held back (delay or lockout), or None."""
        refusal = self.throttle.check(self._limits(login, address), now)
        if refusal is None:
            return None
        return Outcome(ok=False, message=refusal.message, retry_after_s=refusal.retry_after_s)

    def failed_attempt(self, login: str, address: str, now: datetime, message: str) -> Outcome:
        """Count a wrong password or code against the login and the address."""
        locked = self.throttle.record_failure(self._limits(login, address), now)
        if locked is None:
            return Outcome(ok=False, message=message)
        return Outcome(ok=False, message=locked.message, retry_after_s=locked.retry_after_s)

    def sign_in(self, login: str, password: str, address: str) -> Outcome:
        """Check the password; on success, a new session waiting for its next step."""
        now = self.clock()
        login = normalise_login(login)
        refused = self.held_back(login, address, now)
        if refused is not None:
            return refused
        user = self.credentials.check_password(login, password)
        if user is None:
            known = self.users.find(login)
            who = known.login if known is not None else UNKNOWN_ACCOUNT
            self.record(who, "sign_in_failed", required=False, step="password", ip=address)
            return self.failed_attempt(login, address, now, WRONG_CREDENTIALS)
        if user.disabled:
            self.record(user.login, "sign_in_failed", required=False, step="disabled", ip=address)
            return Outcome(ok=False, message=DISABLED)
        self.sessions.purge(now)
        self.throttle.purge(now)
        token, _ = self.sessions.create(user.id, now)
        return Outcome(ok=True, token=token)

    def sign_in_oidc(self, identity: ProviderIdentity, address: str, *, acr: str) -> Outcome:
        """A person the identity provider vouched for (both factors, at a required ``acr``).

        The account is the one bound to the provider's (issuer, subject); failing that, the one
        waiting for a first sign-in with this exact address, when the provider says the address
        is verified and its domain is in ``email_domains`` — the binding is then recorded and
        permanent. Anything else reaches no account. The session starts with its second factor
        done; administrators are refused unless ``allow_administrators`` says otherwise.
        """
        now = self.clock()
        oidc = self.settings.portal.oidc
        identities = OidcIdentities(self.store)
        bound = identities.bound(identity.issuer, identity.subject)
        if bound is None and oidc is not None:
            bound = self._first_binding(identities, identity, oidc.email_domains, now)
        user = self.users.get(bound.user_id) if bound is not None else None
        if bound is None or user is None:
            self.record(UNKNOWN_ACCOUNT, "sign_in_failed", required=False, step="oidc", ip=address)
            return Outcome(ok=False, message=NO_ACCOUNT)
        if user.disabled:
            self.record(user.login, "sign_in_failed", required=False, step="disabled", ip=address)
            return Outcome(ok=False, message=DISABLED)
        if user.role is Role.ADMINISTRATEUR and not (oidc and oidc.allow_administrators):
            self.record(
                user.login, "sign_in_failed", required=False, step="oidc_administrator", ip=address
            )
            return Outcome(ok=False, message=ADMINISTRATOR_BY_PROVIDER)
        if bound.approved_by is None and bound.confirmed_at is None and user.last_sign_in_at:
            # One administrator provisioned it while the account was new; its owner has used
            # it since by another way: that one person's link no longer opens it.
            self.record(
                user.login, "sign_in_failed", required=False, step="oidc_unconfirmed", ip=address
            )
            return Outcome(ok=False, message=LINK_LAPSED)
        self.record(user.login, "sign_in", method="oidc", acr=acr[:64], ip=address)
        identities.confirm(bound.id, now)
        if user.must_change_password:
            # A temporary password its owner never used, now that the account holds their
            # work, would let whoever issued it in alone: it dies here (a full reset gives one).
            self.credentials.retire_password(user.id)
        self.credentials.record_sign_in(user.id, now)
        self.sessions.purge(now)
        token, _ = self.sessions.create(user.id, now, method=OIDC_METHOD)
        return Outcome(ok=True, token=token)

    def _first_binding(
        self,
        identities: OidcIdentities,
        identity: ProviderIdentity,
        domains: tuple[str, ...],
        now: datetime,
    ) -> BoundIdentity | None:
        """The account awaiting this verified address, bound now to the subject (audited)."""
        if not identity.email_verified or identity.email is None:
            return None
        email = normalise_email(identity.email)
        if email_domain(email) not in domains:
            return None
        awaiting = identities.awaiting(identity.issuer, email)
        user = self.users.get(awaiting.user_id) if awaiting is not None else None
        if awaiting is None or user is None:
            return None
        if awaiting.approved_by is None and user.last_sign_in_at is not None:
            return awaiting  # lapsed (see sign_in_oidc): refused, and left unbound
        # Recorded before it is made, failing closed: no binding the audit trail does not show.
        self.record(user.login, "oidc_linked", how="email", domain=email_domain(email))
        if not identities.bind(user.id, identity.issuer, identity.subject, email, now):
            return None
        return identities.bound(identity.issuer, identity.subject)

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
        refused = self.held_back(user.login, address, now)
        if refused is not None:
            return refused
        secret = self.sessions.totp_pending(state)
        if secret is None:
            return Outcome(ok=False, message=ENROLMENT_LOST)
        step = totp.matching_step(secret, code, now, after=None)
        if step is None:
            self.record(user.login, "sign_in_failed", required=False, step="enrolment", ip=address)
            return self.failed_attempt(user.login, address, now, WRONG_CODE)
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
        refused = self.held_back(user.login, address, now)
        if refused is not None:
            return refused
        if not self.credentials.check_totp(user.id, code, now):
            self.record(user.login, "sign_in_failed", required=False, step="totp", ip=address)
            return self.failed_attempt(user.login, address, now, WRONG_CODE)
        token, _ = self._second_factor_given(state, user, now, method="totp", address=address)
        return Outcome(ok=True, token=token)

    def verify_recovery_code(
        self, state: SessionState, user: User, code: str, address: str
    ) -> Outcome:
        now = self.clock()
        refused = self.held_back(user.login, address, now)
        if refused is not None:
            return refused
        if not self.credentials.use_recovery_code(user.id, code, now):
            self.record(user.login, "sign_in_failed", required=False, step="recovery", ip=address)
            return self.failed_attempt(user.login, address, now, WRONG_RECOVERY)
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

    def acknowledge_changes(self, user: User) -> None:
        """The owner has read what changed in the ways into their account."""
        self.record(user.login, "account_changes_seen")
        self.resets.acknowledge(user.id, self.clock())

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
