"""The peers' outputs as the broker stamped them (LogAppendTime), and the rate they show."""

from __future__ import annotations

import time
from typing import Any

from confluent_kafka import TopicPartition

from streamproc.kafka import clients
from streamproc.settings import StreamprocSettings

LOG_APPEND_TIME = {"message.timestamp.type": "LogAppendTime"}  # outputs stamped by the broker, for every peer


def broker_stamps(bootstrap: str, topic: str, count: int, timeout: float) -> list[int]:
    """Sorted timestamps (ms) of the records of ``topic``, read from the start until ``count`` or
    ``timeout`` seconds."""
    consumer = clients.reader(StreamprocSettings(bootstrap_servers=bootstrap))
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, -2) for p in partitions])
    stamps: list[int] = []
    deadline = time.monotonic() + timeout
    try:
        while len(stamps) < count and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=5000, timeout=0.2):
                if message.error() is None:
                    stamps.append(message.timestamp()[1])
    finally:
        consumer.close()
    return sorted(stamps)


def span_of_last(stamps: list[int]) -> dict[str, Any]:
    """Outputs per second between the first and the last of ``stamps`` (as OutputSpan.as_dict)."""
    if len(stamps) < 2:
        return {"outputs": len(stamps), "seconds": 0.0, "rate": 0.0}
    seconds = max(stamps[-1] - stamps[0], 1) / 1000
    return {
        "outputs": len(stamps),
        "seconds": round(seconds, 3),
        "rate": round((len(stamps) - 1) / seconds, 1),
    }
