"""Ceiling: consume and produce the same bytes (no decoding, no model), at-least-once, with confluent-kafka.

Each consumed batch is produced to the sink (same key, headers and partition), flushed, then committed:
the same delivery guarantee as the worker, with nothing else to do. Run as its own process:
``python -m streamproc.dev.bench.passthrough BOOTSTRAP SOURCE SINK COUNT MAX_SECONDS``.
"""

from __future__ import annotations

import sys
import time
import uuid

from streamproc.dev.bench.procs import emit
from streamproc.kafka import clients
from streamproc.kafka.clients import group_consumer
from streamproc.settings import StreamprocSettings


def process(bootstrap: str, source: str, sink: str, count: int, max_seconds: float) -> int:
    settings = StreamprocSettings(bootstrap_servers=bootstrap)  # security settings from the environment
    consumer = group_consumer(settings, f"passthrough-{uuid.uuid4().hex}")
    producer = clients.producer(settings, **{"linger.ms": 5, "batch.num.messages": 10000})
    consumer.subscribe([source])
    done = 0
    deadline = time.monotonic() + max_seconds + 30  # + group join
    try:
        while done < count and time.monotonic() < deadline:
            batch = [m for m in consumer.consume(num_messages=2000, timeout=0.5) if m.error() is None]
            if not batch:
                continue
            for m in batch:
                producer.produce(sink, m.value(), m.key(), partition=m.partition() or 0, headers=m.headers())
            if producer.flush(30):
                raise RuntimeError("outputs not acknowledged within 30 s")
            consumer.commit(asynchronous=True)
            done += len(batch)
    finally:
        consumer.close()
    return done


def main() -> None:
    bootstrap, source, sink, count, max_seconds = sys.argv[1:6]
    started = time.monotonic()
    done = process(bootstrap, source, sink, int(count), float(max_seconds))
    emit({"processed": done, "wall_seconds": round(time.monotonic() - started, 3)})


if __name__ == "__main__":
    main()
