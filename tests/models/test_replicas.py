"""Several replicas behind one model entry, against real HTTP servers on loopback: spread,
failover before the first streamed byte (never after), cool-down, the per-model bound on
requests in flight, embeddings, and ``egide models check`` per replica."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest

from egide.config import ModelSettings
from egide.models import GenerationRequest, Message, ModelTimeout, ModelUnavailable
from egide.models.check import check_model
from egide.models.openai_compat import OpenAICompatBackend
from egide.models.replicas import ReplicaPool
from tests.support.fake_openai import FakeProvider, Script, fake_openai_server

REQUEST = GenerationRequest(task="chat", messages=[Message("user", "Résumez [PERSONNE_1].")])


def _settings(urls: list[str], **extra: object) -> ModelSettings:
    values: dict[str, object] = {
        "name": "interne-ferme",
        "tier": "interne",
        "backend": "openai",
        "replicas": urls,
        "model": "fake",
        "timeout_s": 5.0,
        "max_retries": 1,
    }
    values.update(extra)
    return ModelSettings.model_validate(values)


def _backend(urls: list[str], **extra: object) -> OpenAICompatBackend:
    return OpenAICompatBackend(_settings(urls, **extra), backoff_s=0.01)


def _closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


@contextmanager
def _servers(*scripts: Script) -> Iterator[list[FakeProvider]]:
    with ExitStack() as stack:
        yield [stack.enter_context(fake_openai_server(script)) for script in scripts]


def test_requests_are_spread_over_healthy_replicas_in_turn() -> None:
    with _servers(Script(answer="a"), Script(answer="b")) as (one, two):
        backend = _backend([one.base_url, two.base_url])
        answers = [backend.complete(REQUEST) for _ in range(6)]
    assert sorted(answers) == ["a"] * 3 + ["b"] * 3
    assert len(one.recorder.bodies) == len(two.recorder.bodies) == 3


def test_a_replica_that_is_down_is_set_aside_and_the_others_answer() -> None:
    down = _closed_url()
    with fake_openai_server(Script(answer="ok")) as up:
        backend = _backend([down, up.base_url])
        assert [backend.complete(REQUEST) for _ in range(4)] == ["ok"] * 4
        (resting,) = [r for r in backend.pool.replicas if backend.pool.is_down(r)]
    assert resting.url == down and resting.last_problem == "injoignable"
    assert len(up.recorder.bodies) == 4


def test_a_replica_answering_500_fails_over_and_rests_for_its_cool_down() -> None:
    with _servers(Script(fail_status=[500] * 10), Script(answer="ok")) as (sick, well):
        backend = _backend([sick.base_url, well.base_url])
        assert [backend.complete(REQUEST) for _ in range(4)] == ["ok"] * 4
    assert len(sick.recorder.bodies) == 1  # tried once, then left aside
    assert len(well.recorder.bodies) == 4


def test_a_slow_replica_times_out_and_the_request_goes_to_another() -> None:
    with _servers(Script(delay_s=3.0), Script(answer="rapide")) as (slow, fast):
        backend = _backend([slow.base_url, fast.base_url], timeout_s=0.5)
        started = time.monotonic()
        assert backend.complete(REQUEST) == "rapide"
        elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert len(slow.recorder.bodies) == 1 and len(fast.recorder.bodies) == 1


def test_every_replica_down_is_a_french_error_naming_each() -> None:
    first, second = _closed_url(), _closed_url()
    with fake_openai_server(Script(fail_status=[503] * 10)) as busy:
        backend = _backend([first, second, busy.base_url], max_retries=0)
        with pytest.raises(ModelUnavailable) as caught:
            backend.complete(REQUEST)
    message = str(caught.value)
    assert "aucune de ses 3 répliques n'a répondu" in message
    assert f"{first} : injoignable" in message and f"{busy.base_url} : HTTP 503" in message
    assert "Votre texte est conservé" in message


def test_every_replica_too_slow_is_a_timeout() -> None:
    with _servers(Script(delay_s=2.0), Script(delay_s=2.0)) as (one, two):
        backend = _backend([one.base_url, two.base_url], timeout_s=0.3, max_retries=0)
        with pytest.raises(ModelTimeout, match="aucune de ses 2 répliques"):
            backend.complete(REQUEST)


def test_a_stream_cut_after_its_first_chunk_is_never_restarted_elsewhere() -> None:
    cut = Script(answer="x" * 100, chunk_size=10, cut_after_chunks=3)
    with _servers(cut, Script(answer="y" * 100)) as (broken, spare):
        backend = _backend([broken.base_url, spare.base_url])
        received: list[str] = []
        with pytest.raises(ModelUnavailable, match="coupé la connexion en cours de réponse"):
            for chunk in backend.stream(REQUEST):
                received.append(chunk)
    assert "".join(received) == "x" * 30  # no duplicated or mixed answer
    assert spare.recorder.bodies == []


def test_a_stream_cut_before_any_text_fails_over() -> None:
    cut = Script(answer="x" * 100, chunk_size=10, cut_after_chunks=0)
    with _servers(cut, Script(answer="réponse entière", chunk_size=3)) as (broken, spare):
        backend = _backend([broken.base_url, spare.base_url])
        assert "".join(backend.stream(REQUEST)) == "réponse entière"
    assert len(broken.recorder.bodies) == 1 and len(spare.recorder.bodies) == 1


def test_the_concurrency_bound_holds_across_threads_and_replicas() -> None:
    with fake_openai_server(Script(answer="ok", delay_s=0.2)) as server:
        # Two replicas on one server (two paths), so that one recorder sees them both at once.
        root = server.base_url.removesuffix("/v1")
        urls = [f"{root}/gpu1/v1", f"{root}/gpu2/v1"]
        settings = _settings(urls, max_concurrency=3, queue_timeout_s=30)
        backends = [OpenAICompatBackend(settings) for _ in range(2)]  # e.g. portal and gateway
        results: list[str] = []
        errors: list[Exception] = []

        def ask(backend: OpenAICompatBackend) -> None:
            try:
                results.append(backend.complete(REQUEST))
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=ask, args=(backends[i % 2],)) for i in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors and results == ["ok"] * 12
    assert server.recorder.peak_in_flight == 3
    assert len(server.recorder.bodies) == 12


def test_beyond_the_bound_and_its_wait_the_model_is_saturated() -> None:
    with fake_openai_server(Script(answer="lent", delay_s=1.0)) as slow:
        backend = _backend([slow.base_url], max_concurrency=1, queue_timeout_s=0.2)
        first = threading.Thread(target=backend.complete, args=(REQUEST,))
        first.start()
        time.sleep(0.2)
        started = time.monotonic()
        with pytest.raises(ModelUnavailable, match="« interne-ferme » est saturé : 1 demandes"):
            backend.complete(REQUEST)
        assert time.monotonic() - started < 0.8
        first.join()
    assert len(slow.recorder.bodies) == 1  # the refused request reached no server


def test_embeddings_use_the_same_replicas() -> None:
    with fake_openai_server() as up:
        backend = _backend([_closed_url(), up.base_url])
        assert backend.embed(["un", "deux"]) == [[2.0, 1.0], [4.0, 1.0]]
        assert backend.embed(["trois"]) == [[5.0, 1.0]]
    assert len(up.recorder.bodies) == 2


def test_a_replica_comes_back_after_its_cool_down() -> None:
    now = [100.0]
    pool = ReplicaPool("m", ["http://a", "http://b"], cooldown_s=30, clock=lambda: now[0])
    a, _ = pool.replicas
    pool.mark_down(a, "injoignable")
    assert [pool.pick().url for _ in range(3)] == ["http://b"] * 3
    now[0] += 31
    assert {pool.pick().url for _ in range(2)} == {"http://a", "http://b"}


def test_the_least_busy_replica_is_chosen() -> None:
    pool = ReplicaPool("m", ["http://a", "http://b", "http://c"])
    a, _, c = pool.replicas
    with pool.using(a), pool.using(a), pool.using(c):
        assert [pool.pick().url for _ in range(3)] == ["http://b"] * 3


def test_models_check_reports_each_replica() -> None:
    down = _closed_url()
    with fake_openai_server(Script(answer="Bonjour.", chunk_size=2)) as up:
        report = check_model(_settings([up.base_url, down]), timeout_s=2)
    assert report.ok and report.answers
    assert report.where == f"{up.base_url}, {down}"
    first, second = report.replicas
    assert first.url == up.base_url and first.answers and first.problem is None
    assert second.url == down and not second.answers and "injoignable" in (second.problem or "")
    assert any(f"la réplique {down} ne répond pas" in note for note in report.notes)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"base_url": "http://a/v1"}, "base_url et replicas ne vont pas ensemble"),
        ({"replicas": ["gpu1:8000/v1"]}, "une adresse http:// ou https:// est attendue"),
        ({"replicas": ["http://a/v1", "http://a/v1/"]}, "deux fois la même adresse"),
        ({"replicas": []}, "exige base_url"),
    ],
)
def test_replica_settings_are_checked(extra: dict[str, object], expected: str) -> None:
    values: dict[str, object] = {"replicas": ["http://a/v1"], **extra}
    urls = values.pop("replicas")
    assert isinstance(urls, list)
    with pytest.raises(ValueError, match=expected):
        _settings(urls, **values)
