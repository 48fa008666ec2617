"""Who sees and who curates a collection.

- Everyone signed in reads the collections of the whole ministry and those of their own service.
- Administrators curate every collection; ambassadeurs curate those of their own service.
- A gateway application searches only the collections granted to it (``egide kb allow-app``).

A collection someone may not read answers exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable

from egide.auth.roles import Role, User
from egide.knowledge.records import CollectionRecord

__all__ = ["can_curate", "can_create", "can_read", "visible"]


def can_read(user: User, collection: CollectionRecord) -> bool:
    return collection.service is None or collection.service == user.service


def can_curate(user: User, collection: CollectionRecord) -> bool:
    if user.role is Role.ADMINISTRATEUR:
        return True
    return (
        user.role is Role.AMBASSADEUR
        and collection.service is not None
        and collection.service == user.service
    )


def can_create(user: User, service: str | None) -> bool:
    """Administrators create any collection; ambassadeurs, one of their own service."""
    if user.role is Role.ADMINISTRATEUR:
        return True
    return user.role is Role.AMBASSADEUR and service is not None and service == user.service


def visible(user: User, collections: Iterable[CollectionRecord]) -> list[CollectionRecord]:
    return [c for c in collections if can_read(user, c)]
