"""Roles and the public view of a user (what pages, schemas and logs may see: never a secret)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["Role", "RoleError", "User"]


class RoleError(ValueError):
    """An unknown role name; the message lists the valid ones, in French."""


class Role(StrEnum):
    """One role per user; each check names the roles it lets through."""

    AGENT = "agent"
    AMBASSADEUR = "ambassadeur"  # "ambassadeur IA": helps colleagues, an agent otherwise
    ADMINISTRATEUR = "administrateur"  # manages accounts, never sees anyone's content
    AUDITEUR = "auditeur"  # reads aggregated usage and the audit trail

    @property
    def label_fr(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls(value.strip().lower())
        except ValueError:
            known = ", ".join(role.value for role in cls)
            raise RoleError(f"rôle inconnu « {value} » (rôles possibles : {known})") from None


_LABELS = {
    Role.AGENT: "Agent",
    Role.AMBASSADEUR: "Ambassadeur IA",
    Role.ADMINISTRATEUR: "Administrateur",
    Role.AUDITEUR: "Auditeur",
}


@dataclass(frozen=True, slots=True)
class User:
    """A user as the rest of Égide sees it: no password hash, no TOTP secret, no code."""

    id: str
    login: str
    display_name: str | None
    service: str | None
    role: Role
    must_change_password: bool
    totp_enrolled: bool
    created_at: datetime
    last_sign_in_at: datetime | None
    disabled: bool
    # The login as the administrator typed it (``CMartin``), for display only: ``login`` is
    # the one canonical form that every lookup and comparison uses.
    typed_login: str | None = None

    @property
    def shown_login(self) -> str:
        return self.typed_login or self.login

    @property
    def name(self) -> str:
        """What the portal calls the person: their name when known, else their login."""
        return self.display_name or self.shown_login
