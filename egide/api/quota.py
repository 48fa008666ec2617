"""Tokens of one request: reserved before the model is called, settled once it is over.

An application with a daily token quota reserves in the store, before its request reaches a
model, the most that request may cost: its prompt (estimated) plus the answer's maximum —
``max_tokens``, capped by what remains of the quota. The model is told that cap, and
:class:`MeteredBackend` cuts the answer there should the model not honour it, so that no
request ever goes past the quota. When the request ends — answered, abandoned by a client that
hung up, failed — the reservation is settled to what was used, from a ``finally``: a client
that disconnects mid-stream pays for what the model produced until then.

Without a quota, the same meter still counts what is reported as ``usage`` and holds the
answer to the ``max_tokens`` the application asked for.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from egide.config import ModelSettings
from egide.models.base import GenerationRequest, ModelBackend, ModelError

__all__ = ["CHARS_PER_TOKEN", "MeteredBackend", "TokenMeter"]

_log = logging.getLogger("egide.api")

# Égide does not hold each model's tokenizer: about four characters make a token in French.
CHARS_PER_TOKEN = 4


class TokenMeter:
    """What one request may take from the model, and what it took (estimated tokens)."""

    def __init__(
        self,
        prompt_tokens: int,
        completion_cap: int | None,
        *,
        settle: Callable[[int], None] | None = None,
    ) -> None:
        self.prompt_tokens = prompt_tokens
        self.completion_cap = completion_cap  # None: no cap
        self._settle = settle
        self._lock = threading.Lock()
        self._chars = 0
        self._model_called = False
        self._settled = False
        self.cut = False  # the answer reached the cap and was stopped there

    @property
    def completion_tokens(self) -> int:
        return math.ceil(self._chars / CHARS_PER_TOKEN)

    def model_called(self) -> None:
        """From now on the prompt counts, whatever the model does with it."""
        self._model_called = True

    def take(self, piece: str) -> str:
        """The part of ``piece`` that fits under the cap (all of it without a cap)."""
        with self._lock:
            if self.completion_cap is not None:
                room = self.completion_cap * CHARS_PER_TOKEN - self._chars
                if len(piece) >= room:
                    piece, self.cut = piece[: max(0, room)], True
            self._chars += len(piece)
            return piece

    def used(self) -> int:
        return (self.prompt_tokens if self._model_called else 0) + self.completion_tokens

    def settle(self) -> None:
        """Replace the reservation by what was used; once, whatever calls it first."""
        with self._lock:
            if self._settled:
                return
            self._settled = True
        if self._settle is None:
            return
        try:
            self._settle(self.used())
        except Exception as exc:  # called from ``finally`` blocks: never mask their outcome
            # Failing closed: the whole reservation stays counted against the quota.
            _log.warning("jetons réservés non réajustés (%s) : la réservation reste comptée",
                         type(exc).__name__)  # fmt: skip


class MeteredBackend:
    """A model backend seen through one request's meter: told the cap, held to it, counted."""

    def __init__(self, inner: ModelBackend, settings: ModelSettings, meter: TokenMeter) -> None:
        self.name = inner.name
        self.context_chars = inner.context_chars
        self.extractive = bool(getattr(inner, "extractive", False))
        self._inner = inner
        self._settings = settings
        self._meter = meter

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        caps = (request.max_tokens, self._settings.max_tokens, self._meter.completion_cap)
        cap = min((c for c in caps if c is not None), default=None)
        self._meter.model_called()
        chunks = self._inner.stream(replace(request, max_tokens=cap))
        try:
            for piece in chunks:
                kept = self._meter.take(piece)
                if kept:
                    yield kept
                if self._meter.cut:
                    return  # a model that ignores max_tokens is not read any further
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    def complete(self, request: GenerationRequest) -> str:
        return "".join(self.stream(request))

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        embed = getattr(self._inner, "embed", None)
        if embed is None:
            raise ModelError(f"le modèle « {self.name} » ne calcule pas de plongements")
        self._meter.model_called()
        vectors: list[list[float]] = embed(texts)
        return vectors
