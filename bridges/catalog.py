"""The model catalog as bridges see it: the compacted ``{prefix}.catalog`` topic, read from the start.

Bridges import no model code: every model they serve comes from here, and a model whose worker starts
later appears without a restart. ``read_catalog`` is the one-shot, synchronous form used by the CLI.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from confluent_kafka import KafkaError, TopicPartition

from bridges.readers import ReaderThread
from streamproc.errors import BrokerUnavailableError, StreamprocError, UnknownModelError
from streamproc.kafka.admin import catalog_topic_spec, ensure_topics
from streamproc.kafka.clients import reader
from streamproc.kafka.probe import broker_answers
from streamproc.settings import StreamprocSettings
from streamproc.wire.catalog_record import CatalogEntry
from streamproc.wire.codec_factory import Codecs

log = logging.getLogger(__name__)
Change = tuple[str, CatalogEntry | None]  # (qualified name, entry or None when deleted)


class CatalogConsumer:
    """Reads catalog records from the beginning; knows when it has caught up with the end."""

    def __init__(self, settings: StreamprocSettings, codecs: Codecs, fetch_wait_ms: int = 500) -> None:
        self.settings = settings
        self._codec = codecs.catalog()
        # fetch.wait.max.ms: a change is fetched as soon as it lands; idle, one fetch per half second
        self._consumer = reader(
            settings, **{"enable.partition.eof": True, "fetch.wait.max.ms": fetch_wait_ms}
        )
        self._at_end: dict[int, bool] = {}

    def open(self, timeout: float) -> None:
        topic = self.settings.catalog_topic
        metadata = self._consumer.list_topics(topic, timeout=timeout).topics[topic]
        if metadata.error is not None:
            raise BrokerUnavailableError(f"catalog topic {topic}: {metadata.error.str()}")
        self._at_end = {p: False for p in metadata.partitions}
        self._consumer.assign([TopicPartition(topic, p, -2) for p in self._at_end])  # -2: beginning

    @property
    def caught_up(self) -> bool:
        return bool(self._at_end) and all(self._at_end.values())

    def poll(self, timeout: float) -> list[Change]:
        changes: list[Change] = []
        message = self._consumer.poll(timeout)
        while message is not None:
            error = message.error()
            partition = message.partition() or 0
            if error is not None and error.code() == KafkaError._PARTITION_EOF:
                self._at_end[partition] = True
            elif error is not None:
                log.warning("catalog: %s", error.str())
            else:
                changes.append(self._decode(message))
                self._at_end[partition] = False
            message = self._consumer.poll(0)
        return [change for change in changes if change[0]]

    def _decode(self, message: object) -> Change:
        key = (message.key() or b"").decode("utf-8", "replace")  # type: ignore[attr-defined]
        value = message.value()  # type: ignore[attr-defined]
        if value is None:
            return key, None
        try:
            return key, CatalogEntry.from_wire(self._codec.decode(value))
        except (StreamprocError, ValueError) as exc:
            log.warning("catalog: record for %s at offset %d is unreadable: %s", key, message.offset(), exc)  # type: ignore[attr-defined]
            return "", None

    def close(self) -> None:
        self._consumer.close()


def read_catalog(settings: StreamprocSettings, timeout: float = 10.0) -> dict[str, CatalogEntry]:
    """Every model in the catalog now; BrokerUnavailableError when Kafka does not answer in time."""
    if not broker_answers(settings, timeout=min(timeout, 5.0)):
        raise BrokerUnavailableError(f"Kafka at {settings.bootstrap_servers} did not answer")
    # a one-shot read (send, receive, ...): the end of the topic is known within 50 ms, not half a second
    consumer = CatalogConsumer(settings, Codecs(settings), fetch_wait_ms=50)
    entries: dict[str, CatalogEntry] = {}
    deadline = time.monotonic() + timeout
    try:
        consumer.open(timeout)
        while not consumer.caught_up and time.monotonic() < deadline:
            for name, entry in consumer.poll(0.2):
                _apply(entries, name, entry)
    finally:
        consumer.close()
    if not consumer.caught_up:
        raise BrokerUnavailableError(f"the catalog topic {settings.catalog_topic} could not be read in time")
    return entries


def _apply(entries: dict[str, CatalogEntry], name: str, entry: CatalogEntry | None) -> None:
    if entry is None:
        entries.pop(name, None)
    else:
        entries[name] = entry


class ModelCatalog(ReaderThread):
    """A live view of the catalog, updated by a background thread; read from the event loop."""

    thread_name = "streamproc-catalog"

    def __init__(self, settings: StreamprocSettings, codecs: Codecs | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.codecs = codecs or Codecs(settings)
        self._entries: dict[str, CatalogEntry] = {}
        self._listeners: list[Callable[[CatalogEntry], None]] = []
        self._ready = asyncio.Event()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def wait_ready(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def get(self, qualified_name: str) -> CatalogEntry:
        entry = self._entries.get(qualified_name)
        if entry is not None:
            return entry
        if not self.ready:
            raise BrokerUnavailableError("the model catalog has not been read from Kafka yet")
        raise UnknownModelError(qualified_name)

    def entries(self) -> list[CatalogEntry]:
        return [self._entries[name] for name in sorted(self._entries)]

    def add_listener(self, callback: Callable[[CatalogEntry], None]) -> None:
        self._listeners.append(callback)
        for entry in self.entries():
            callback(entry)

    def _run(self) -> None:
        consumer = self._open()
        if consumer is None:
            return
        announced_ready = False
        try:
            while not self._stopping.is_set():
                changes = consumer.poll(0.5)
                newly_ready = consumer.caught_up and not announced_ready
                if changes or newly_ready:
                    self._call(self._apply_changes, changes, consumer.caught_up)
                    announced_ready = announced_ready or consumer.caught_up
        finally:
            consumer.close()

    def _open(self) -> CatalogConsumer | None:
        """Create the catalog topic if needed and assign it, retrying while the broker is away."""
        while not self._stopping.is_set():
            try:
                ensure_topics(self.settings, [catalog_topic_spec(self.settings)], timeout=5)
                consumer = CatalogConsumer(self.settings, self.codecs)
                consumer.open(timeout=5)
                return consumer
            except StreamprocError as exc:
                log.warning("catalog: %s; retrying", exc)
                self._stopping.wait(1.0)
        return None

    def _apply_changes(self, changes: list[Change], caught_up: bool) -> None:
        for name, entry in changes:
            _apply(self._entries, name, entry)
            if entry is not None:
                log.info("catalog: %s %s", name, entry.version)
                for listener in self._listeners:
                    listener(entry)
        if caught_up:
            self._ready.set()
