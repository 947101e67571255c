"""ZeroRPC load with the stock ``zerorpc`` client, run as its own process (gevent, no asyncio).

``python -m streamproc.dev.bench.rpc_load ENDPOINT CONCURRENCY SECONDS WARMUP``: CONCURRENCY greenlets share
one client, each making one ``iris_model_predict`` call at a time.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import gevent
import zerorpc

from streamproc.dev.bench.data import iris_rows
from streamproc.dev.bench.procs import emit
from streamproc.dev.bench.stats import latency_summary


def _loop(client: zerorpc.Client, deadline: float, latencies: list[float], errors: list[int]) -> None:
    rows = iris_rows()
    i = 0
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        try:
            reply = client.iris_model_predict(rows[i % len(rows)])
            ok = isinstance(reply, dict) and "species" in reply
        except (zerorpc.RemoteError, zerorpc.TimeoutExpired, zerorpc.LostRemote):
            ok = False
        latencies.append(time.perf_counter() - t0)
        if not ok:
            errors.append(1)
        i += 1


def _run(client: zerorpc.Client, concurrency: int, seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    greenlets = [
        gevent.spawn(_loop, client, started + seconds, latencies, errors) for _ in range(concurrency)
    ]
    gevent.joinall(greenlets, timeout=seconds + 30)
    return latencies, len(errors), time.perf_counter() - started


def rpc_load(endpoint: str, concurrency: int, seconds: float, warmup: float) -> dict[str, Any]:
    client = zerorpc.Client(endpoint, timeout=10, heartbeat=5)
    try:
        if warmup > 0:
            _run(client, concurrency, warmup)
        latencies, errors, elapsed = _run(client, concurrency, seconds)
    finally:
        client.close()
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 3),
        "concurrency": concurrency,
        **latency_summary(latencies),
    }


def main() -> None:
    endpoint, concurrency, seconds, warmup = sys.argv[1:5]
    emit(rpc_load(endpoint, int(concurrency), float(seconds), float(warmup)))


if __name__ == "__main__":
    main()
