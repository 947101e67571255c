"""The agent engine (``engine: agent``): a Faust ``@app.agent`` per model on its inputs topic.

It takes what Faust has buffered in batches (``noack_take``), feeds the same ModelProcessor as the batch
consumer and produces with Faust's producer. Each event is acknowledged to Faust only after the broker
acknowledged its output or error record (a second task awaits those while the next batch is processed),
so Faust commits an input's offset only after that.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import faust

from streamproc.worker.consumer import input_message, log_error
from streamproc.worker.hosting import HostedModel
from streamproc.worker.processor import InputMessage, OutputRecord

log = logging.getLogger(__name__)
TAKE_WITHIN = 0.005  # seconds a partly filled batch waits for more events (the latency a lone input pays)
IN_FLIGHT_BATCHES = 16  # batches produced but not yet acknowledged by the broker, per model


def agent_name(qualified_name: str) -> str:
    return f"model.{qualified_name}"


def add_model_agent(app: faust.App, hosted: HostedModel) -> Any:
    """Register the model's agent on ``app`` (named ``model.<qualified_name>``) and return it."""
    processor = hosted.processor
    name = hosted.model.qualified_name
    batch_size = hosted.spec.batch_size
    topic = app.topic(hosted.topics.inputs, key_serializer="raw", value_serializer="raw")

    async def serve(stream: Any) -> None:
        log.info("model %s: agent consuming %s", name, hosted.topics.inputs)
        sent: asyncio.Queue[SentBatch] = asyncio.Queue(maxsize=IN_FLIGHT_BATCHES)
        acknowledging = asyncio.create_task(_acknowledge(app, stream, sent, name))
        try:
            async for events in stream.noack_take(batch_size, within=TAKE_WITHIN):
                messages = [input_message(event.message) for event in events]
                records = processor.process(messages)
                send = app.producer.send
                futures = [await send(r.topic, r.key, r.value, r.partition, None, r.headers) for r in records]
                await sent.put(SentBatch(events, messages, records, futures))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # not about one message: the broker or the worker itself failed
            await _crash(app, name, exc)
            raise
        finally:
            acknowledging.cancel()

    def log_assignment(sender: Any, *args: Any, **kwargs: Any) -> None:  # args: (assigned,)
        partitions = sorted(tp.partition for tp in args[0] if tp.topic == hosted.topics.inputs)
        log.info("model %s: assigned %s", name, partitions)

    app.on_partitions_assigned.connect(log_assignment)  # type: ignore[arg-type]  # mode types it too narrowly
    serve.__doc__ = f"Serve {name} {hosted.model.version}: inputs -> outputs or errors."
    return app.agent(topic, name=agent_name(name))(serve)  # its help is the docstring


@dataclass
class SentBatch:
    events: list[Any]
    messages: list[InputMessage]
    records: list[OutputRecord]
    futures: list[Any]


async def _acknowledge(app: faust.App, stream: Any, sent: asyncio.Queue[SentBatch], name: str) -> None:
    """Ack each batch's events to Faust once the broker acknowledged all of its records (in order)."""
    while True:
        batch = await sent.get()
        try:
            await asyncio.gather(*batch.futures)
        except Exception as exc:  # the broker failed to store a record
            await _crash(app, name, exc)
            raise
        for message, record in zip(batch.messages, batch.records, strict=True):
            if record.is_error:
                log_error(name, message, record)
        for event in batch.events:  # only now may Faust commit these offsets
            await stream.ack(event)


async def _crash(app: faust.App, name: str, exc: BaseException) -> None:
    log.critical("model %s: stopping the worker: %r", name, exc)
    await app.crash(exc)
