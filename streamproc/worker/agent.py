"""The agent engine (``engine: agent``): a Faust ``@app.agent`` per model on its inputs topic.

It takes what Faust has buffered in batches (``noack_take``), feeds the same ModelProcessor as the batch
consumer and produces with Faust's producer. Each event is acknowledged to Faust only after the broker
acknowledged its output or error record (a second task awaits those while the next batch is processed,
and sends a batch again while the broker is away), so Faust commits an input's offset only after that.
Like the batch consumer it reports to the model's metrics hooks and copies replies to reply topics.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import faust

from streamproc.worker.consumer import input_messages, log_error, send_or_fail, until_acknowledged
from streamproc.worker.hosting import HostedModel
from streamproc.worker.metrics import BatchHooks
from streamproc.worker.processor import InputMessage, OutputRecord
from streamproc.worker.reply_copies import ReplyCopier

log = logging.getLogger(__name__)
TAKE_WITHIN = 0.005  # seconds a partly filled batch waits for more events (the latency a lone input pays)
IN_FLIGHT_BATCHES = 16  # batches produced but not yet acknowledged by the broker, per model


def agent_name(qualified_name: str) -> str:
    return f"model.{qualified_name}"


@dataclass
class _Consumed:
    """What the metrics and tracing hooks read of a consumed record (aiokafka's shape: timestamp in ms)."""

    offset: int
    timestamp: int
    headers: Any
    topic: str


@dataclass
class SentBatch:
    events: list[Any]
    messages: list[InputMessage]
    records: list[OutputRecord]
    futures: list[Any]


@dataclass
class _Model:
    """What the agent's two tasks share about one model."""

    app: faust.App
    name: str
    hooks: BatchHooks
    copier: ReplyCopier
    outage_limit: float


def add_model_agent(
    app: faust.App, hosted: HostedModel, hooks: BatchHooks, copier: ReplyCopier, outage_limit: float = 900.0
) -> Any:
    """Register the model's agent on ``app`` (named ``model.<qualified_name>``) and return it."""
    processor = hosted.processor
    name = hosted.model.qualified_name
    batch_size = hosted.spec.batch_size
    topic = app.topic(hosted.topics.inputs, key_serializer="raw", value_serializer="raw")
    model = _Model(app, name, hooks, copier, outage_limit)

    async def serve(stream: Any) -> None:
        log.info("model %s: agent consuming %s", name, hosted.topics.inputs)
        sent: asyncio.Queue[SentBatch] = asyncio.Queue(maxsize=IN_FLIGHT_BATCHES)
        acknowledging = asyncio.create_task(_acknowledge(model, stream, sent))
        try:
            async for events in stream.noack_take(batch_size, within=TAKE_WITHIN):
                hooks.consumed(_consumed(events))
                messages = input_messages([[event.message for event in events]])
                records = processor.process(messages)
                copier.offer(records)  # copies to reply_to leave with the outputs, not after their ack
                hooks.processed()
                await sent.put(SentBatch(events, messages, records, await _send(app, records)))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # not about one message: the broker or the worker itself failed
            await _crash(app, name, exc)
            raise
        finally:
            acknowledging.cancel()

    def log_assignment(sender: Any, *args: Any, **kwargs: Any) -> None:  # args: (assigned,)
        assigned = [tp for tp in args[0] if tp.topic == hosted.topics.inputs]
        hooks.rebalanced(assigned, app.consumer)  # Faust's consumer knows each partition's log end
        log.info("model %s: assigned %s", name, sorted(tp.partition for tp in assigned))

    async def alive() -> None:  # the agent's stream waits for events; readiness needs a sign of life
        hooks.consumed({})

    async def copy_replies() -> None:
        await copier.run()

    app.on_partitions_assigned.connect(log_assignment)  # type: ignore[arg-type]  # mode types it too narrowly
    app.timer(1.0)(alive)
    app.task(copy_replies)
    serve.__doc__ = f"Serve {name} {hosted.model.version}: inputs -> outputs or errors."
    return app.agent(topic, name=agent_name(name))(serve)  # its help is the docstring


def _consumed(events: list[Any]) -> dict[Any, list[_Consumed]]:
    consumed: dict[Any, list[_Consumed]] = {}
    for event in events:
        m = event.message
        consumed.setdefault(m.tp, []).append(_Consumed(m.offset, int(m.timestamp * 1000), m.headers, m.topic))
    return consumed


async def _send(app: faust.App, records: list[OutputRecord]) -> list[Any]:
    """Produce ``records`` in order with Faust's producer; a failure to send is one failed future."""
    send = app.producer.send

    async def send_all() -> list[Any]:
        return [await send(r.topic, r.key, r.value, r.partition, None, r.headers) for r in records]

    return await send_or_fail(send_all)


async def _acknowledge(model: _Model, stream: Any, sent: asyncio.Queue[SentBatch]) -> None:
    """Ack each batch's events to Faust once the broker acknowledged all of its records (in order)."""
    while True:
        batch = await sent.get()
        try:
            await _delivered(model, batch)
        except Exception as exc:  # not transient, or the broker stayed away past the outage limit
            await _crash(model.app, model.name, exc)
            raise
        model.hooks.acknowledged(batch.records)
        for message, record in zip(batch.messages, batch.records, strict=True):
            if record.is_error:
                log_error(model.name, message, record)
        for event in batch.events:  # only now may Faust commit these offsets
            await stream.ack(event)


async def _delivered(model: _Model, batch: SentBatch) -> None:
    batch.futures = await until_acknowledged(
        batch.futures,
        lambda: _send(model.app, batch.records),
        f"model {model.name}: producing",
        model.outage_limit,
    )


async def _crash(app: faust.App, name: str, exc: BaseException) -> None:
    log.critical("model %s: stopping the worker: %r", name, exc)
    await app.crash(exc)
