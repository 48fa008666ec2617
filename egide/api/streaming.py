"""Streamed answers: the pipeline's chunks, produced on a worker thread, sent as server-sent
events in OpenAI's ``chat.completion.chunk`` format.

The pipeline is synchronous (guard, model client, audit trail), the HTTP server is not. One
worker thread iterates :meth:`egide.assistant.Run.chunks` for the whole answer and hands each
chunk to the event loop; the loop is woken only when it is waiting, and sends whatever has
arrived in one write. Hopping to a thread for every chunk instead would cost a wake-up of each
side per chunk, which is most of what a fast model's answer costs.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor
from typing import Any

from egide.api.errors import GatewayError
from egide.api.schemas import chat_chunk, completion_id, sse

__all__ = ["ChunkPump", "END", "stream_events"]

END = object()  # the answer is complete


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class ChunkPump:
    """Iterates ``chunks`` on one worker thread; the event loop takes what has arrived."""

    def __init__(self, chunks: Iterator[str], loop: asyncio.AbstractEventLoop) -> None:
        self._chunks = chunks
        self._loop = loop
        self._items: deque[object] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def start(self, executor: Executor) -> None:
        executor.submit(self._produce)

    def stop(self) -> None:
        """The client went away: the worker closes the model's stream after the current chunk."""
        self._stopped.set()

    def _produce(self) -> None:
        try:
            for piece in self._chunks:
                if self._stopped.is_set():
                    break
                self._push(piece)
            else:
                self._push(END)
        except BaseException as exc:  # handed over to the loop, which answers with an event
            self._push(_Failure(exc))
        finally:
            if self._stopped.is_set():
                close = getattr(self._chunks, "close", None)
                if close is not None:
                    close()

    def _push(self, item: object) -> None:
        with self._lock:
            self._items.append(item)
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            self._loop.call_soon_threadsafe(_wake, waiter)

    async def batch(self) -> list[object]:
        """What has arrived since the last call, waiting for at least one item."""
        with self._lock:
            if not self._items:
                self._waiter = self._loop.create_future()
            waiter = self._waiter
        if waiter is not None:
            await waiter
        with self._lock:
            items = list(self._items)
            self._items.clear()
        return items


async def stream_events(
    *,
    model: str,
    first: object,
    pump: ChunkPump | None,
    on_error: Callable[[BaseException], GatewayError],
    finish: Callable[[str], tuple[dict[str, Any], dict[str, int] | None]],
    finish_reason: Callable[[], str] = lambda: "stop",
) -> AsyncIterator[bytes]:
    """SSE events of one answer. ``first`` is the chunk drawn before answering (or END);
    ``finish(text)`` gives the ``egide`` extension and the usage (None: not asked for);
    ``finish_reason()`` says whether the answer ended or was cut at its maximum length."""
    ident, created = completion_id(), int(time.time())

    def event(**fields: Any) -> bytes:
        return sse(chat_chunk(id=ident, model=model, created=created, **fields))

    pieces: list[str] = [] if first is END else [str(first)]
    yield event(delta={"role": "assistant", "content": "".join(pieces)})
    done = first is END or pump is None
    try:
        while not done:
            assert pump is not None
            out: list[bytes] = []
            for item in await pump.batch():
                if item is END:
                    done = True
                elif isinstance(item, _Failure):
                    # The status line is gone: the error travels as a last event.
                    done = True
                    out.append(sse(on_error(item.error).body()))
                    yield b"".join(out)
                    return
                else:
                    pieces.append(str(item))
                    out.append(event(delta={"content": item}))
            yield b"".join(out)
    finally:
        if not done and pump is not None:
            pump.stop()
    extra, usage = finish("".join(pieces))
    tail = [event(finish=finish_reason(), extra=extra)]
    if usage is not None:
        tail.append(event(usage=usage))
    tail.append(b"data: [DONE]\n\n")
    yield b"".join(tail)
