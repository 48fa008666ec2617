"""The OpenAI wire format: requests read leniently, answers written as the SDKs expect them.

Unknown parameters are accepted and ignored (clients send many), except those whose meaning
Égide cannot honour silently: tools and function calls, several choices (``n`` > 1), images
and audio. Validation errors name the parameter, in French, and never quote its value.
"""

from __future__ import annotations

import base64
import json
import math
import struct
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from egide.api.errors import GatewayError, invalid_value
from egide.api.quota import CHARS_PER_TOKEN
from egide.models.base import Message

__all__ = [
    "ChatRequest",
    "EmbeddingsRequest",
    "chat_chunk",
    "chat_completion",
    "embeddings_response",
    "estimate_tokens",
    "parse_chat",
    "parse_embeddings",
    "sse",
    "usage",
]

_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}
_FRENCH = {
    "missing": "paramètre obligatoire manquant",
    "string_type": "une chaîne de caractères est attendue",
    "bool_type": "un booléen est attendu",
    "bool_parsing": "un booléen est attendu",
    "int_type": "un nombre entier est attendu",
    "int_parsing": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "float_type": "un nombre est attendu",
    "float_parsing": "un nombre est attendu",
    "list_type": "une liste est attendue",
    "dict_type": "un objet JSON est attendu",
    "model_type": "un objet JSON est attendu",
    "too_short": "la liste ne doit pas être vide",
    "string_too_short": "la chaîne ne doit pas être vide",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "literal_error": "valeur non prise en charge",
}


_TYPE_NAMES = frozenset({"str", "int", "float", "bool", "_Part"})


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Part(_Lenient):
    type: str
    text: str | None = None


class _ChatMessage(_Lenient):
    role: str
    content: str | list[_Part] | None = None


class _StreamOptions(_Lenient):
    include_usage: bool = False


class _ChatBody(_Lenient):
    model: str = Field(min_length=1)
    messages: list[_ChatMessage] = Field(min_length=1)
    stream: bool | None = False
    stream_options: _StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    n: int | None = Field(default=None, ge=1, le=1)
    tools: list[Any] | None = None
    functions: list[Any] | None = None


class _EmbeddingsBody(_Lenient):
    model: str = Field(min_length=1)
    input: str | list[str] = Field(min_length=1)
    encoding_format: Literal["float", "base64"] | None = "float"


@dataclass(frozen=True, slots=True)
class ChatRequest:
    model: str
    messages: tuple[Message, ...]
    stream: bool
    include_usage: bool
    max_tokens: int | None
    temperature: float | None


@dataclass(frozen=True, slots=True)
class EmbeddingsRequest:
    model: str
    inputs: tuple[str, ...]
    base64: bool


def _explain(error: ValidationError) -> GatewayError:
    item = error.errors(include_input=False, include_url=False)[0]
    # Union members add their type to the location ("content.str"): keep the parameter's name.
    param = ".".join(
        str(part)
        for part in item["loc"]
        if isinstance(part, int) or not (part in _TYPE_NAMES or "[" in part or "-" in part)
    )
    message = _FRENCH.get(item["type"], "valeur invalide")
    code = "missing_required_parameter" if item["type"] == "missing" else "invalid_value"
    return invalid_value(f"Paramètre « {param} » : {message}.", param=param or None, code=code)


def _unsupported(param: str, what: str) -> GatewayError:
    return invalid_value(
        f"{what} ne sont pas pris en charge par Égide.", param=param, code="unsupported_parameter"
    )


def _content(message: _ChatMessage, index: int) -> str:
    content = message.content
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for part in content:
        if part.type != "text" or part.text is None:
            raise _unsupported(
                f"messages.{index}.content", "Les contenus autres que du texte (images, sons)"
            )
        texts.append(part.text)
    return "\n".join(texts)


def parse_chat(raw: dict[str, Any]) -> ChatRequest:
    """A chat request from a body read by :func:`egide.api.body.read_json`."""
    try:
        body = _ChatBody.model_validate(raw)
    except ValidationError as exc:
        raise _explain(exc) from None
    if body.tools or body.functions:
        raise _unsupported("tools", "Les appels d'outils (tools, functions)")
    messages: list[Message] = []
    for index, message in enumerate(body.messages):
        role = _ROLES.get(message.role)
        if role is None:
            raise invalid_value(
                f"Paramètre « messages.{index}.role » : rôle non pris en charge (system, "
                "developer, user ou assistant).",
                param=f"messages.{index}.role",
            )
        messages.append(Message(role, _content(message, index)))  # type: ignore[arg-type]
    return ChatRequest(
        model=body.model,
        messages=tuple(messages),
        stream=bool(body.stream),
        include_usage=bool(body.stream_options and body.stream_options.include_usage),
        max_tokens=body.max_completion_tokens or body.max_tokens,
        temperature=body.temperature,
    )


def parse_embeddings(raw: dict[str, Any]) -> EmbeddingsRequest:
    try:
        body = _EmbeddingsBody.model_validate(raw)
    except ValidationError as exc:
        raise _explain(exc) from None
    inputs = (body.input,) if isinstance(body.input, str) else tuple(body.input)
    return EmbeddingsRequest(body.model, inputs, body.encoding_format == "base64")


def estimate_tokens(texts: Sequence[str]) -> int:
    """About four characters per token in French: Égide does not hold the model's tokenizer."""
    return sum(math.ceil(len(text) / CHARS_PER_TOKEN) for text in texts)


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def completion_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex


def chat_completion(
    *,
    id: str,
    model: str,
    text: str,
    usage: dict[str, int],
    extra: dict[str, Any],
    finish_reason: str = "stop",
) -> dict[str, Any]:
    return {
        "id": id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": usage,
        "system_fingerprint": None,
        "egide": extra,
    }


def chat_chunk(
    *,
    id: str,
    model: str,
    created: int,
    delta: dict[str, Any] | None = None,
    finish: str | None = None,  # the finish reason of the last chunk: "stop" or "length"
    usage: dict[str, int] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    chunk: dict[str, Any] = {
        "id": id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "system_fingerprint": None,
        "choices": [],
    }
    if delta is not None or finish is not None:
        chunk["choices"] = [
            {
                "index": 0,
                "delta": delta or {},
                "logprobs": None,
                "finish_reason": finish,
            }
        ]
    if usage is not None:
        chunk["usage"] = usage
    if extra is not None:
        chunk["egide"] = extra
    return chunk


def sse(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode("utf-8") + b"\n\n"


def _encode(vector: Sequence[float], as_base64: bool) -> list[float] | str:
    if not as_base64:
        return list(vector)
    # What the OpenAI SDKs decode: little-endian float32, base64.
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def embeddings_response(
    *, model: str, vectors: Sequence[Sequence[float]], as_base64: bool, prompt_tokens: int
) -> dict[str, Any]:
    return {
        "object": "list",
        "model": model,
        "data": [
            {"object": "embedding", "index": i, "embedding": _encode(vector, as_base64)}
            for i, vector in enumerate(vectors)
        ],
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    }
