"""The daily token quota holds against an application that tries to go past it.

Issue #9: tokens were counted once the answer was sent, so that a client hanging up on a
stream paid nothing, concurrent requests all passed the check, and one request with a long
answer went from a 2,000-token quota to 20,556. Now the request's maximum is reserved before
the model is called, the model is told the cap (and held to it), and what was used is settled
when the request ends, however it ends.
"""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Any

import httpx
from security_api_support import Live, add_app, bearer, chat

from egide.config import Settings
from egide.store import open_store
from egide.store.applications import ApplicationStore, utc_day
from tests.support.fake_openai import FakeProvider
from tests.support.portal import PortalHarness

QUESTION = "Résume le rapport annuel du service des titres. " * 8  # 392 characters
PROMPT_TOKENS = math.ceil(len(QUESTION) / 4)


def _tokens_used(apps: ApplicationStore, name: str) -> int:
    return apps.usage(apps.named(name).id, utc_day())[1]


def _events(text: str) -> list[dict[str, Any]]:
    lines = [line[6:] for line in text.splitlines() if line.startswith("data: ")]
    return [json.loads(line) for line in lines if line != "[DONE]"]


def test_one_long_answer_stops_at_the_quota(
    harness: PortalHarness, apps: ApplicationStore, provider: FakeProvider
) -> None:
    whole = add_app(apps, "gourmande", daily_tokens=2_000)
    token = add_app(apps, "gourmande-flux", daily_tokens=2_000)
    provider.script.answer = "Une réponse qui ne finit pas. " * 3_000  # ~22,500 tokens
    provider.script.chunk_size = 500
    client = harness.client()
    start = len(provider.recorder.bodies)

    answer = client.post("/v1/chat/completions", json=chat(QUESTION), headers=bearer(whole))
    assert answer.status_code == 200
    body = answer.json()
    assert body["usage"]["total_tokens"] <= 2_000
    assert body["choices"][0]["finish_reason"] == "length"
    assert _tokens_used(apps, "gourmande") <= 2_000
    # The model was told the cap; it ignored it, and was not read past it.
    assert provider.recorder.bodies[start]["max_tokens"] == 2_000 - PROMPT_TOKENS

    streamed = client.post(
        "/v1/chat/completions",
        json=chat(QUESTION, stream=True, stream_options={"include_usage": True}),
        headers=bearer(token),
    )
    events = _events(streamed.text)
    text = "".join(
        e["choices"][0]["delta"].get("content") or "" for e in events if e.get("choices")
    )
    assert math.ceil(len(text) / 4) <= 2_000 - PROMPT_TOKENS
    assert events[-1]["usage"]["total_tokens"] <= 2_000
    assert _tokens_used(apps, "gourmande-flux") <= 2_000


def test_a_question_larger_than_what_remains_never_reaches_the_model(
    harness: PortalHarness, apps: ApplicationStore, provider: FakeProvider
) -> None:
    token = add_app(apps, "bavarde", daily_tokens=50)
    start = len(provider.recorder.raw)
    client = harness.client()
    response = client.post("/v1/chat/completions", json=chat(QUESTION), headers=bearer(token))
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "insufficient_quota"
    assert f"environ {PROMPT_TOKENS} jetons" in error["message"]
    assert "50 jetons sur 50" in error["message"]
    embeddings = client.post(
        "/v1/embeddings",
        json={"model": "interne-echo", "input": [QUESTION]},
        headers=bearer(token),
    )
    assert embeddings.status_code == 429
    assert len(provider.recorder.raw) == start
    assert _tokens_used(apps, "bavarde") == 0


def test_a_failed_model_still_counts_the_question(
    harness: PortalHarness, apps: ApplicationStore, provider: FakeProvider
) -> None:
    token = add_app(apps, "malchanceuse", daily_tokens=10_000)
    provider.script.fail_status.append(500)
    response = harness.client().post(
        "/v1/chat/completions", json=chat(QUESTION), headers=bearer(token)
    )
    assert response.status_code == 502
    assert _tokens_used(apps, "malchanceuse") == PROMPT_TOKENS  # sent, hence counted


def test_hanging_up_on_a_stream_does_not_make_it_free(
    live: Live, apps: ApplicationStore, provider: FakeProvider
) -> None:
    token = add_app(apps, "fuyante", daily_tokens=1_000_000)
    provider.script.answer = "Un très long compte rendu. " * 15_000  # ~100,000 tokens
    provider.script.chunk_size = 50
    received = ""
    with httpx.stream(
        "POST",
        live.base_url + "/v1/chat/completions",
        json=chat(QUESTION, stream=True),
        headers=bearer(token),
        timeout=30,
    ) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data: {"):
                choices = json.loads(line[6:])["choices"]
                received += choices[0]["delta"].get("content") or "" if choices else ""
                if len(received) > 1_000:
                    break  # the client hangs up mid-answer
    paid_at_least = PROMPT_TOKENS + math.ceil(len(received) / 4)
    whole_answer = PROMPT_TOKENS + math.ceil(len(provider.script.answer) / 4)
    deadline = time.monotonic() + 20
    used = _tokens_used(apps, "fuyante")
    while not paid_at_least <= used <= whole_answer and time.monotonic() < deadline:
        time.sleep(0.1)  # settled by the worker once the model's stream is closed
        used = _tokens_used(apps, "fuyante")
    assert paid_at_least <= used <= whole_answer


def test_concurrent_requests_share_one_quota(
    live: Live, apps: ApplicationStore, provider: FakeProvider
) -> None:
    token = add_app(apps, "pressee", daily_tokens=1_000)
    provider.script.answer = "Réponse longue. " * 500  # ~2,000 tokens each, max_tokens ignored
    provider.script.delay_s = 0.3  # every request is in flight at the same time
    statuses: list[int] = []

    def ask() -> None:
        response = httpx.post(
            live.base_url + "/v1/chat/completions",
            json=chat("Bonjour", max_tokens=300),
            headers=bearer(token),
            timeout=30,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [200, 429]
    # 300 tokens of answer each, plus the question: three whole answers, a fourth cut short.
    assert statuses.count(200) <= 4
    assert _tokens_used(apps, "pressee") <= 1_000


def test_two_processes_never_reserve_more_than_the_quota(
    settings: Settings, apps: ApplicationStore
) -> None:
    """Two stores, two connection pools (as two ``egide serve --workers``), racing."""
    add_app(apps, "partagee", daily_tokens=1_000)
    app_id = apps.named("partagee").id
    stores = [ApplicationStore(open_store(settings)) for _ in range(2)]
    granted: list[int] = []

    def reserve(store: ApplicationStore) -> None:
        for _ in range(10):
            got, _ = store.reserve_tokens(app_id, utc_day(), limit=1_000, prompt=10, completion=90)
            if got is not None:
                granted.append(10 + got)

    threads = [threading.Thread(target=reserve, args=(stores[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == _tokens_used(apps, "partagee") <= 1_000
    assert len(granted) >= 10  # the quota was used, not refused wholesale
