"""Every change of an account, by an administrator in the portal or by ``egide users``: checked,
recorded in the audit trail before it is made, and kept for its owner's notice when it touches a
way into the account.

One service for both surfaces, so that the command line cannot change an account unseen, and
the rules hold whoever acts: targets are found by their canonical login and compared by id (an
administrator cannot disable nor demote their own account, whatever the case of the URL); no
single person ends up holding both factors of an account, or a provider identity opening an
account that has been used (:mod:`egide.auth.resets`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from egide.audit import AuditLog
from egide.audit.events import Scalar
from egide.auth.credentials import Credentials
from egide.auth.identities import OidcIdentities, checked_request, email_domain
from egide.auth.passwords import hash_password
from egide.auth.resets import OIDC, AccountRefused, FactorResets
from egide.auth.roles import Role, User
from egide.auth.users import UserStore, normalise_login, public_user
from egide.config import OidcSettings
from egide.store.accounts import FactorChange, OidcIdentity, RecoveryCode, UserAccount, WebSession
from egide.store.db import Store
from egide.store.errors import StoreError

__all__ = ["AccountAdmin", "AccountRefused", "Actor", "cli_actor"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes an account: what the audit trail records, and their own account if any."""

    name: str
    user_id: str | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.login, user.id)


def cli_actor(system_user: str) -> Actor:
    # The colon keeps it outside the logins' grammar: no portal account can be mistaken for it.
    return Actor(f"cli:{system_user}")


_SELF = (
    "Vous ne pouvez pas désactiver votre propre compte ni changer votre propre rôle : "
    "demandez-le à un autre administrateur."
)
_NO_PROVIDER = "aucun fournisseur d'identité n'est configuré (portal.oidc) : rien à rattacher"


class AccountAdmin:
    def __init__(
        self,
        store: Store,
        audit: AuditLog,
        *,
        clock: Callable[[], datetime],
        oidc: OidcSettings | None,
    ) -> None:
        self._store = store
        self._audit = audit
        self._clock = clock
        self._oidc = oidc
        self.users = UserStore(store)
        self.resets = FactorResets(store)

    @property
    def store(self) -> Store:
        return self._store

    @property
    def audit(self) -> AuditLog:
        return self._audit

    def _record(self, actor: Actor, action: str, target: User, **extra: Scalar) -> None:
        # Fails closed (AuditError): a change the trail does not show is not made.
        self._audit.append(user=actor.name, action=action, extra={"target": target.login, **extra})

    def _target(self, login: str) -> User:
        return self.users.named(normalise_login(login))

    # -- accounts ----------------------------------------------------------------------------

    def create(
        self,
        actor: Actor,
        login: str,
        role: Role,
        *,
        display_name: str | None = None,
        service: str | None = None,
    ) -> tuple[User, str]:
        canonical = self.users.check_new(login)
        self._audit.append(
            user=actor.name,
            action="user_created",
            extra={"target": canonical, "role": Role(role).value},
        )
        # The typed form goes along, for display only (its canonical form is the one checked).
        return self.users.add(
            login, role, display_name=display_name, service=service, now=self._clock()
        )

    def disable(self, actor: Actor, login: str) -> User:
        target = self._target(login)
        if target.id == actor.user_id:
            raise AccountRefused(_SELF)
        self._record(actor, "user_disabled", target, role=target.role.value)
        return self.users.disable(target.login, now=self._clock())

    def enable(self, actor: Actor, login: str) -> User:
        target = self._target(login)
        self._record(actor, "user_enabled", target, role=target.role.value)
        return self.users.enable(target.login)

    def set_role(self, actor: Actor, login: str, role: Role) -> User:
        target = self._target(login)
        if target.id == actor.user_id:
            raise AccountRefused(_SELF)
        self._record(actor, "user_role_changed", target, role=Role(role).value)
        return self.users.set_role(target.login, role)

    def close(self, actor: Actor, login: str) -> User:
        """An erasure request that ends the account (RGPD art. 17): disabled for good, and
        what it held of the person erased — name, service, the login as typed, the password
        hash (replaced by one of a random secret), the TOTP secret, recovery codes, sessions,
        provider identities and pending changes. The canonical login stays: the audit trail,
        which the ministry must keep, names it, and it must keep naming one account only.
        """
        target = self._target(login)
        if target.id == actor.user_id:
            raise AccountRefused(_SELF)
        self._record(actor, "user_account_closed", target, role=target.role.value)
        with self._store.session() as session:
            row = session.get(UserAccount, target.id)
            if row is None:
                raise StoreError(f"compte introuvable : {target.login}")
            row.disabled_at = row.disabled_at or self._clock()
            row.display_name = row.service = row.login_display = None
            row.password_hash = hash_password(secrets.token_urlsafe(32))
            row.must_change_password = True
            row.totp_secret = row.totp_enrolled_at = row.totp_last_step = None
            for table in (RecoveryCode, WebSession, OidcIdentity, FactorChange):
                session.execute(delete(table).where(table.user_id == target.id))
            return public_user(row)

    # -- the owner's own changes (« Mon compte ») ----------------------------------------------

    def change_own_password(self, owner: User, password: str) -> None:
        """The owner, whose current password was just checked, replaces it."""
        self._audit.append(user=owner.login, action="password_changed", extra={"by": "owner"})
        Credentials(self._store).change_password(owner.id, password, self._clock())

    def renew_recovery_codes(self, owner: User) -> list[str]:
        """Ten new codes for the owner; the earlier ones, used or not, stop working."""
        self._audit.append(user=owner.login, action="recovery_codes_renewed")
        return Credentials(self._store).new_recovery_codes(owner.id, self._clock())

    # -- resets (two-person rule) ------------------------------------------------------------

    def reset_password(self, actor: Actor, login: str) -> tuple[User, str]:
        return self.resets.reset_password(
            login,
            actor=actor.name,
            now=self._clock(),
            before=lambda user: self._record(actor, "user_password_reset", user),
        )

    def reset_totp(self, actor: Actor, login: str) -> User:
        return self.resets.reset_totp(
            login,
            actor=actor.name,
            now=self._clock(),
            before=lambda user: self._record(actor, "user_totp_reset", user),
        )

    def full_reset(self, actor: Actor, login: str) -> tuple[User, str, bool]:
        """Ask for a full reset (first half), or confirm another's (second half, done)."""
        return self.resets.full_reset(
            login,
            actor=actor.name,
            now=self._clock(),
            on_request=lambda user: self._record(actor, "user_full_reset_requested", user),
            on_approval=lambda user: self._record(actor, "user_full_reset_approved", user),
        )

    # -- provider identities -----------------------------------------------------------------

    def _provider(self) -> OidcSettings:
        if self._oidc is None:
            raise StoreError(_NO_PROVIDER)
        return self._oidc

    def link_oidc(
        self, actor: Actor, login: str, *, subject: str | None = None, email: str | None = None
    ) -> tuple[User, bool]:
        """Let an account be reached through the provider, by its subject or by a first
        sign-in with this exact, verified address. True when done; False when the request
        waits for a second administrator (:meth:`approve_oidc`): the account has been used,
        and one person alone must not give themselves a way into it."""
        oidc = self._provider()
        subject, email = checked_request(subject, email)
        if email is not None and email_domain(email) not in oidc.email_domains:
            allowed = ", ".join(oidc.email_domains) or "aucun"
            raise AccountRefused(
                f"Le domaine « {email_domain(email)} » n'est pas de ceux dont les adresses "
                f"peuvent rattacher un compte (portal.oidc.email_domains : {allowed}) : "
                "indiquez l'identifiant de la personne chez le fournisseur (sub)."
            )
        now = self._clock()
        extra: dict[str, Scalar] = {"how": "subject" if subject is not None else "email"}
        if email is not None:
            extra["domain"] = email_domain(email)

        def check(session: Session, row: UserAccount) -> tuple[bool, int | None]:
            self._check_role(oidc, row)
            if not self.resets.used(row):
                return True, None  # a new account: its creator already holds its password
            return False, self.resets.may_request(session, row, OIDC, actor=actor.name, now=now)

        def before(user: User, plan: tuple[bool, int | None]) -> None:
            action = "oidc_provisioned" if plan[0] else "oidc_link_requested"
            self._record(actor, action, user, **extra)

        def apply(session: Session, row: UserAccount, plan: tuple[bool, int | None]) -> bool:
            at_once, replacing = plan
            if at_once:
                OidcIdentities(self._store).provision(
                    session, row.id, oidc.issuer, subject=subject, email=email,
                    created_by=actor.name, approved_by=None, now=now,
                )  # fmt: skip
                self.resets.record_done(session, row, OIDC, actor.name, now)
            else:
                self.resets.request(
                    session, row, OIDC, actor=actor.name, now=now, replacing=replacing,
                    payload=json.dumps({"subject": subject, "email": email}),
                )  # fmt: skip
            return at_once

        done = self.resets.checked_change(login, check, before, apply)
        return self._target(login), done

    def approve_oidc(self, actor: Actor, login: str) -> User:
        """Confirm another administrator's request to bind a used account to the provider."""
        oidc = self._provider()
        now = self._clock()

        def check(session: Session, row: UserAccount) -> int:
            self._check_role(oidc, row)
            return self.resets.may_approve(session, row, OIDC, actor=actor.name, now=now)

        def apply(session: Session, row: UserAccount, pending_id: int) -> User:
            payload, requested_by = self.resets.approve(
                session, row, pending_id, actor=actor.name, now=now
            )
            asked = json.loads(payload)
            OidcIdentities(self._store).provision(
                session, row.id, oidc.issuer, subject=asked["subject"], email=asked["email"],
                created_by=requested_by, approved_by=actor.name, now=now,
            )  # fmt: skip
            return public_user(row)

        return self.resets.checked_change(
            login, check, lambda user, _: self._record(actor, "oidc_link_approved", user), apply
        )

    def unlink_oidc(self, actor: Actor, login: str) -> User:
        """Remove the account's provider identity: one way in fewer, one person suffices."""
        oidc = self._provider()
        target = self._target(login)
        self._record(actor, "oidc_removed", target)
        OidcIdentities(self._store).remove(target.id, oidc.issuer)
        return target

    @staticmethod
    def _check_role(oidc: OidcSettings, row: UserAccount) -> None:
        if Role(row.role) is Role.ADMINISTRATEUR and not oidc.allow_administrators:
            raise AccountRefused(
                "Les comptes administrateurs ne se connectent pas par le fournisseur d'identité "
                "(portal.oidc.allow_administrators = false) : ils gardent leur mot de passe et "
                "leur double authentification."
            )
