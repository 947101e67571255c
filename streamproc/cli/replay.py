"""``streamproc replay MODEL``: send inputs that failed back to the model, from their error records.

Each error record holds the original bytes, key and content type; replaying produces them to the
model's inputs topic as they were first sent (without the original correlation headers: nobody awaits
those replies any more). A replay covers the error records that exist when it starts, so an input that
fails again is not replayed in a loop; like ``receive``, it continues where the last replay stopped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import click
from confluent_kafka import Message, TopicPartition

from streamproc.cli.common import catalog_entry
from streamproc.errors import StreamprocError
from streamproc.kafka.clients import group_consumer, producer
from streamproc.settings import StreamprocSettings
from streamproc.wire import headers as h
from streamproc.wire.catalog_record import CatalogEntry
from streamproc.wire.codec_factory import Codecs
from streamproc.wire.error_record import ErrorRecord

ERROR_TYPES = ("DESERIALIZATION_ERROR", "SCHEMA_ERROR", "MODEL_ERROR")


@click.command()
@click.argument("model")
@click.option("--error-type", type=click.Choice(ERROR_TYPES), multiple=True,
              help="Replay only these kinds of error (repeatable; default: all). Commits nothing, so "
                   "the records it skips stay for a later replay.")  # fmt: skip
@click.option("--max", "max_records", type=int, help="Replay at most this many inputs.")
@click.option(
    "--timeout", type=float, default=30.0, show_default=True, help="Give up after this many seconds."
)
@click.option("--dry-run", is_flag=True, help="Print what would be replayed; send nothing, commit nothing.")
@click.pass_obj
def replay(
    settings: StreamprocSettings,
    model: str,
    error_type: tuple[str, ...],
    max_records: int | None,
    timeout: float,
    dry_run: bool,
) -> None:
    """Re-send the original inputs of MODEL's error records (those that exist now) to its inputs topic."""
    entry = catalog_entry(settings, model)
    reader = ErrorsToReplay(settings, entry)
    kafka = producer(settings)
    replayed = skipped = 0
    try:
        for record in reader.records(deadline=time.monotonic() + timeout):
            if record is None or (error_type and record.error_type not in error_type):
                skipped += 1
                continue
            where = f"{record.original_topic}/{record.original_partition}/{record.original_offset}"
            if record.original_value_truncated or record.original_key_truncated:  # only its first bytes kept
                click.echo(f"skipping {where}: its error record holds only a truncated copy", err=True)
                skipped += 1
                continue
            click.echo(f"{'would replay' if dry_run else 'replaying'} {where} ({record.error_type})")
            if not dry_run:
                kafka.produce(entry.topics.inputs, value=record.original_value, key=record.original_key,
                              headers=_headers(record))  # fmt: skip
                kafka.poll(0)
            replayed += 1
            if max_records is not None and replayed >= max_records:
                break
        if kafka.flush(30):
            raise click.ClickException("replayed inputs were not acknowledged by Kafka; nothing committed")
        if not dry_run and not error_type:
            reader.commit()
    finally:
        reader.close()
    verb = "would replay" if dry_run else "replayed"
    click.echo(f"{verb} {replayed} input(s) to {entry.topics.inputs}, skipped {skipped}", err=True)


def _headers(record: ErrorRecord) -> list[tuple[str, str | bytes | None]]:
    content_type = record.original_content_type
    return [(h.CONTENT_TYPE, content_type.encode())] if content_type else []


class ErrorsToReplay:
    """The error records between the replay group's committed offsets and each partition's end now."""

    def __init__(self, settings: StreamprocSettings, entry: CatalogEntry) -> None:
        self.topic = entry.topics.errors
        self._codec = Codecs(settings).errors(self.topic)
        self._consumer = group_consumer(settings, f"streamproc-replay.{self.topic}")
        self._next: dict[int, int] = {}
        self._end: dict[int, int] = {}

    def records(self, deadline: float) -> Iterator[ErrorRecord | None]:
        """Yield each error record in range (None for an unreadable one) until all are read or time is up."""
        self._assign()
        while any(self._next[p] < self._end[p] for p in self._end) and time.monotonic() < deadline:
            message = self._consumer.poll(0.5)
            if message is None or message.error() is not None:
                continue
            partition, offset = message.partition() or 0, message.offset() or 0
            if offset >= self._end[partition]:
                continue
            self._next[partition] = offset + 1
            yield self._decode(message)

    def _assign(self) -> None:
        metadata = self._consumer.list_topics(self.topic, timeout=10).topics[self.topic]
        wanted = [TopicPartition(self.topic, p) for p in sorted(metadata.partitions)]
        for committed in self._consumer.committed(wanted, timeout=10):
            low, high = self._consumer.get_watermark_offsets(committed, timeout=10)
            self._next[committed.partition] = max(committed.offset, low)
            self._end[committed.partition] = high
        self._consumer.assign([TopicPartition(self.topic, p, o) for p, o in self._next.items()])

    def _decode(self, message: Message) -> ErrorRecord | None:
        try:
            return ErrorRecord.from_wire(self._codec.decode(message.value() or b""))
        except (StreamprocError, ValueError) as exc:
            click.echo(f"offset {message.offset()}: unreadable error record, skipped: {exc}", err=True)
            return None

    def commit(self) -> None:
        offsets = [TopicPartition(self.topic, p, o) for p, o in self._next.items()]
        self._consumer.commit(offsets=offsets, asynchronous=False)

    def close(self) -> None:
        self._consumer.close()
