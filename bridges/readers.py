"""How bridges read Kafka: a ReaderThread per reader (catalog, replies, prediction feed), assigned at the end.

confluent-kafka consumers block, so each reader polls in a thread of its own and hands what it read to
the event loop with ``_call``; ``start()`` and ``stop()`` are idempotent and awaited. Looking the end
offsets up before assigning means a record produced after ``assign_at_end`` returns is always seen.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer, KafkaException, Message, TopicPartition

from streamproc.errors import BrokerUnavailableError
from streamproc.kafka.clients import confluent_error


class ReaderThread:
    thread_name = "streamproc-reader"

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

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


def end_positions(consumer: Consumer, topics: list[str], timeout: float) -> list[TopicPartition]:
    positions = []
    try:
        for topic in topics:
            metadata = consumer.list_topics(topic, timeout=timeout).topics[topic]
            if metadata.error is not None:
                raise BrokerUnavailableError(f"topic {topic}: {metadata.error.str()}")
            for partition in sorted(metadata.partitions):
                _low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=timeout)
                positions.append(TopicPartition(topic, partition, high))
    except KafkaException as exc:
        raise confluent_error(exc, f"assigning {topics}") from exc
    return positions


def assign_at_end(consumer: Consumer, topics: list[str], timeout: float) -> None:
    consumer.incremental_assign(end_positions(consumer, topics, timeout))


def poll_batch(consumer: Consumer, timeout: float, max_records: int = 1000) -> list[Message]:
    """Wait up to ``timeout`` s for one record, then take whatever else is already fetched."""
    message = consumer.poll(timeout)
    if message is None:
        return []
    return [message, *consumer.consume(num_messages=max_records, timeout=0)]
