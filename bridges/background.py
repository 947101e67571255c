"""ReaderThread: the lifecycle shared by the bridges' Kafka readers (catalog, replies, prediction feed).

confluent-kafka consumers block, so each reader polls in a thread of its own and hands what it read to
the event loop with ``_call``. ``start()`` and ``stop()`` are idempotent and awaited.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any


class ReaderThread:
    thread_name = "streamproc-reader"

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        if self._thread is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        if self._thread is None:
            return
        self._stopping.set()
        await asyncio.to_thread(self._thread.join, 10)
        self._thread = None

    def _run(self) -> None:
        """The thread's body: poll until ``self._stopping`` is set."""
        raise NotImplementedError

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the event loop (from the reader thread)."""
        assert self._loop is not None
        try:
            self._loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop closed while we were stopping
            self._stopping.set()
