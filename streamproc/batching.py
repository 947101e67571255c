"""The worker's batching loop over a Faust stream.

Events are moved from the stream into a bounded queue; the drain loop takes whatever is already
queued (up to the batch size) and never waits for a batch to fill, so light traffic sees no added
latency and heavy traffic gets full batches. An input is acknowledged (and so its offset becomes
committable) only after its output or error record is acknowledged by the broker: at-least-once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from streamproc import headers as h
from streamproc.processor import InputMessage, ModelProcessor, OutputRecord

log = logging.getLogger(__name__)


def input_message(event: Any) -> InputMessage:
    message = event.message
    return InputMessage(
        value=message.value,
        key=message.key,
        headers=h.decode_headers(message.headers),
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
    )


class BatchingLoop:
    def __init__(self, app: Any, processor: ModelProcessor, batch_size: int) -> None:
        self.app = app
        self.processor = processor
        self.batch_size = batch_size

    async def run(self, stream: Any) -> None:
        stream.enable_acks = False  # we ack each event after its record is acknowledged
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=self.batch_size * 2)
        drain = asyncio.ensure_future(self._drain(queue, stream))
        try:
            async for event in stream.events():
                if drain.done():
                    break
                await queue.put(event)
        finally:
            drain.cancel()

    async def _drain(self, queue: asyncio.Queue[Any], stream: Any) -> None:
        while True:
            events = [await queue.get()]
            while len(events) < self.batch_size and not queue.empty():
                events.append(queue.get_nowait())
            try:
                await self._handle(events, stream)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # not about one message: the broker or the worker itself failed
                log.critical(
                    "model %s: batch of %d failed, stopping the worker: %r",
                    self.processor.qualified_name,
                    len(events),
                    exc,
                )
                await self.app.crash(exc)
                return

    async def _handle(self, events: list[Any], stream: Any) -> None:
        messages = [input_message(event) for event in events]
        records = self.processor.process(messages)
        producer = self.app.producer
        pending = [
            await producer.send(r.topic, r.key, r.value, r.partition, None, r.headers) for r in records
        ]
        await asyncio.gather(*pending)
        for message, record in zip(messages, records, strict=True):
            if record.is_error:
                _log_error(self.processor.qualified_name, message, record)
        for event in events:
            await stream.ack(event)


def _log_error(model: str, message: InputMessage, record: OutputRecord) -> None:
    error_type = dict(record.headers).get(h.ERROR_TYPE, b"").decode()
    log.warning(
        "model=%s topic=%s partition=%d offset=%d -> %s on %s",
        model,
        message.topic,
        message.partition,
        message.offset,
        error_type,
        record.topic,
    )
