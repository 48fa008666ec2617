"""A real OpenAI-compatible HTTP server on loopback that records every request body.

It stands in for a model provider in integration tests: what it received is exactly what a
provider would have received. Behaviours: echo the last user message, or a scripted answer,
streamed in small chunks; fail with a status; stall; cut the stream midway.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    answer: str | None = None  # None: echo the last user message
    chunk_size: int = 7
    fail_status: list[int] = field(default_factory=list)  # consumed one per request
    delay_s: float = 0.0
    cut_after_chunks: int | None = None
    garbage: bytes | None = None  # answer 200 with these bytes, as a broken proxy would
    stream: bool = True  # False: ignore "stream": true and answer in one JSON document
    models: list[str] = field(default_factory=lambda: ["fake"])  # what GET /models declares


@dataclass
class Recorder:
    bodies: list[dict[str, Any]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    in_flight: int = 0  # POST requests being answered now
    peak_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def all_text(self) -> str:
        return "\n".join(body.decode("utf-8", "replace") for body in self.raw)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            script = self.server.script
            if script.fail_status and script.fail_status[0] in (401, 403):
                status = script.fail_status[0]  # a refused key is refused everywhere
                self._json(status, {"error": {"message": f"scripted {status}"}})
                return
            data = [{"id": name, "object": "model"} for name in script.models]
            self._json(200, {"object": "list", "data": data})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        self.server.recorder.enter()
        try:
            self._answer_post()
        finally:
            self.server.recorder.leave()

    def _answer_post(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        raw = self.rfile.read(length)
        recorder = self.server.recorder
        recorder.raw.append(raw)
        recorder.headers.append(dict(self.headers.items()))
        try:
            body = json.loads(raw)
        except ValueError:
            self._json(400, {"error": {"message": "bad json"}})
            return
        recorder.bodies.append(body)
        script = self.server.script
        if script.fail_status:
            status = script.fail_status.pop(0)
            self._json(status, {"error": {"message": f"scripted {status}"}})
            return
        if script.delay_s:
            time.sleep(script.delay_s)
        if script.garbage is not None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(script.garbage)))
            self.end_headers()
            self.wfile.write(script.garbage)
            return
        if self.path.rstrip("/").endswith("/embeddings"):
            inputs = body.get("input")
            items = inputs if isinstance(inputs, list) else [inputs]
            data = [
                {"object": "embedding", "index": i, "embedding": [float(len(str(x))), 1.0]}
                for i, x in enumerate(items)
            ]
            self._json(200, {"object": "list", "data": data, "model": body.get("model")})
            return
        answer = script.answer
        if answer is None:
            users = [m for m in body.get("messages", []) if m.get("role") == "user"]
            answer = "ÉCHO : " + (str(users[-1].get("content", "")) if users else "")
        if body.get("stream") and script.stream:
            self._stream(answer, body.get("model", "fake"))
        else:
            self._json(200, _completion(answer, body.get("model", "fake")))

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, answer: str, model: str) -> None:
        script = self.server.script
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.end_headers()
        size = script.chunk_size
        for index, start in enumerate(range(0, len(answer), size)):
            if script.cut_after_chunks is not None and index >= script.cut_after_chunks:
                self.wfile.flush()
                self.close_connection = True
                return
            event = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "model": model,
                "choices": [{"index": 0, "delta": {"content": answer[start : start + size]}}],
            }
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
        final = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "model": model,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        self.wfile.write(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())
        self.wfile.flush()


def _completion(answer: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    recorder: Recorder
    script: Script

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-stream is part of what the tests exercise


@dataclass
class FakeProvider:
    base_url: str
    recorder: Recorder
    script: Script


@contextmanager
def fake_openai_server(script: Script | None = None) -> Iterator[FakeProvider]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.recorder = Recorder()
    server.script = script or Script()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield FakeProvider(f"http://{host}:{port}/v1", server.recorder, server.script)
    finally:
        server.shutdown()
        server.server_close()
