"""The bench's measure of what worker metrics cost: the worker run with metrics on and off, back to back.

The smoke plan leaves this pair out (one worker start less); here it runs once on a few inputs, on the
session broker, and the CPU sampler it reads is checked against a process that burns a known amount.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from streamproc.dev.bench.context import BenchContext
from streamproc.dev.bench.cpu import CpuSampler
from streamproc.dev.bench.plan import PLANS
from streamproc.dev.bench.ratios import TARGETS
from streamproc.dev.bench.report import _metrics_cost_line
from streamproc.dev.bench.stream import METRICS_OFF_WORKER, WORKER, metrics_on_and_off, worker_copy
from streamproc.dev.processes import Children
from streamproc.settings import StreamprocSettings


@pytest.mark.broker
def test_both_workers_serve_the_same_inputs_one_with_metrics_and_one_without(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    plan = replace(PLANS["smoke"], messages=200)
    children = Children(tmp_path / "logs")
    ctx = BenchContext(plan, kafka_bootstrap, tmp_path, children, StreamprocSettings())
    try:
        on, off = worker_copy(ctx, "on", True), worker_copy(ctx, "off", False)
        runs = metrics_on_and_off(ctx, 1, on, off, keep_worker=False)  # an odd repeat: metrics on first
    finally:
        children.stop_all()
    assert list(runs) == ["streamproc", "streamproc_metrics_off"]
    for run in runs.values():
        assert run["outputs"] == 200 and run["rate"] > 0
    assert "worker metrics on" in children.log(WORKER).read_text()
    assert "worker metrics off" in children.log(METRICS_OFF_WORKER).read_text()
    stream = {"repeats": 1, **{name: {**run, "cpu_us_per_input": 20.0} for name, run in runs.items()}}
    assert "Worker metrics cost" in _metrics_cost_line(stream)
    assert ("metrics_on_vs_off", ">=", 0.95) in {target[:3] for target in TARGETS}


def test_the_cpu_sampler_reads_the_cpu_a_child_spent_inside_a_span() -> None:
    busy = subprocess.Popen(
        [sys.executable, "-c", "import time\nend = time.time() + 3\nwhile time.time() < end: pass"]
    )
    sampler = CpuSampler(busy.pid)
    sampler.start()
    try:
        time.sleep(0.5)  # not a readiness wait: the span starts half a second into the child's 3 s of work
        start = time.time()
        time.sleep(1.0)
        end = time.time()
        busy.wait(timeout=10)
    finally:
        busy.kill()
        sampler.stop()
    cpu, total = sampler.cpu_between(start, end), sampler.samples[-1][1]
    # one thread cannot spend more than the span (plus a sample and a tick either side); the rest of its
    # three seconds fell outside the span (how much it got of a shared machine is not asserted)
    assert cpu is not None and 0 < cpu <= 1.1 and cpu < total
