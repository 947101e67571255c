"""What worker metrics cost: the bench's stream figure, metrics on and off in turn, medians of the repeats.

    .venv/bin/python scripts/metrics_overhead.py [--messages 100000] [--repeats 5]

Each repeat produces the inputs to fresh topics, then runs a worker with ``STREAMPROC_WORKER_METRICS``
true or false (alternating, so a busier moment of a shared machine falls on both); the rate is the
bench's: outputs per second between the first and the last output timestamp. On a shared machine the
rate swings with the neighbours' load, so the worker's CPU time per input over that same span is
reported too (sampled from /proc every 20 ms), which contention disturbs much less.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import click

from streamproc.dev.bench.context import BenchContext
from streamproc.dev.bench.data import observe_outputs, produce_inputs
from streamproc.dev.bench.plan import PLANS
from streamproc.dev.bench.runner import bench_broker
from streamproc.dev.processes import Children, worker_command
from streamproc.kafka.admin import ensure_topics
from streamproc.settings import StreamprocSettings
from streamproc.wire.codec_factory import Codecs
from streamproc.worker.hosting import host_topology
from streamproc.worker.provisioning import topology_topic_specs
from streamproc.worker.topology import load_topology


class CpuSampler(threading.Thread):
    """(wall time, CPU seconds) of a process, every 20 ms until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.stat = Path(f"/proc/{pid}/stat")
        self.samples: list[tuple[float, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        while not self.done.wait(0.02):
            try:
                fields = self.stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                return
            self.samples.append((time.time(), (int(fields[11]) + int(fields[12])) / tick))

    def cpu_between(self, start: float, end: float) -> float:
        inside = [cpu for t, cpu in self.samples if start - 0.02 <= t <= end + 0.02]
        return inside[-1] - inside[0] if len(inside) > 1 else float("nan")


def one_run(ctx: BenchContext, tag: str, metrics: bool, messages: int) -> tuple[float, float]:
    settings = ctx.settings(tag).model_copy(update={"worker_metrics": metrics})
    [hosted] = host_topology(settings, load_topology(settings.topology), Codecs(settings))
    ensure_topics(settings, topology_topic_specs(settings, [hosted]))
    produce_inputs(ctx.bootstrap, hosted.topics.inputs, messages, hosted.processor._input_codec.encode)
    process = ctx.children.spawn(tag, worker_command("--without-web"), settings.environment())
    sampler = CpuSampler(process.pid)
    sampler.start()
    try:
        stop_early = lambda: process.poll() is not None  # noqa: E731
        span = observe_outputs(
            ctx.bootstrap, hosted.topics.outputs, messages, 90 + messages / 500, stop_early
        )
    finally:
        sampler.done.set()
        ctx.children.stop(tag)
    if span.count < messages:
        raise RuntimeError(f"{tag}: {span.count} of {messages} outputs")
    cpu = sampler.cpu_between(span.first_ms / 1000, span.last_ms / 1000)
    return span.rate, 1e6 * cpu / messages


@click.command()
@click.option("--messages", default=100_000, show_default=True)
@click.option("--repeats", default=5, show_default=True)
def main(messages: int, repeats: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="streamproc-overhead-"))
    base = StreamprocSettings()
    children = Children(workdir / "logs")
    rates: dict[str, list[float]] = {"on": [], "off": []}
    cpu: dict[str, list[float]] = {"on": [], "off": []}
    try:
        with bench_broker(base, False, workdir, print) as (bootstrap, _):
            ctx = BenchContext(PLANS["quick"], bootstrap, workdir, children, base)
            for i in range(repeats):
                for label in ("on", "off") if i % 2 == 0 else ("off", "on"):
                    rate, micros = one_run(ctx, f"{label}{i}", label == "on", messages)
                    rates[label].append(rate)
                    cpu[label].append(micros)
                    print(
                        f"repeat {i + 1} metrics {label}: {rate:,.0f} outputs/s, {micros:.1f} CPU µs/input",
                        flush=True,
                    )
    finally:
        children.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    on, off = statistics.median(rates["on"]), statistics.median(rates["off"])
    cpu_on, cpu_off = statistics.median(cpu["on"]), statistics.median(cpu["off"])
    summary = {
        "messages": messages,
        "rates": rates,
        "cpu_us_per_input": cpu,
        "median_rate": {"on": on, "off": off, "cost_percent": round(100 * (1 - on / off), 1)},
        "median_cpu_us": {
            "on": cpu_on,
            "off": cpu_off,
            "cost_percent": round(100 * (cpu_on / cpu_off - 1), 1),
        },
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
