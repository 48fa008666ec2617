"""Requests per minute and daily quotas per application, with OpenAI's headers."""

from __future__ import annotations

import openai
import pytest
from api_support import Served, said

from egide.api.limits import RateLimiter, format_duration
from egide.store.applications import utc_day

USER = said("Quels sont les horaires du guichet ?")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0.0, "0ms"), (0.25, "250ms"), (0.9991, "1000ms"), (1.0, "1s"), (12.2, "13s"),
     (59.5, "1m0s"), (90.0, "1m30s")],
)  # fmt: skip
def test_reset_delays_spelled_like_openai(seconds: float, expected: str) -> None:
    assert format_duration(seconds) == expected


def test_sliding_window_counts_the_last_minute_only() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    assert [limiter.hit("app", 3)[0] for _ in range(3)] == [True, True, True]
    clock.now += 20
    allowed, state = limiter.hit("app", 3)
    assert not allowed
    assert (state.remaining, state.retry_after_s) == (0, 40.0)
    assert limiter.hit("other", 3)[0]  # each application has its own window
    clock.now += 40  # the first three leave the window together
    allowed, state = limiter.hit("app", 3)
    assert allowed and state.remaining == 2
    assert state.headers() == {
        "x-ratelimit-limit-requests": "3",
        "x-ratelimit-remaining-requests": "2",
        "x-ratelimit-reset-requests": "1m0s",
    }


def test_lowered_limit_applies_at_once() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for _ in range(5):
        limiter.hit("app", 10)
    allowed, state = limiter.hit("app", 2)
    assert not allowed and state.remaining == 0


def test_rate_limit_headers_then_429(gateway: Served) -> None:
    gateway.add_app("limitee", rpm=2)
    client = gateway.client("limitee")
    remaining = []
    for _ in range(2):
        raw = client.chat.completions.with_raw_response.create(model="interne-echo", messages=USER)
        assert raw.headers["x-ratelimit-limit-requests"] == "2"
        assert raw.headers["x-ratelimit-reset-requests"].endswith("s")
        remaining.append(raw.headers["x-ratelimit-remaining-requests"])
    assert remaining == ["1", "0"]
    start = len(gateway.provider.recorder.raw)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="interne-echo", messages=USER)
    error = caught.value
    assert error.code == "rate_limit_exceeded"
    assert 1 <= int(error.response.headers["retry-after"]) <= 60
    assert error.response.headers["x-ratelimit-remaining-requests"] == "0"
    assert "2 requêtes par minute" in error.message
    assert len(gateway.provider.recorder.raw) == start


def test_rate_limit_applies_to_streams_too(gateway: Served) -> None:
    gateway.add_app("limitee-flux", rpm=1)
    client = gateway.client("limitee-flux")
    for _ in client.chat.completions.create(model="interne-echo", messages=USER, stream=True):
        pass
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="interne-echo", messages=USER, stream=True)


def test_no_rate_headers_without_a_limit(gateway: Served) -> None:
    raw = gateway.client().chat.completions.with_raw_response.create(
        model="interne-echo", messages=USER
    )
    assert "x-ratelimit-limit-requests" not in raw.headers


def test_daily_request_quota(gateway: Served) -> None:
    gateway.add_app("quota-requetes", daily_requests=2)
    client = gateway.client("quota-requetes", max_retries=2)
    for _ in range(2):
        client.chat.completions.create(model="interne-echo", messages=USER)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="interne-echo", messages=USER)
    error = caught.value
    assert error.code == "insufficient_quota"
    assert error.response.headers["x-should-retry"] == "false"  # the SDK did not retry
    assert int(error.response.headers["retry-after"]) <= 86_400
    record = gateway.apps.named("quota-requetes")
    assert record.daily_requests == 2


def test_daily_token_quota(gateway: Served) -> None:
    gateway.add_app("quota-jetons", daily_tokens=50)
    client = gateway.client("quota-jetons")
    finishes = []
    with pytest.raises(openai.RateLimitError) as caught:
        for _ in range(5):  # about 20 tokens each: 9 of question, 11 of echoed answer
            answer = client.chat.completions.create(model="interne-echo", messages=USER)
            finishes.append(answer.choices[0].finish_reason)
    assert caught.value.code == "insufficient_quota"
    assert "Quota quotidien de 50 jetons atteint" in caught.value.message
    # The third answer had 1 token left once its question was counted: it was cut there.
    assert finishes == ["stop", "stop", "length"]
    record = gateway.apps.named("quota-jetons")
    assert gateway.apps.usage(record.id, utc_day())[1] == 50
