"""How big a bench run is: ``smoke`` (tests), ``quick`` (≤ 3 min) and ``full`` (the default)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class BenchPlan:
    name: str
    messages: int  # stream inputs produced in advance (per repeat)
    stream_repeats: int
    naive_seconds: float  # the naive baseline is latency-bound: bounded in time, rated on what it did
    rest_seconds: float  # measured seconds per REST load level
    rest_warmup: float
    rest_rounds: int  # rounds over every level and both services; figures are medians over rounds
    bridge_seconds: float  # WebSocket and RPC measured seconds
    dashboard_inputs: int
    dashboard_rate: float  # inputs per second produced while 10 dashboards listen
    roundtrips: int = 300  # Kafka round trips without HTTP, one at a time
    partitions: int = 3
    batch_size: int = 256
    concurrency: tuple[int, ...] = (1, 16, 64)
    bridge_concurrency: int = 16
    subscribers: int = 10
    metrics_off: bool = True  # a second worker run per repeat with metrics off (what metrics cost)
    idle_burst: int = 50_000  # inputs produced while the REST bridge is idle on requests (its CPU)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


PLANS = {
    "smoke": BenchPlan(
        "smoke",
        messages=300,
        stream_repeats=1,
        naive_seconds=3,
        rest_seconds=2,
        rest_warmup=0.5,
        rest_rounds=1,
        bridge_seconds=2,
        dashboard_inputs=20,
        dashboard_rate=40,
        roundtrips=50,
        metrics_off=False,  # one worker start less; the quick and full runs measure it
        idle_burst=5_000,
    ),
    "quick": BenchPlan(
        "quick",
        messages=40_000,
        stream_repeats=1,
        naive_seconds=6,
        rest_seconds=4,
        rest_warmup=1,
        rest_rounds=1,
        bridge_seconds=4,
        dashboard_inputs=100,
        dashboard_rate=50,
        roundtrips=150,
        idle_burst=20_000,
    ),
    "full": BenchPlan(
        "full",
        messages=100_000,
        stream_repeats=3,
        naive_seconds=10,
        rest_seconds=8,
        rest_warmup=2,
        rest_rounds=3,
        bridge_seconds=8,
        dashboard_inputs=300,
        dashboard_rate=50,
    ),
}
