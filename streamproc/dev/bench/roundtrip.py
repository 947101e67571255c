"""The Kafka round trip under every bridge, without HTTP: produce an input, read its output (concurrency 1).

``python -m streamproc.dev.bench.roundtrip COUNT``, settings from the ``STREAMPROC_*`` environment. Each input
carries its own ``correlation_id``; a reader assigned at the end of the outputs topic waits for it. This is
the floor of a bridge's latency: two produce/fetch hops through the broker and the worker's processing.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from typing import Any

from confluent_kafka import Consumer

from bridges.catalog import read_catalog
from bridges.readers import assign_at_end
from streamproc.dev.bench.data import iris_rows
from streamproc.dev.bench.procs import emit
from streamproc.dev.bench.stats import latency_summary
from streamproc.kafka import clients
from streamproc.settings import StreamprocSettings
from streamproc.wire import headers as h

MODEL = "iris_model"


def _await_reply(consumer: Consumer, correlation_id: bytes, deadline: float) -> bool:
    while time.perf_counter() < deadline:
        message = consumer.poll(0.05)
        if message is None or message.error() is not None:
            continue
        if dict(message.headers() or []).get(h.CORRELATION_ID) == correlation_id:
            return True
    return False


def round_trips(count: int) -> dict[str, Any]:
    settings = StreamprocSettings()
    entry = read_catalog(settings)[MODEL]
    producer = clients.producer(settings, **{"linger.ms": 0})
    consumer = clients.reader(settings)
    assign_at_end(consumer, [entry.topics.outputs], timeout=10)
    rows = iris_rows()
    latencies: list[float] = []
    lost = 0
    try:
        for i in range(count):
            correlation_id = uuid.uuid4().hex.encode()
            headers: list[tuple[str, str | bytes | None]] = [
                (h.CORRELATION_ID, correlation_id),
                (h.CONTENT_TYPE, h.CONTENT_TYPE_JSON.encode()),
            ]
            started = time.perf_counter()
            producer.produce(entry.topics.inputs, json.dumps(rows[i % len(rows)]).encode(), headers=headers)
            producer.poll(0)
            if _await_reply(consumer, correlation_id, started + 5):
                latencies.append(time.perf_counter() - started)
            else:
                lost += 1
    finally:
        producer.flush(5)
        consumer.close()
    return {"requests": count, "lost": lost, "concurrency": 1, **latency_summary(latencies)}


def main() -> None:
    emit(round_trips(int(sys.argv[1])))


if __name__ == "__main__":
    main()
