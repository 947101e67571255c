"""PredictionFeed: every prediction a model makes, from any producer, for live dashboards.

One consumer per bridge process reads the outputs topic of each model someone follows, from its end
onward (no consumer group, no commits), and calls listeners on the event loop with the decoded
prediction. ``follow``/``unfollow`` count subscribers: a model's topic is read only while it has one,
so a bridge nobody watches reads nothing of the models' traffic.
"""

from __future__ import annotations

import asyncio
import logging
import queue
from collections.abc import Callable
from typing import Any

from confluent_kafka import TopicPartition

from bridges.catalog import ModelCatalog
from bridges.readers import ReaderThread, end_positions, poll_batch
from streamproc.errors import StreamprocError
from streamproc.kafka.clients import reader
from streamproc.settings import StreamprocSettings
from streamproc.wire import headers as h
from streamproc.wire.avro.codec import AvroCodec

log = logging.getLogger(__name__)
Listener = Callable[[str, dict[str, Any], dict[str, Any]], None]


class PredictionFeed(ReaderThread):
    thread_name = "streamproc-feed"

    def __init__(self, settings: StreamprocSettings, catalog: ModelCatalog) -> None:
        super().__init__()
        self.settings = settings
        self.catalog = catalog
        self._listeners: list[Listener] = []
        self._models: dict[str, tuple[str, AvroCodec]] = {}  # outputs topic -> (model, codec)
        self._changes: queue.SimpleQueue[tuple[bool, str]] = queue.SimpleQueue()  # (follow?, model)
        self._followers: dict[str, int] = {}
        self._following: dict[str, asyncio.Event] = {}
        self._assigned: dict[str, list[TopicPartition]] = {}  # model -> its assigned partitions

    def add_listener(self, callback: Listener) -> None:
        self._listeners.append(callback)

    def follow(self, qualified_name: str) -> None:
        """One more subscriber of ``qualified_name``; its outputs topic is read from the first one on."""
        self._followers[qualified_name] = self._followers.get(qualified_name, 0) + 1
        if self._followers[qualified_name] == 1:
            self._changes.put((True, qualified_name))

    def unfollow(self, qualified_name: str) -> None:
        """One subscriber fewer; the topic is released when none is left."""
        count = self._followers.get(qualified_name, 0) - 1
        if count > 0:
            self._followers[qualified_name] = count
            return
        if self._followers.pop(qualified_name, None) is not None:
            self._following.pop(qualified_name, None)
            self._changes.put((False, qualified_name))

    def reading(self) -> list[str]:
        """The models whose outputs topic is assigned now."""
        return sorted(self._assigned)

    async def wait_following(self, qualified_name: str, timeout: float) -> bool:
        """True once every output of a followed model produced from now on will reach the listeners."""
        event = self._following.setdefault(qualified_name, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def _run(self) -> None:
        consumer = reader(self.settings)
        try:
            while not self._stopping.is_set():
                self._apply_changes(consumer)
                events = [event for m in poll_batch(consumer, 0.1) if (event := self._event(m)) is not None]
                if events:
                    self._call(self._publish, events)
        finally:
            consumer.close()

    def _apply_changes(self, consumer: Any) -> None:
        while not self._changes.empty():
            follow, name = self._changes.get()
            if not follow:
                partitions = self._assigned.pop(name, [])
                if partitions:
                    consumer.incremental_unassign(partitions)
                self._models = {t: m for t, m in self._models.items() if m[0] != name}
                continue
            if name in self._assigned:
                continue
            try:
                entry = self.catalog.get(name)
                topic = entry.topics.outputs
                codec = self.catalog.codecs.for_schema(entry.output_avro_schema, topic)
                positions = end_positions(consumer, [topic], timeout=5.0)
                consumer.incremental_assign(positions)
            except StreamprocError as exc:
                log.warning("feed: cannot follow %s yet: %s", name, exc)
                self._changes.put((True, name))
                self._stopping.wait(1.0)
                return
            self._models[topic] = (name, codec)
            self._assigned[name] = [TopicPartition(tp.topic, tp.partition) for tp in positions]
            self._call(self._mark_following, name)

    def _mark_following(self, qualified_name: str) -> None:
        self._following.setdefault(qualified_name, asyncio.Event()).set()

    def _event(self, message: Any) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        if message.error() is not None:
            return None
        if message.topic() not in self._models:  # fetched just before it was released
            return None
        model, codec = self._models[message.topic()]
        try:
            prediction = codec.decode(message.value())
        except StreamprocError as exc:
            log.warning("feed: unreadable output at %s/%d/%d: %s", message.topic(), message.partition(),
                        message.offset(), exc)  # fmt: skip
            return None
        headers = h.decode_headers(message.headers())
        meta = {
            "correlation_id": headers.get(h.CORRELATION_ID),
            "key": message.key().decode(errors="replace") if message.key() is not None else None,
            "timestamp": message.timestamp()[1],
            "partition": message.partition(),
            "offset": message.offset(),
        }
        return model, prediction, meta

    def _publish(self, events: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
        for model, prediction, meta in events:
            for listener in self._listeners:
                listener(model, prediction, meta)
