"""The agent engine (``engine: agent``): a Faust ``@app.agent`` per model on its inputs topic.

It takes what Faust has buffered in batches (``noack_take``), feeds the same ModelProcessor as the batch
consumer and produces with Faust's producer. Each event is acknowledged to Faust only after the broker
acknowledged its output or error record, so Faust commits an input's offset only after that. Like the
batch consumer it reports to the model's metrics hooks and copies replies to the bridges' reply topics.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import faust

from streamproc.worker.consumer import input_message, log_error
from streamproc.worker.hosting import HostedModel
from streamproc.worker.metrics import BatchHooks
from streamproc.worker.reply_copies import ReplyCopier

log = logging.getLogger(__name__)
TAKE_WITHIN = 0.005  # seconds a partly filled batch waits for more events (the latency a lone input pays)


def agent_name(qualified_name: str) -> str:
    return f"model.{qualified_name}"


@dataclass
class _Consumed:
    """What the metrics and tracing hooks read of a consumed record (aiokafka's shape: timestamp in ms)."""

    offset: int
    timestamp: int
    headers: Any
    topic: str


def add_model_agent(app: faust.App, hosted: HostedModel, hooks: BatchHooks, copier: ReplyCopier) -> Any:
    """Register the model's agent on ``app`` (named ``model.<qualified_name>``) and return it."""
    processor = hosted.processor
    name = hosted.model.qualified_name
    batch_size = hosted.spec.batch_size
    topic = app.topic(hosted.topics.inputs, key_serializer="raw", value_serializer="raw")

    async def serve(stream: Any) -> None:
        log.info("model %s: agent consuming %s", name, hosted.topics.inputs)
        async for events in stream.noack_take(batch_size, within=TAKE_WITHIN):
            try:
                await _serve_batch(app, stream, processor, name, events, hooks, copier)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # not about one message: the broker or the worker itself failed
                log.critical("model %s: stopping the worker: %r", name, exc)
                await app.crash(exc)
                raise

    def log_assignment(sender: Any, *args: Any, **kwargs: Any) -> None:  # args: (assigned,)
        assigned = [tp for tp in args[0] if tp.topic == hosted.topics.inputs]
        hooks.rebalanced(assigned, None)  # no aiokafka consumer of ours: lag is Faust's own
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


async def _serve_batch(
    app: faust.App,
    stream: Any,
    processor: Any,
    name: str,
    events: list[Any],
    hooks: BatchHooks,
    copier: ReplyCopier,
) -> None:
    consumed: dict[Any, list[_Consumed]] = {}
    for event in events:
        m = event.message
        consumed.setdefault(m.tp, []).append(_Consumed(m.offset, int(m.timestamp * 1000), m.headers, m.topic))
    hooks.consumed(consumed)
    messages = [input_message(event.message) for event in events]
    records = processor.process(messages)
    hooks.processed()
    send = app.producer.send
    futures = [await send(r.topic, r.key, r.value, r.partition, None, r.headers) for r in records]
    await asyncio.gather(*futures)
    hooks.acknowledged(records)
    copier.offer(records)
    for message, record in zip(messages, records, strict=True):
        if record.is_error:
            log_error(name, message, record)
    for event in events:  # only now may Faust commit these offsets
        await stream.ack(event)
