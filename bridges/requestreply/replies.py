"""ReplyListener: reads this bridge instance's own reply topic in a thread and settles pending requests.

The worker copies each output or error record whose ``reply_to`` names this instance's reply topic
there (``streamproc/worker/reply_copies.py``), so this reader sees only replies to its own requests,
however much else the models' outputs topics carry. A record's key is the request id; it is decoded off
the event loop with the codecs registered for that request and handed to PendingReplies in batches.
"""

from __future__ import annotations

import asyncio
import logging
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
from streamproc.wire.error_record import ErrorRecord

log = logging.getLogger(__name__)
ERROR_CLASSES: dict[str, type[MessageError]] = {
    SchemaError.error_type: SchemaError,
    DeserializationError.error_type: DeserializationError,
    ModelError.error_type: ModelError,
}
POLL_TIMEOUT = 0.5  # s; poll returns at once when a reply arrives, this only bounds stop()
LATE = object()  # a reply nobody waits for any more


def error_from_record(record: ErrorRecord) -> MessageError:
    """The exception a requester raises for an error record the worker produced."""
    cls = ERROR_CLASSES.get(record.error_type, ModelError)
    return cls(record.message, details=[FieldIssue(d.location, d.message) for d in record.details])


class ReplyListener(ReaderThread):
    thread_name = "streamproc-replies"

    def __init__(self, settings: StreamprocSettings, topic: str, pending: PendingReplies) -> None:
        super().__init__()
        self.settings = settings
        self.topic = topic
        self._pending = pending
        self._consumer: Any = None

    async def start(self) -> None:
        """Assign the reply topic (from its end), then poll it in the thread."""
        if self._thread is not None:
            return
        # the broker answers a fetch as soon as a reply arrives; when idle, one fetch per half second
        consumer = reader(self.settings, **{"fetch.wait.max.ms": 500})
        try:
            await asyncio.to_thread(assign_at_end, consumer, [self.topic], 10.0)
        except BaseException:
            consumer.close()
            raise
        self._consumer = consumer
        await super().start()

    def _run(self) -> None:
        consumer = self._consumer
        try:
            while not self._stopping.is_set():
                replies = [
                    reply for m in poll_batch(consumer, POLL_TIMEOUT) if (reply := self._reply(m)) is not None
                ]
                if replies:
                    self._call(self._deliver, replies)
        finally:
            consumer.close()

    def _reply(self, message: Any) -> tuple[str, Any] | None:
        if message.error() is not None or message.key() is None:
            return None
        request_id = message.key().decode("utf-8", "replace")
        codecs = self._pending.codecs_for(request_id)
        if codecs is None:
            return request_id, LATE
        is_error = any(name == h.ERROR_TYPE for name, _ in message.headers() or ())
        try:
            record = (codecs.error if is_error else codecs.output).decode(message.value())
        except StreamprocError as exc:
            log.warning("unreadable reply at %s offset %d: %s", self.topic, message.offset(), exc)
            return request_id, ModelError("the model's reply could not be read")
        if is_error:
            return request_id, error_from_record(ErrorRecord.from_wire(record))
        return request_id, record

    def _deliver(self, replies: list[tuple[str, Any]]) -> None:
        for request_id, result in replies:
            if result is LATE:
                self._pending.counters.late += 1
            else:
                self._pending.resolve(request_id, result)
