"""PredictionFeed: every prediction every model makes, for live dashboards.

One consumer per bridge process reads each catalog model's outputs topic from its end onward (no
consumer group, no commits) and calls listeners on the event loop with the decoded prediction.
"""

from __future__ import annotations

import asyncio
import logging
import queue
from collections.abc import Callable
from typing import Any

from bridges.catalog import ModelCatalog
from bridges.readers import ReaderThread, assign_at_end, poll_batch
from streamproc.errors import StreamprocError
from streamproc.kafka.clients import reader
from streamproc.settings import StreamprocSettings
from streamproc.wire import headers as h
from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.catalog_record import CatalogEntry

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
        self._new_entries: queue.SimpleQueue[CatalogEntry] = queue.SimpleQueue()
        self._following: dict[str, asyncio.Event] = {}

    def add_listener(self, callback: Listener) -> None:
        self._listeners.append(callback)

    async def wait_following(self, qualified_name: str, timeout: float) -> bool:
        """True once every output of ``qualified_name`` produced from now on will reach the listeners."""
        event = self._following.setdefault(qualified_name, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def start(self) -> None:
        if self._thread is None:
            self.catalog.add_listener(self._new_entries.put)
        await super().start()

    def _run(self) -> None:
        consumer = reader(self.settings)
        try:
            while not self._stopping.is_set():
                self._follow_new_models(consumer)
                events = [event for m in poll_batch(consumer, 0.1) if (event := self._event(m)) is not None]
                if events:
                    self._call(self._publish, events)
        finally:
            consumer.close()

    def _follow_new_models(self, consumer: Any) -> None:
        while not self._new_entries.empty():
            entry = self._new_entries.get()
            topic = entry.topics.outputs
            if topic in self._models:
                continue
            try:
                codec = self.catalog.codecs.for_schema(entry.output_avro_schema, topic)
                assign_at_end(consumer, [topic], timeout=5.0)
            except StreamprocError as exc:
                log.warning("feed: cannot follow %s yet: %s", topic, exc)
                self._new_entries.put(entry)
                self._stopping.wait(1.0)
                return
            self._models[topic] = (entry.qualified_name, codec)
            self._call(self._mark_following, entry.qualified_name)

    def _mark_following(self, qualified_name: str) -> None:
        self._following.setdefault(qualified_name, asyncio.Event()).set()

    def _event(self, message: Any) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        if message.error() is not None:
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
