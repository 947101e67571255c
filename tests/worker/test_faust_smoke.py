"""faust-streaming works against the chosen broker: a real `faust worker` consumes and produces."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from confluent_kafka import Consumer, Producer

from streamproc.dev import processes


def test_faust_worker_consumes_one_topic_and_produces_to_another(
    kafka_bootstrap: str, topic_factory, tmp_path: Path
) -> None:
    source, sink = topic_factory(stem="smoke-in"), topic_factory(stem="smoke-out")
    env = {
        "STREAMPROC_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "SMOKE_APP_ID": f"smoke-{uuid.uuid4().hex[:8]}",
        "SMOKE_SOURCE": source,
        "SMOKE_SINK": sink,
    }
    log = tmp_path / "faust.log"
    args = processes.command(
        "faust",
        "-A",
        "tests.support.faust_smoke_app",
        "--datadir",
        str(tmp_path / "data"),
        "worker",
        "--without-web",
        "-l",
        "info",
    )
    worker = processes.spawn(args, env, log)
    try:
        producer = Producer({"bootstrap.servers": kafka_bootstrap})
        for i in range(5):
            producer.produce(source, key=str(i).encode(), value=f"message-{i}".encode())
        assert producer.flush(10) == 0
        received = _consume(kafka_bootstrap, sink, expected=5, timeout=90)
    finally:
        processes.terminate(worker)
    assert received == [(str(i).encode(), f"MESSAGE-{i}".encode()) for i in range(5)], processes.tail(log)


def _consume(bootstrap: str, topic: str, expected: int, timeout: float) -> list[tuple[bytes, bytes]]:
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": uuid.uuid4().hex, "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    out: list[tuple[bytes, bytes]] = []
    deadline = time.monotonic() + timeout
    while len(out) < expected and time.monotonic() < deadline:
        message = consumer.poll(1.0)
        if message is not None and message.error() is None:
            out.append((message.key(), message.value()))
    consumer.close()
    return out
