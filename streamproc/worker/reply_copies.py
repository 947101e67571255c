"""Reply copies: a copy of each output or error record for the bridge instance whose request it answers.

Every record still lands on the model's outputs or errors topic; a copy also goes to the reply topic
named by the input's ``reply_to`` header, so a bridge reads its own replies and nothing else. ``reply_to``
comes from whoever produced the input, so it is judged: a copy is sent only to a name of the reply-topic
shape of this prefix (``{prefix}.replies.{instance}``) that exists in the cluster metadata, refreshed at
most once a second and never creating a topic. A copy to a reply topic known to exist is handed to the
producer at once (a non-blocking call); any other waits in a bounded queue drained by one background task
that looks the name up, so a hostile or vanished ``reply_to`` never blocks, slows or stops the worker's own
loop: at worst a copy is skipped and the bridge that asked times out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from confluent_kafka import KafkaException

from streamproc.kafka.clients import producer
from streamproc.settings import StreamprocSettings
from streamproc.wire import headers as h
from streamproc.wire.topics import is_reply_topic
from streamproc.worker.processor import OutputRecord

log = logging.getLogger(__name__)
QUEUE_SIZE = 10_000  # copies waiting to be sent; more are skipped (their bridges time out)
REFRESH_EVERY = 1.0  # seconds: at most one metadata request per interval
STALE_AFTER = 30.0  # seconds: topics known to exist are re-checked after this long
REPORT_EVERY = 10.0  # seconds between log lines about skipped copies


class ReplyClient(Protocol):
    """The Kafka side of the copier (a fake in unit tests)."""

    async def topics(self) -> set[str]: ...

    def send(self, topic: str, record: OutputRecord) -> None: ...

    async def close(self) -> None: ...


class KafkaReplyClient:
    """A producer that never asks the broker to create a topic (``allow.auto.create.topics`` off)."""

    def __init__(self, settings: StreamprocSettings) -> None:
        self._settings = settings
        self._producer: Any = None

    def _ensure(self) -> Any:
        if self._producer is None:
            # linger 0: a lone reply leaves at once (a bridge client waits on it); under load
            # librdkafka still batches what queues meanwhile
            config = {"allow.auto.create.topics": False, "enable.idempotence": False, "linger.ms": 0}
            self._producer = producer(self._settings, **config)
        return self._producer

    async def topics(self) -> set[str]:
        metadata = await asyncio.to_thread(self._ensure().list_topics, timeout=2.0)
        return set(metadata.topics)

    def send(self, topic: str, record: OutputRecord) -> None:
        client = self._ensure()
        client.produce(topic, value=record.value, key=record.key, headers=record.headers)
        client.poll(0)

    async def close(self) -> None:
        if self._producer is not None:
            await asyncio.to_thread(self._producer.flush, 2.0)
            self._producer = None


def reply_to(record: OutputRecord) -> str | None:
    for name, value in record.headers:
        if name == h.REPLY_TO:
            return value.decode("utf-8", "replace")
    return None


class ReplyCopier:
    """``offer`` sends copies or queues them (never waits); ``run`` sends the queued ones until cancelled."""

    def __init__(
        self,
        prefix: str,
        client: ReplyClient,
        queue_size: int = QUEUE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.prefix = prefix
        self._client = client
        self._queue: asyncio.Queue[tuple[str, OutputRecord]] = asyncio.Queue(queue_size)
        self._clock = clock
        self._known: set[str] = set()
        self._refreshed = -STALE_AFTER
        self._reported = 0.0
        self._draining = False  # ``run`` holds copies taken from the queue
        self.sent = 0
        self.skipped = 0  # reply_to of the wrong shape, a topic that does not exist, or a full queue

    def offer(self, records: Iterable[OutputRecord]) -> None:
        """Send each record's copy now if its reply topic is known to exist (and no copy is queued ahead
        of it, so copies keep their order); queue it otherwise, or skip it when the queue is full."""
        fresh = self._clock() - self._refreshed <= STALE_AFTER
        for record in records:
            topic = reply_to(record)
            if topic is None:
                continue
            if not is_reply_topic(self.prefix, topic) or self._queue.full():
                self.skipped += 1
            elif fresh and topic in self._known and not self._draining and self._queue.empty():
                self._send_one(topic, record)
            else:
                self._queue.put_nowait((topic, record))

    async def run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self._draining = True
            try:
                await self._send(batch)
            except asyncio.CancelledError:
                raise
            except Exception:  # a copy is a courtesy: never let it stop the worker
                self.skipped += len(batch)
                log.exception("reply copies: %d skipped", len(batch))
            finally:
                self._draining = False
            self._report()

    async def close(self) -> None:
        await self._client.close()

    async def _send(self, batch: list[tuple[str, OutputRecord]]) -> None:
        stale = self._clock() - self._refreshed > STALE_AFTER
        if stale or any(topic not in self._known for topic, _ in batch):
            await self._refresh()
        for topic, record in batch:
            if topic in self._known:
                self._send_one(topic, record)
            else:
                self.skipped += 1

    def _send_one(self, topic: str, record: OutputRecord) -> None:
        try:
            self._client.send(topic, record)
            self.sent += 1
        except (BufferError, KafkaException) as exc:  # the producer's queue is full, or it refused
            self.skipped += 1
            log.debug("reply copy to %s skipped: %s", topic, exc)

    async def _refresh(self) -> None:
        wait = self._refreshed + REFRESH_EVERY - self._clock()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            names = await self._client.topics()
        except (KafkaException, OSError, RuntimeError) as exc:
            log.warning("reply copies: metadata request failed: %s", exc)
            names = self._known
        self._known = {name for name in names if is_reply_topic(self.prefix, name)}
        self._refreshed = self._clock()

    def _report(self) -> None:
        now = self._clock()
        if self.skipped and now - self._reported >= REPORT_EVERY:
            log.warning("reply copies: %d skipped so far (no such reply topic, or queue full)", self.skipped)
            self._reported = now
