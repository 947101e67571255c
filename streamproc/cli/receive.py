"""``streamproc receive MODEL --stream outputs|errors``: decoded records as JSON lines.

By default it continues where the last ``receive`` of that topic stopped (a consumer group per topic,
starting from the earliest record the first time) and says so on stderr, with the offsets it resumes
at; ``--from-beginning`` reads everything again.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import click
from confluent_kafka import Consumer, Message, TopicPartition

from streamproc.cli.common import catalog_entry
from streamproc.errors import StreamprocError
from streamproc.kafka.clients import group_consumer
from streamproc.settings import StreamprocSettings
from streamproc.wire import headers as h
from streamproc.wire.codec_factory import Codecs
from streamproc.wire.topics import ERRORS, OUTPUTS


@click.command()
@click.argument("model")
@click.option("--stream", type=click.Choice([OUTPUTS, ERRORS]), default=OUTPUTS, show_default=True)
@click.option("--max", "max_records", type=int, help="Stop after this many records.")
@click.option("--timeout", type=float, help="Stop after this many seconds without a record.")
@click.option("--from-beginning", is_flag=True, help="Read the topic from its first record.")
@click.option("--headers", "show_headers", is_flag=True, help="Print each record with its key and headers.")
@click.pass_obj
def receive(
    settings: StreamprocSettings,
    model: str,
    stream: str,
    max_records: int | None,
    timeout: float | None,
    from_beginning: bool,
    show_headers: bool,
) -> None:
    """Print MODEL's predictions (or error records) as JSON lines. Bytes are shown base64-encoded."""
    entry = catalog_entry(settings, model)
    codecs = Codecs(settings)
    topic = entry.topics.outputs if stream == OUTPUTS else entry.topics.errors
    codec = codecs.for_schema(entry.output_avro_schema, topic) if stream == OUTPUTS else codecs.errors(topic)
    consumer = _consumer(settings, topic, from_beginning)
    count = 0
    last = time.monotonic()
    try:
        while max_records is None or count < max_records:
            if timeout is not None and time.monotonic() - last > timeout:
                raise click.ClickException(f"no record on {topic} for {timeout:g} s")
            message = consumer.poll(0.5)
            if message is None or message.error() is not None:
                continue
            last = time.monotonic()
            click.echo(json.dumps(_render(message, codec, show_headers), default=_bytes_as_base64))
            count += 1
            if not from_beginning:
                consumer.commit(message=message, asynchronous=False)
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()


def _consumer(settings: StreamprocSettings, topic: str, from_beginning: bool) -> Consumer:
    group = f"streamproc-receive.{topic}" if not from_beginning else f"streamproc-receive.{time.time_ns()}"
    consumer = group_consumer(settings, group)
    consumer.subscribe([topic], on_assign=_say_where_reading_starts(topic, from_beginning))
    return consumer


def _say_where_reading_starts(topic: str, from_beginning: bool) -> Callable[[Consumer, list[Any]], None]:
    """On stderr, once the partitions are assigned: from the start, or after the last ``receive``."""

    def on_assign(consumer: Consumer, partitions: list[TopicPartition]) -> None:
        if from_beginning:
            click.echo(f"reading {topic} from its first record", err=True)
            return
        resumed = [p for p in consumer.committed(partitions, timeout=10) if p.offset >= 0]
        if not resumed:
            click.echo(f"reading {topic} from its first record (no earlier `receive` of it)", err=True)
            return
        where = ", ".join(f"partition {p.partition} at offset {p.offset}" for p in resumed)
        click.echo(
            f"reading {topic} after the last `receive` of it ({where}); --from-beginning reads all",
            err=True,
        )

    return on_assign


def _render(message: Message, codec: Any, show_headers: bool) -> Any:
    try:
        value: Any = codec.decode(message.value())
    except StreamprocError as exc:
        value = {"undecodable": str(exc), "value": message.value()}
    if not show_headers:
        return value
    return {
        "partition": message.partition(),
        "offset": message.offset(),
        "key": message.key(),
        "headers": h.decode_headers(message.headers()),
        "value": value,
    }


def _bytes_as_base64(value: object) -> str:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
