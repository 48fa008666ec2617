"""A local GGUF model through llama-cpp-python (optional extra ``egide[local-llm]``).

Uses the model's own chat template when the GGUF carries one (or ``chat_format`` from the
configuration); a base model without a template gets a plain completion prompt.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from egide.config import ModelSettings
from egide.models.base import GenerationRequest, Message, ModelError, ModelUnavailable
from egide.models.registry import register_backend

__all__ = ["LlamaCppBackend", "completion_prompt"]

# Rough French average, to turn the configured context in characters into tokens.
_CHARS_PER_TOKEN = 3.5
_LOG = logging.getLogger("egide.models.llama_cpp")
_log_callback: Any = None  # kept alive: llama.cpp holds a pointer to it


def _route_llama_logs(llama_cpp: Any) -> None:
    """llama.cpp writes some messages straight to stderr (even with verbose=False), over the
    command's own output: send them to Python logging instead, at debug level."""
    global _log_callback
    if _log_callback is not None:
        return

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        _LOG.debug("%s", text.decode("utf-8", "replace").rstrip())

    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    _log_callback = callback


def completion_prompt(messages: Sequence[Message]) -> str:
    """A plain prompt for a base model: instructions, then the exchange, then the cue."""
    lines = []
    for message in messages:
        if message.role == "system":
            lines.append(message.content.strip())
        elif message.role == "user":
            lines.append(f"Demande :\n{message.content.strip()}")
        else:
            lines.append(f"Réponse :\n{message.content.strip()}")
    lines.append("Réponse :\n")
    return "\n\n".join(lines)


class LlamaCppBackend:
    def __init__(self, settings: ModelSettings) -> None:
        try:
            import llama_cpp
            from llama_cpp import Llama
        except ImportError:
            raise ModelUnavailable(
                f"le modèle « {settings.name} » demande llama-cpp-python, absent de cette "
                "installation : installez l'extension « egide[local-llm] »."
            ) from None
        assert settings.path is not None  # checked by the configuration
        path = Path(settings.path).expanduser()
        if not path.is_file():
            raise ModelUnavailable(
                f"le fichier du modèle « {settings.name} » est introuvable : {path}"
            )
        _route_llama_logs(llama_cpp)
        self.name = settings.name
        self.context_chars = settings.context_chars
        self._max_tokens = settings.max_tokens or 512
        n_ctx = max(512, int(settings.context_chars / _CHARS_PER_TOKEN))
        try:
            self._llm: Any = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                chat_format=settings.chat_format,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelUnavailable(
                f"le fichier du modèle « {settings.name} » n'a pas pu être chargé ({path}) : "
                "ce n'est pas un fichier GGUF valide ou il est incompatible."
            ) from exc
        metadata = getattr(self._llm, "metadata", {}) or {}
        self.has_chat_template = bool(
            settings.chat_format or metadata.get("tokenizer.chat_template")
        )
        # One generation at a time: a llama.cpp context is not safe to share between threads.
        self._lock = threading.Lock()

    def complete(self, request: GenerationRequest) -> str:
        return "".join(self.stream(request))

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        options: dict[str, Any] = {
            "max_tokens": request.max_tokens or self._max_tokens,
            "temperature": 0.2 if request.temperature is None else request.temperature,
            "stream": True,
        }
        with self._lock:
            try:
                if self.has_chat_template:
                    messages = [{"role": m.role, "content": m.content} for m in request.messages]
                    for event in self._llm.create_chat_completion(messages=messages, **options):
                        piece = event["choices"][0].get("delta", {}).get("content")
                        if piece:
                            yield piece
                else:
                    prompt = completion_prompt(request.messages)
                    for event in self._llm.create_completion(prompt=prompt, **options):
                        piece = event["choices"][0].get("text")
                        if piece:
                            yield piece
            except ValueError as exc:
                # llama.cpp raises ValueError when the prompt exceeds the context window.
                raise ModelError(
                    f"la demande dépasse la capacité du modèle « {self.name} » : "
                    "réduisez le document ou choisissez un autre modèle."
                ) from exc


@register_backend("llama_cpp")
def _factory(settings: ModelSettings) -> LlamaCppBackend:
    return LlamaCppBackend(settings)
