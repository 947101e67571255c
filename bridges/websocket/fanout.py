"""Per-client bounded buffers for live prediction streams.

Every connected client gets one ``ClientBuffer``: a bounded asyncio queue and one sender task. Publishing
never awaits, so a slow client cannot stall the feed or the other clients; when a client's buffer is full
the oldest event is dropped (a dashboard wants the latest) and reported to ``on_drop(model)``; the server
counts it in ``streamproc_websocket_dropped_events_total``. The sender awaits the transport's ``send``
callable, which returns only once the client has room (the server waits for the Engine.IO queue to drain).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

SendFn = Callable[[str, str, dict[str, Any]], Awaitable[None]]
"""``send(sid, event, payload)``: deliver one event to one client, returning when it is handed over."""
ModelHook = Callable[[str], None]
"""Called with the model's qualified name when an event is dropped or sent."""


def _ignore(model: str) -> None:
    return None


DEFAULT_BUFFER_SIZE = 256


class ClientBuffer:
    """A bounded queue of events for one client, drained by one sender task."""

    def __init__(
        self,
        sid: str,
        send: SendFn,
        maxsize: int = DEFAULT_BUFFER_SIZE,
        on_drop: ModelHook = _ignore,
        on_sent: ModelHook = _ignore,
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.sid = sid
        self._send = send
        self._on_drop = on_drop
        self._on_sent = on_sent
        self._queue: asyncio.Queue[tuple[str, str, dict[str, Any]]] = asyncio.Queue(maxsize)
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"ws-sender-{self.sid}")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def offer(self, model: str, event: str, payload: dict[str, Any]) -> bool:
        """Queue an event without waiting; returns False when an older event had to be dropped."""
        dropped = False
        if self._queue.full():
            old_model, _, _ = self._queue.get_nowait()
            self.dropped += 1
            self._on_drop(old_model)
            dropped = True
        self._queue.put_nowait((model, event, payload))
        return not dropped

    async def _run(self) -> None:
        while True:
            model, event, payload = await self._queue.get()
            try:
                await self._send(self.sid, event, payload)
                self._on_sent(model)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("websocket send failed sid=%s model=%s event=%s", self.sid, model, event)


class Fanout:
    """The set of client buffers of one server; ``publish`` copies an event into each target buffer."""

    def __init__(
        self,
        send: SendFn,
        buffer_size: int = DEFAULT_BUFFER_SIZE,
        on_drop: ModelHook = _ignore,
        on_sent: ModelHook = _ignore,
    ) -> None:
        self._send = send
        self._buffer_size = buffer_size
        self._on_drop = on_drop
        self._on_sent = on_sent
        self._clients: dict[str, ClientBuffer] = {}

    def add_client(self, sid: str) -> ClientBuffer:
        buffer = self._clients.get(sid)
        if buffer is None:
            buffer = self._clients[sid] = ClientBuffer(
                sid, self._send, self._buffer_size, self._on_drop, self._on_sent
            )
            buffer.start()
        return buffer

    async def remove_client(self, sid: str) -> None:
        buffer = self._clients.pop(sid, None)
        if buffer is not None:
            await buffer.close()

    def client(self, sid: str) -> ClientBuffer | None:
        return self._clients.get(sid)

    def publish(self, sids: Iterable[str], model: str, event: str, payload: dict[str, Any]) -> int:
        """Offer the event to every listed client that is connected; returns how many got it queued."""
        queued = 0
        for sid in sids:
            buffer = self._clients.get(sid)
            if buffer is not None:
                buffer.offer(model, event, payload)
                queued += 1
        return queued

    async def close(self) -> None:
        clients, self._clients = self._clients, {}
        await asyncio.gather(*(buffer.close() for buffer in clients.values()))
