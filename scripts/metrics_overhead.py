"""What worker metrics cost: the bench's stream figure, metrics on and off in turn, medians of the repeats.

    .venv/bin/python scripts/metrics_overhead.py [--messages 100000] [--repeats 5]

Each repeat produces the inputs to fresh topics, then runs a worker with ``STREAMPROC_WORKER_METRICS``
true or false (alternating, so a busier moment of a shared machine falls on both); the rate is the
bench's: outputs per second between the first and the last output timestamp.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
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


def one_run(ctx: BenchContext, tag: str, metrics: bool, messages: int) -> float:
    settings = ctx.settings(tag).model_copy(update={"worker_metrics": metrics})
    [hosted] = host_topology(settings, load_topology(settings.topology), Codecs(settings))
    ensure_topics(ctx.bootstrap, topology_topic_specs(settings, [hosted]))
    produce_inputs(ctx.bootstrap, hosted.topics.inputs, messages, hosted.processor._input_codec.encode)
    process = ctx.children.spawn(tag, worker_command("--without-web"), settings.environment())
    try:
        span = observe_outputs(
            ctx.bootstrap,
            hosted.topics.outputs,
            messages,
            90 + messages / 500,
            lambda: process.poll() is not None,
        )
    finally:
        ctx.children.stop(tag)
    if span.count < messages:
        raise RuntimeError(f"{tag}: {span.count} of {messages} outputs")
    return span.rate


@click.command()
@click.option("--messages", default=100_000, show_default=True)
@click.option("--repeats", default=5, show_default=True)
def main(messages: int, repeats: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="streamproc-overhead-"))
    base = StreamprocSettings()
    children = Children(workdir / "logs")
    rates: dict[str, list[float]] = {"on": [], "off": []}
    try:
        with bench_broker(base, False, workdir, print) as (bootstrap, _):
            ctx = BenchContext(PLANS["quick"], bootstrap, workdir, children, base)
            for i in range(repeats):
                for label in ("on", "off") if i % 2 == 0 else ("off", "on"):
                    rate = one_run(ctx, f"{label}{i}", label == "on", messages)
                    rates[label].append(rate)
                    print(f"repeat {i + 1} metrics {label}: {rate:,.0f} outputs/s", flush=True)
    finally:
        children.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    on, off = statistics.median(rates["on"]), statistics.median(rates["off"])
    print(json.dumps({"messages": messages, "rates": rates, "median_on": on, "median_off": off,
                      "cost_percent": round(100 * (1 - on / off), 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
