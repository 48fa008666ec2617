"""The result of one step of the sign-in journey or of « Mon compte »."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Outcome"]


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
