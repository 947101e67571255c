"""Bench data: iris inputs produced in advance, and the clock read off the outputs they became.

Throughput is read from the broker's log, the same way for every processor: the CreateTime of the
first and last output record (stamped by the processor's own producer when it sent them). Start-up
and group joins are outside that span for all of them alike.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from confluent_kafka import TopicPartition

from streamproc.kafka import clients
from streamproc.settings import StreamprocSettings

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")


@cache
def iris_rows() -> tuple[dict[str, float], ...]:
    """The 150 flowers of the iris data set scikit-learn bundles, as model inputs."""
    from sklearn.datasets import load_iris

    data = load_iris().data
    return tuple({name: float(value) for name, value in zip(FEATURES, row, strict=True)} for row in data)


def json_value(row: dict[str, float]) -> bytes:
    return json.dumps(row).encode()


def produce_inputs(
    bootstrap: str,
    topic: str,
    count: int,
    encode: Callable[[dict[str, float]], bytes],
    headers: list[tuple[str, str | bytes | None]] | None = None,
) -> None:
    """Produce ``count`` inputs (the iris rows in turn, keyed by index); return once all are acknowledged."""
    rows = iris_rows()
    values = [encode(row) for row in rows]
    config = {
        "linger.ms": 20,
        "batch.num.messages": 10000,
        "queue.buffering.max.messages": max(100_000, count),
    }
    producer = clients.producer(StreamprocSettings(bootstrap_servers=bootstrap), **config)
    for i in range(count):
        producer.produce(topic, key=str(i).encode(), value=values[i % len(values)], headers=headers)
        if i % 5000 == 0:
            producer.poll(0)
    left = producer.flush(60)
    if left:
        raise RuntimeError(f"{left} of {count} inputs to {topic} were not acknowledged in 60 s")


@dataclass
class OutputSpan:
    topic: str
    count: int
    first_ms: int
    last_ms: int

    @property
    def seconds(self) -> float:
        return max(self.last_ms - self.first_ms, 1) / 1000

    @property
    def rate(self) -> float:
        """Records per second between the first and the last output."""
        return (self.count - 1) / self.seconds if self.count > 1 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"outputs": self.count, "seconds": round(self.seconds, 3), "rate": round(self.rate, 1)}


def observe_outputs(
    bootstrap: str, topic: str, count: int, timeout: float, stop_early: Callable[[], bool] = lambda: False
) -> OutputSpan:
    """Read ``topic`` from the beginning until ``count`` records, ``timeout`` s, or ``stop_early()``
    after the topic went quiet; returns the span of their timestamps."""
    consumer = clients.reader(StreamprocSettings(bootstrap_servers=bootstrap))
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, -2) for p in partitions])
    seen, first, last = 0, None, None
    deadline = time.monotonic() + timeout
    try:
        while seen < count and time.monotonic() < deadline:
            batch = consumer.consume(num_messages=5000, timeout=0.5)
            if not batch and stop_early():
                break
            for message in batch:
                if message.error() is not None:
                    continue
                stamp = message.timestamp()[1]
                first = stamp if first is None else min(first, stamp)
                last = stamp if last is None else max(last, stamp)
                seen += 1
    finally:
        consumer.close()
    return OutputSpan(topic, seen, first or 0, last or 0)


def end_offset(bootstrap: str, topic: str) -> int:
    """The sum of ``topic``'s high watermarks: how many records it has ever had."""
    consumer = clients.reader(StreamprocSettings(bootstrap_servers=bootstrap))
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return sum(
            consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions
        )
    finally:
        consumer.close()
