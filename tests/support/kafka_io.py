"""Produce and collect records in tests, bounded in count and time."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from confluent_kafka import Consumer, Producer, TopicPartition


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]


def produce_all(
    bootstrap: str, topic: str, items: list[tuple[bytes | None, bytes, dict[str, str]]]
) -> list[int]:
    """Produce (key, value, headers) items in order; return the partition each landed on."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "enable.idempotence": True})
    partitions: list[int] = [-1] * len(items)

    def delivered(index: int) -> Callable[[object, object], None]:
        def callback(error: object, message: object) -> None:
            assert error is None, error
            partitions[index] = message.partition()  # type: ignore[attr-defined]

        return callback

    for i, (key, value, headers) in enumerate(items):
        producer.produce(
            topic,
            key=key,
            value=value,
            headers=[(k, v.encode()) for k, v in headers.items()],
            on_delivery=delivered(i),
        )
        producer.poll(0)
    assert producer.flush(30) == 0
    return partitions


def collect(
    bootstrap: str,
    topics: list[str],
    want: Callable[[Record], bool],
    count: int,
    timeout: float,
) -> list[Record]:
    """Read ``topics`` from the beginning until ``count`` records pass ``want`` or ``timeout`` s pass."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": uuid.uuid4().hex, "enable.auto.commit": False}
    )
    assignment = []
    for topic in topics:
        metadata = consumer.list_topics(topic, timeout=10).topics[topic]
        assignment += [TopicPartition(topic, p, -2) for p in metadata.partitions]
    consumer.assign(assignment)
    found: list[Record] = []
    deadline = time.monotonic() + timeout
    try:
        while len(found) < count and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=500, timeout=0.5):
                if message.error() is not None:
                    continue
                record = Record(
                    message.topic(),
                    message.partition(),
                    message.offset(),
                    message.key(),
                    message.value(),
                    {k: v.decode() for k, v in (message.headers() or [])},
                )
                if want(record):
                    found.append(record)
    finally:
        consumer.close()
    return found
