"""PendingReplies: request id → the future its caller awaits and the codecs that read its reply."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from streamproc.wire.avro.codec import AvroCodec


@dataclass
class ReplyCounters:
    late: int = 0  # replies that arrived after their caller gave up (or were never ours to answer)


@dataclass(frozen=True)
class ReplyCodecs:
    """How to read the reply of one model: its output record, or an error record."""

    output: AvroCodec
    error: AvroCodec


class PendingReplies:
    """Written on the event loop; ``codecs_for`` is also read by the reply thread (a dict lookup)."""

    def __init__(self) -> None:
        self._futures: dict[str, asyncio.Future[Any]] = {}
        self._codecs: dict[str, ReplyCodecs] = {}
        self.counters = ReplyCounters()

    def __len__(self) -> int:
        return len(self._futures)

    def add(self, request_id: str, codecs: ReplyCodecs) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._futures[request_id] = future
        self._codecs[request_id] = codecs
        return future

    def futures(self) -> list[asyncio.Future[Any]]:
        return list(self._futures.values())

    def codecs_for(self, request_id: str) -> ReplyCodecs | None:
        return self._codecs.get(request_id)

    def discard(self, request_id: str) -> None:
        self._futures.pop(request_id, None)
        self._codecs.pop(request_id, None)

    def resolve(self, request_id: str, result: Any) -> None:
        """Settle the caller's future with a reply: a value, or an exception to raise."""
        future = self._futures.pop(request_id, None)
        self._codecs.pop(request_id, None)
        if future is None or future.done():
            self.counters.late += 1
            return
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)

    def fail(self, request_id: str, error: BaseException) -> None:
        future = self._futures.pop(request_id, None)
        self._codecs.pop(request_id, None)
        if future is not None and not future.done():
            future.set_exception(error)

    def fail_all(self, error: BaseException) -> None:
        for request_id in list(self._futures):
            self.fail(request_id, error)
