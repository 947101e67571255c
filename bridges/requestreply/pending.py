"""PendingReplies: correlation id → the future its caller awaits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any


@dataclass
class ReplyCounters:
    late: int = 0  # replies that arrived after their caller gave up (or were never ours to answer)


class PendingReplies:
    def __init__(self) -> None:
        self._futures: dict[str, asyncio.Future[Any]] = {}
        self.counters = ReplyCounters()

    def __len__(self) -> int:
        return len(self._futures)

    def add(self, correlation_id: str) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._futures[correlation_id] = future
        return future

    def discard(self, correlation_id: str) -> None:
        self._futures.pop(correlation_id, None)

    def resolve(self, correlation_id: str, result: Any) -> None:
        """Settle the caller's future with a reply: a value, or an exception to raise."""
        future = self._futures.pop(correlation_id, None)
        if future is None or future.done():
            self.counters.late += 1
            return
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)

    def fail(self, correlation_id: str, error: BaseException) -> None:
        future = self._futures.pop(correlation_id, None)
        if future is not None and not future.done():
            future.set_exception(error)

    def fail_all(self, error: BaseException) -> None:
        for correlation_id in list(self._futures):
            self.fail(correlation_id, error)
