"""Overload: at most ``api.max_in_flight`` requests in the pipeline, a bounded line in arrival
order, then a 503 with ``Retry-After`` — at once when the line is full, after
``api.queue_timeout_s`` otherwise. ``benchmarks/gateway.py`` measures what this does to
throughput past saturation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from egide.api.admission import Admission, AdmissionMiddleware, Overloaded
from egide.config import load_settings
from egide.web import create_app


def test_the_line_is_served_in_arrival_order_and_refused_when_full() -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        admission = Admission(limit=2, queue_size=2, timeout_s=5)
        served: list[str] = []
        refused: list[str] = []
        gates = {name: asyncio.Event() for name in "abcde"}

        async def request(name: str) -> None:
            try:
                since = await admission.acquire()
            except Overloaded as exc:
                assert exc.retry_after_s >= 1 and not exc.waited
                refused.append(name)
                return
            served.append(name)
            await gates[name].wait()
            admission.release(since)

        tasks = []
        for name in "abcde":
            tasks.append(asyncio.create_task(request(name)))
            await asyncio.sleep(0)  # arrive one after the other
        await asyncio.sleep(0.01)
        assert (admission.in_flight, admission.waiting) == (2, 2)
        for name in "abcd":
            gates[name].set()
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
        assert (admission.in_flight, admission.waiting) == (0, 0)
        return served, refused

    served, refused = asyncio.run(scenario())
    assert served == ["a", "b", "c", "d"]
    assert refused == ["e"]


def test_a_request_that_waited_too_long_is_refused_and_leaves_the_line() -> None:
    async def scenario() -> None:
        admission = Admission(limit=1, queue_size=5, timeout_s=0.05)
        held = await admission.acquire()
        with pytest.raises(Overloaded) as refusal:
            await admission.acquire()
        assert refusal.value.waited
        assert (admission.in_flight, admission.waiting, admission.refused) == (1, 0, 1)
        admission.release(held)
        assert admission.in_flight == 0
        await admission.acquire()  # free again

    asyncio.run(scenario())


def test_a_client_that_hangs_up_while_waiting_gives_its_place_back() -> None:
    async def scenario() -> None:
        admission = Admission(limit=1, queue_size=5, timeout_s=5)
        held = await admission.acquire()
        waiting = asyncio.create_task(admission.acquire())
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert admission.waiting == 0
        admission.release(held)
        assert admission.in_flight == 0

    asyncio.run(scenario())


def _slow_app(admission: Admission, gate: asyncio.Event) -> Starlette:
    async def stream(request: Request) -> StreamingResponse:
        async def body():  # type: ignore[no-untyped-def]
            yield b"debut "
            await gate.wait()
            yield b"fin"

        return StreamingResponse(body())

    async def models(request: Request) -> PlainTextResponse:
        return PlainTextResponse("modeles")

    app = Starlette(
        routes=[
            Route("/v1/chat/completions", stream, methods=["POST"]),
            Route("/v1/models", models),
        ]
    )
    app.add_middleware(AdmissionMiddleware, admission=admission)
    return app


def test_a_streamed_answer_holds_its_slot_to_the_last_byte() -> None:
    async def scenario() -> None:
        admission = Admission(limit=1, queue_size=0, timeout_s=1)
        gate = asyncio.Event()
        transport = httpx.ASGITransport(app=_slow_app(admission, gate))
        async with httpx.AsyncClient(transport=transport, base_url="http://egide") as client:
            first = asyncio.create_task(client.post("/v1/chat/completions"))
            await asyncio.sleep(0.05)
            assert admission.in_flight == 1
            second = await client.post("/v1/chat/completions")
            assert second.status_code == 503
            assert int(second.headers["retry-after"]) >= 1
            body = second.json()["error"]
            assert body["code"] == "overloaded" and "Réessayez dans" in body["message"]
            # Routes outside the pipeline are never held back.
            assert (await client.get("/v1/models")).status_code == 200
            gate.set()
            assert (await first).text == "debut fin"
        assert admission.in_flight == 0

    asyncio.run(scenario())


def test_the_service_answers_503_with_its_security_headers_when_saturated(
    tmp_path: Path,
) -> None:
    config = tmp_path / "egide.toml"
    config.write_text("[api]\nmax_in_flight = 1\nqueue_size = 0\n", encoding="utf-8")
    settings = load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})
    app = create_app(settings)
    admission: Admission = app.state.admission

    async def scenario() -> httpx.Response:
        await admission.acquire()  # every slot taken
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://egide") as client:
            return await client.post(
                "/v1/chat/completions",
                headers={"authorization": "Bearer egd_inconnu"},
                json={"model": "auto", "messages": [{"role": "user", "content": "Bonjour"}]},
            )

    answer = asyncio.run(scenario())
    assert answer.status_code == 503
    assert answer.headers["retry-after"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "saturé" in answer.json()["error"]["message"]
