"""What worker metrics cost, with more repeats than ``streamproc bench`` gives it: only the bench's pair of
worker runs (metrics on, metrics off, back to back, in turn first), medians of the repeats.

    .venv/bin/python scripts/metrics_overhead.py [--messages 100000] [--repeats 7]

Each repeat produces the same inputs to fresh topics for both workers; the rate is the bench's (outputs
per second between the first and the last output timestamp) and so is the worker's CPU time per input
over that span, which the neighbours' load on a shared machine disturbs less than the rate.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from streamproc.dev.bench.context import BenchContext
from streamproc.dev.bench.plan import PLANS
from streamproc.dev.bench.runner import bench_broker
from streamproc.dev.bench.stream import WORKER, metrics_on_and_off, worker_copy
from streamproc.dev.processes import Children
from streamproc.settings import StreamprocSettings

LABELS = {"streamproc": "on", "streamproc_metrics_off": "off"}


@click.command()
@click.option("--messages", default=100_000, show_default=True)
@click.option("--repeats", default=7, show_default=True)
def main(messages: int, repeats: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="streamproc-overhead-"))
    base = StreamprocSettings()
    children = Children(workdir / "logs")
    runs: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
    try:
        with bench_broker(base, False, workdir, print) as (bootstrap, _):
            ctx = BenchContext(replace(PLANS["full"], messages=messages), bootstrap, workdir, children, base)
            for i in range(repeats):
                on, off = worker_copy(ctx, f"on{i}", True), worker_copy(ctx, f"off{i}", False)
                for name, run in metrics_on_and_off(ctx, i, on, off, keep_worker=False).items():
                    runs[LABELS[name]].append(run)
                    print(f"repeat {i + 1} metrics {LABELS[name]}: {run['rate']:,.0f} outputs/s, "
                          f"{run['cpu_us_per_input']} CPU µs/input, {run['steal_percent']}% stolen",
                          flush=True)  # fmt: skip
                children.stop(WORKER)
    finally:
        children.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    rate = {k: statistics.median(r["rate"] for r in v) for k, v in runs.items()}
    cpu = {k: statistics.median(r["cpu_us_per_input"] or 0.0 for r in v) for k, v in runs.items()}
    summary = {
        "messages": messages,
        "runs": runs,
        "median_rate": {**rate, "metrics_on_vs_off": round(rate["on"] / rate["off"], 3)},
        "median_cpu_us_per_input": {**cpu, "cost_percent": round(100 * (cpu["on"] / cpu["off"] - 1), 1)},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
