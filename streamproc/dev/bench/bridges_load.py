"""Socket.IO load, run as its own process (``python -m streamproc.dev.bench.bridges_load MODE ...``).

- ``websocket URL CONCURRENCY SECONDS WARMUP``: CONCURRENCY clients, each one ``prediction_request`` at a
  time (awaiting its acknowledgement); requests per second and latency percentiles.
- ``dashboard URL SUBSCRIBERS INPUTS RATE``: SUBSCRIBERS clients subscribe to the iris model's live
  stream; INPUTS Avro inputs are produced straight to Kafka at RATE per second, each with its own
  ``correlation_id``; latency is from producing an input to each subscriber receiving its prediction.
  Settings (broker, topic prefix) come from the ``STREAMPROC_*`` environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
import uuid
from typing import Any

import socketio

from streamproc.dev.bench.data import iris_rows
from streamproc.dev.bench.procs import emit
from streamproc.dev.bench.stats import latency_summary

MODEL = "iris_model"
CALL_TIMEOUT = 10.0


async def _connect(url: str, count: int) -> list[socketio.AsyncClient]:
    clients = [socketio.AsyncClient(reconnection=False) for _ in range(count)]
    await asyncio.gather(*(c.connect(url, transports=["websocket"], wait_timeout=10) for c in clients))
    return clients


async def _disconnect(clients: list[socketio.AsyncClient]) -> None:
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


async def _request_loop(client: socketio.AsyncClient, deadline: float, latencies: list[float]) -> int:
    rows = iris_rows()
    errors = 0
    i = 0
    while time.perf_counter() < deadline:
        request = {"model_qualified_name": MODEL, "input_data": rows[i % len(rows)]}
        t0 = time.perf_counter()
        try:
            reply = await client.call("prediction_request", request, timeout=CALL_TIMEOUT)
            ok = isinstance(reply, dict) and "prediction" in reply
        except socketio.exceptions.TimeoutError:
            ok = False
        latencies.append(time.perf_counter() - t0)
        errors += not ok
        i += 1
    return errors


async def websocket_load(url: str, concurrency: int, seconds: float, warmup: float) -> dict[str, Any]:
    clients = await _connect(url, concurrency)
    try:
        if warmup > 0:
            end = time.perf_counter() + warmup
            await asyncio.gather(*(_request_loop(c, end, []) for c in clients))
        latencies: list[float] = []
        started = time.perf_counter()
        errors = await asyncio.gather(*(_request_loop(c, started + seconds, latencies) for c in clients))
        elapsed = time.perf_counter() - started
    finally:
        await _disconnect(clients)
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "requests": len(latencies),
        "errors": sum(errors),
        "seconds": round(elapsed, 3),
        "concurrency": concurrency,
        **latency_summary(latencies),
    }


async def dashboard_latency(url: str, subscribers: int, inputs: int, rate: float) -> dict[str, Any]:
    from bridges.catalog import read_catalog
    from streamproc.kafka.clients import producer as kafka_producer
    from streamproc.settings import StreamprocSettings
    from streamproc.wire.codec_factory import Codecs

    settings = StreamprocSettings()
    entry = read_catalog(settings)[MODEL]
    encode = Codecs(settings).for_schema(entry.input_avro_schema, entry.topics.inputs).encode
    run = uuid.uuid4().hex[:8]
    sent: dict[str, float] = {}
    latencies: list[float] = []
    clients = await _connect(url, subscribers)

    expected = inputs * subscribers
    all_received = asyncio.Event()

    def listener(payload: dict[str, Any]) -> None:
        started = sent.get(str(payload.get("correlation_id")))
        if started is not None:
            latencies.append(time.perf_counter() - started)
            if len(latencies) >= expected:
                all_received.set()

    for client in clients:
        client.on("prediction", listener)
    await asyncio.gather(*(c.call("subscribe", {"model_qualified_name": MODEL}, timeout=10) for c in clients))
    producer = kafka_producer(settings, **{"linger.ms": 0})
    rows = iris_rows()
    try:
        for i in range(inputs):
            correlation_id = f"dash-{run}-{i}"
            value = encode(rows[i % len(rows)])
            sent[correlation_id] = time.perf_counter()
            producer.produce(
                entry.topics.inputs, value, headers=[("correlation_id", correlation_id.encode())]
            )
            producer.poll(0)
            await asyncio.sleep(1 / rate)  # pacing of the load, not a readiness wait
        producer.flush(10)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_received.wait(), 15)
    finally:
        await _disconnect(clients)
    return {
        "subscribers": subscribers,
        "inputs": inputs,
        "rate": rate,
        "received": len(latencies),
        "received_fraction": round(len(latencies) / expected, 4),
        **latency_summary(latencies),
    }


def main() -> None:
    mode, url, *args = sys.argv[1:]
    if mode == "websocket":
        concurrency, seconds, warmup = int(args[0]), float(args[1]), float(args[2])
        emit(asyncio.run(websocket_load(url, concurrency, seconds, warmup)))
    elif mode == "dashboard":
        subscribers, inputs, rate = int(args[0]), int(args[1]), float(args[2])
        emit(asyncio.run(dashboard_latency(url, subscribers, inputs, rate)))
    else:
        raise SystemExit(f"unknown mode {mode!r}: websocket or dashboard")


if __name__ == "__main__":
    main()
