"""Embeddings where the backend offers them, through the same scan, decision and pseudonymisation."""

from __future__ import annotations

import base64
import struct
from typing import Any

import openai
import pytest
from api_support import EMAIL, NAME, PERSONAL_MESSAGE, RAW_VALUES, Served


@pytest.mark.parametrize("encoding", ["float", "base64", None])
def test_embeddings_of_pseudonymised_text(gateway: Served, encoding: str | None) -> None:
    start = len(gateway.provider.recorder.raw)
    texts = [PERSONAL_MESSAGE, "Horaires du guichet"]
    options: dict[str, Any] = (
        {"encoding_format": encoding} if encoding else {}
    )  # the SDK asks base64 by default
    result = gateway.client().embeddings.create(model="interne-echo", input=texts, **options)
    assert [item.index for item in result.data] == [0, 1]
    sent = gateway.provider.recorder.bodies[start]["input"]
    vectors = (
        [
            list(struct.unpack(f"<{len(raw) // 4}f", raw))
            for raw in (base64.b64decode(item.embedding) for item in result.data)  # type: ignore[arg-type]
        ]
        if encoding == "base64"
        else [item.embedding for item in result.data]
    )
    # The fake's first coordinate is the length of what it received.
    assert [vector[0] for vector in vectors] == [float(len(t)) for t in sent]
    assert sent[1] == "Horaires du guichet"
    upstream = gateway.upstream_since(start)
    for value in RAW_VALUES:
        assert value not in upstream


def test_embeddings_refused_by_the_charter(gateway: Served) -> None:
    start = len(gateway.provider.recorder.raw)
    with pytest.raises(openai.PermissionDeniedError) as caught:
        gateway.client().embeddings.create(model="externe-public", input=f"{NAME}, {EMAIL}")
    assert caught.value.code == "policy_refused"
    assert len(gateway.provider.recorder.raw) == start


@pytest.mark.parametrize(
    ("model", "code", "error"),
    [
        ("auto", "invalid_value", openai.BadRequestError),
        ("local", "embeddings_not_supported", openai.BadRequestError),
        ("inconnu", "model_not_found", openai.NotFoundError),
    ],
)
def test_embeddings_need_a_model_that_offers_them(
    gateway: Served, model: str, code: str, error: type[openai.APIStatusError]
) -> None:
    with pytest.raises(error) as caught:
        gateway.client().embeddings.create(model=model, input="Horaires du guichet")
    assert caught.value.code == code
