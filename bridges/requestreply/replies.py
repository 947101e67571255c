"""ReplyListener: the reply consumer of one bridge process, running in its own thread.

It reads the outputs and errors topics of every model asked for so far, keeps only the records whose
``reply_to`` header names this instance, decodes them off the event loop and hands them to
PendingReplies in batches.
"""

from __future__ import annotations

import asyncio
import logging
import queue
from typing import Any

from bridges.readers import ReaderThread, assign_at_end, poll_batch
from bridges.requestreply.pending import PendingReplies
from streamproc.errors import (
    DeserializationError,
    FieldIssue,
    MessageError,
    ModelError,
    SchemaError,
    StreamprocError,
)
from streamproc.kafka.clients import reader
from streamproc.settings import StreamprocSettings
from streamproc.wire import headers as h
from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.catalog_record import CatalogEntry
from streamproc.wire.codec_factory import Codecs
from streamproc.wire.error_record import ErrorRecord

log = logging.getLogger(__name__)
ERROR_CLASSES: dict[str, type[MessageError]] = {
    SchemaError.error_type: SchemaError,
    DeserializationError.error_type: DeserializationError,
    ModelError.error_type: ModelError,
}


def error_from_record(record: ErrorRecord) -> MessageError:
    """The exception a requester raises for an error record the worker produced."""
    cls = ERROR_CLASSES.get(record.error_type, ModelError)
    return cls(record.message, details=[FieldIssue(d.location, d.message) for d in record.details])


class ReplyListener(ReaderThread):
    thread_name = "streamproc-replies"

    def __init__(
        self, settings: StreamprocSettings, codecs: Codecs, instance_id: str, pending: PendingReplies
    ) -> None:
        super().__init__()
        self.settings = settings
        self.codecs = codecs
        self._reply_to = instance_id.encode()
        self._pending = pending
        self._decoders: dict[str, tuple[bool, AvroCodec]] = {}  # topic -> (is_error_topic, codec)
        self._ready: dict[str, asyncio.Future[None]] = {}  # model -> assigned
        self._requests: queue.SimpleQueue[tuple[CatalogEntry, asyncio.Future[None]]] = queue.SimpleQueue()

    async def ensure(self, entry: CatalogEntry) -> None:
        """Return once replies for ``entry`` are being read (at once after the first time)."""
        future = self._ready.get(entry.qualified_name)
        if future is None or (future.done() and future.exception() is not None):
            assert self._loop is not None
            future = self._loop.create_future()
            self._ready[entry.qualified_name] = future
            self._requests.put((entry, future))
        await asyncio.shield(future)

    def _run(self) -> None:
        consumer = reader(self.settings)
        try:
            while not self._stopping.is_set():
                self._serve_assignments(consumer)
                replies = [reply for m in poll_batch(consumer, 0.05) if (reply := self._reply(m)) is not None]
                if replies:
                    self._call(self._deliver, replies)
        finally:
            consumer.close()

    def _serve_assignments(self, consumer: Any) -> None:
        while not self._requests.empty():
            entry, future = self._requests.get()
            topics = entry.topics
            try:
                self._decoders[topics.outputs] = (
                    False,
                    self.codecs.for_schema(entry.output_avro_schema, topics.outputs),
                )
                self._decoders[topics.errors] = (True, self.codecs.errors(topics.errors))
                assign_at_end(consumer, [topics.outputs, topics.errors], timeout=5.0)
            except StreamprocError as exc:
                self._call(_settle, future, exc)
            else:
                self._call(_settle, future, None)

    def _reply(self, message: Any) -> tuple[str, Any] | None:
        if message.error() is not None:
            return None
        correlation_id = None
        mine = False
        for name, value in message.headers() or ():
            if name == h.REPLY_TO:
                mine = value == self._reply_to
            elif name == h.CORRELATION_ID:
                correlation_id = value
        if not mine or correlation_id is None:
            return None
        return correlation_id.decode(), self._decode(message)

    def _decode(self, message: Any) -> Any:
        is_error, codec = self._decoders[message.topic()]
        try:
            record = codec.decode(message.value())
        except StreamprocError as exc:
            return ModelError(f"unreadable reply on {message.topic()}: {exc}")
        if is_error:
            return error_from_record(ErrorRecord.from_wire(record))
        return record

    def _deliver(self, replies: list[tuple[str, Any]]) -> None:
        for correlation_id, result in replies:
            self._pending.resolve(correlation_id, result)


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
