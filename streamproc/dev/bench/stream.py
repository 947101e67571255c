"""Stream throughput: the worker beside the naive baseline, the pass-through ceiling and in-process ceilings.

Per repeat: fresh topics; N iris inputs produced in advance (Avro for the worker, its agent engine and the
pass-through, JSON for the naive processor and Quix); then each processor, one at a time, in its own
process, on its own copy (peers only with ``--peers``). The worker runs twice, with its metrics on (as
shipped) and off, one right after the other, in turn first, on copies of the same inputs: what metrics
cost. The last repeat's metrics-on worker is left running for the request–reply phase.
"""

from __future__ import annotations

import logging
import statistics
from typing import Any

from streamproc.dev.bench.context import BenchContext
from streamproc.dev.bench.cpu import CpuSampler
from streamproc.dev.bench.data import json_value, observe_outputs, produce_inputs
from streamproc.dev.bench.inprocess import model_ceiling, processor_ceiling
from streamproc.dev.bench.peers.streams import peer_stream_figures
from streamproc.dev.bench.procs import python_module, run_json
from streamproc.dev.processes import worker_command
from streamproc.kafka.admin import TopicSpec, ensure_topics
from streamproc.settings import StreamprocSettings
from streamproc.wire.codec_factory import Codecs
from streamproc.worker.hosting import host_topology
from streamproc.worker.provisioning import topology_topic_specs
from streamproc.worker.topology import load_topology

log = logging.getLogger(__name__)
WORKER = "worker"
METRICS_OFF_WORKER = "worker-metrics-off"
AGENT_WORKER = "worker-agent"
AGENT_START_ALLOWANCE = 30.0  # seconds for the agent worker to start and join, on top of its time bound


def _prepare(ctx: BenchContext, settings: StreamprocSettings) -> dict[str, str]:
    """Create every topic of one repeat and produce the inputs; returns the topic names."""
    hosted = host_topology(settings, load_topology(settings.topology), Codecs(settings))[0]
    p = settings.topic_prefix
    topics = {
        "inputs": hosted.topics.inputs,
        "outputs": hosted.topics.outputs,
        "naive_in": f"{p}.naive.inputs",
        "naive_out": f"{p}.naive.outputs",
        "pass_out": f"{p}.passthrough.outputs",
    }
    extra = [TopicSpec(topics[k], ctx.plan.partitions, 1) for k in ("naive_in", "naive_out", "pass_out")]
    ensure_topics(settings, topology_topic_specs(settings, [hosted]) + extra)
    n = ctx.plan.messages
    produce_inputs(ctx.bootstrap, topics["inputs"], n, hosted.processor._input_codec.encode)
    produce_inputs(ctx.bootstrap, topics["naive_in"], n, json_value)
    return topics


def _script(
    ctx: BenchContext, name: str, module: str, source: str, sink: str, seconds: float
) -> dict[str, Any]:
    n = ctx.plan.messages
    command = python_module(module, ctx.bootstrap, source, sink, n, seconds)
    report = run_json(ctx.children, name, command, timeout=seconds + 120)
    span = observe_outputs(ctx.bootstrap, sink, report["processed"], timeout=60)
    return {**span.as_dict(), "processed": report["processed"]}


def _worker(
    ctx: BenchContext, settings: StreamprocSettings, outputs: str, name: str = WORKER
) -> dict[str, Any]:
    """The worker's rate, and its CPU time per input over the same span (less swayed by neighbours)."""
    n = ctx.plan.messages
    process = ctx.children.spawn(name, worker_command("--without-web"), settings.environment())
    sampler = CpuSampler(process.pid)
    sampler.start()
    try:
        span = observe_outputs(
            ctx.bootstrap, outputs, n, timeout=90 + n / 200, stop_early=lambda: process.poll() is not None
        )
    finally:
        sampler.stop()
    if span.count < n:
        raise RuntimeError(f"the worker produced {span.count} of {n} outputs:\n{ctx.children.tail(name)}")
    start, end = span.first_ms / 1000, span.last_ms / 1000
    cpu, steal = sampler.cpu_between(start, end), sampler.steal_between(start, end)
    return {
        **span.as_dict(),
        "cpu_us_per_input": None if cpu is None else round(1e6 * cpu / n, 2),
        "steal_percent": None if steal is None else round(100 * steal, 1),  # the host's other guests
    }


def worker_copy(ctx: BenchContext, tag: str, metrics: bool) -> tuple[StreamprocSettings, str]:
    """Topics of its own for a worker with metrics on or off, the same inputs in them: settings, outputs."""
    settings = ctx.settings(tag).model_copy(update={"worker_metrics": metrics})
    hosted = host_topology(settings, load_topology(settings.topology), Codecs(settings))[0]
    ensure_topics(settings, topology_topic_specs(settings, [hosted]))
    produce_inputs(
        ctx.bootstrap, hosted.topics.inputs, ctx.plan.messages, hosted.processor._input_codec.encode
    )
    return settings, hosted.topics.outputs


def metrics_on_and_off(
    ctx: BenchContext,
    index: int,
    on: tuple[StreamprocSettings, str],
    off: tuple[StreamprocSettings, str],
    keep_worker: bool,
) -> dict[str, Any]:
    """The worker as shipped and with metrics off, back to back (the kept worker must run last)."""
    (settings, outputs), (off_settings, off_outputs) = on, off

    def metrics_off() -> dict[str, Any]:
        try:
            return _worker(ctx, off_settings, off_outputs, METRICS_OFF_WORKER)
        finally:
            ctx.children.stop(METRICS_OFF_WORKER)

    if index % 2 == 1 and not keep_worker:  # on first in every other repeat
        first = _worker(ctx, settings, outputs)
        ctx.children.stop(WORKER)
        return {"streamproc": first, "streamproc_metrics_off": metrics_off()}
    first = metrics_off()
    return {"streamproc_metrics_off": first, "streamproc": _worker(ctx, settings, outputs)}


def _agent_worker(ctx: BenchContext, index: int) -> dict[str, Any]:
    """The same model and inputs served by the agent engine (a Faust agent), on topics of its own.
    Like the naive baseline it is bounded in time and rated on what it did in that time."""
    settings = ctx.settings(f"a{index}", engine="agent")
    hosted = host_topology(settings, load_topology(settings.topology), Codecs(settings))[0]
    ensure_topics(settings, topology_topic_specs(settings, [hosted]))
    n = ctx.plan.messages
    produce_inputs(ctx.bootstrap, hosted.topics.inputs, n, hosted.processor._input_codec.encode)
    process = ctx.children.spawn(AGENT_WORKER, worker_command("--without-web"), settings.environment())
    try:
        seconds = AGENT_START_ALLOWANCE + ctx.plan.naive_seconds * 3
        span = observe_outputs(
            ctx.bootstrap,
            hosted.topics.outputs,
            n,
            timeout=seconds,
            stop_early=lambda: process.poll() is not None,
        )
    finally:
        ctx.children.stop(AGENT_WORKER)
    if span.count < 2:
        raise RuntimeError(
            f"the agent engine produced {span.count} outputs:\n{ctx.children.tail(AGENT_WORKER)}"
        )
    return span.as_dict()


def run_repeat(ctx: BenchContext, index: int, keep_worker: bool) -> tuple[dict[str, Any], StreamprocSettings]:
    settings = ctx.settings(f"s{index}").model_copy(update={"worker_metrics": True})  # as shipped
    topics = _prepare(ctx, settings)
    plan = ctx.plan
    off = worker_copy(ctx, f"m{index}", metrics=False) if plan.metrics_off else None
    result = {
        "passthrough": _script(
            ctx,
            f"passthrough-{index}",
            "streamproc.dev.bench.passthrough",
            topics["inputs"],
            topics["pass_out"],
            plan.naive_seconds * 3,
        ),
        "naive": _script(
            ctx,
            f"naive-{index}",
            "streamproc.dev.bench.naive",
            topics["naive_in"],
            topics["naive_out"],
            plan.naive_seconds,
        ),
        "streamproc_agent": _agent_worker(ctx, index),
        **peer_stream_figures(ctx, topics["naive_in"], index),
    }
    if off is not None:
        result.update(metrics_on_and_off(ctx, index, (settings, topics["outputs"]), off, keep_worker))
    else:
        result["streamproc"] = _worker(ctx, settings, topics["outputs"])
    if not keep_worker:
        ctx.children.stop(WORKER)
    return result, settings


def run_stream(ctx: BenchContext) -> tuple[dict[str, Any], StreamprocSettings]:
    """Every stream figure (medians over repeats) and the settings of the worker left running."""
    plan = ctx.plan
    runs: list[dict[str, Any]] = []
    settings = ctx.base
    for index in range(plan.stream_repeats):
        last = index == plan.stream_repeats - 1
        result, settings = run_repeat(ctx, index, keep_worker=last)
        runs.append(result)
        ctx.say(
            f"stream repeat {index + 1}: " + ", ".join(f"{k} {v['rate']:.0f}/s" for k, v in result.items())
        )
    figures: dict[str, Any] = {
        "messages": plan.messages,
        "partitions": plan.partitions,
        "batch_size": plan.batch_size,
        "repeats": plan.stream_repeats,
    }
    for name in runs[0]:
        rates = [run[name]["rate"] for run in runs]
        figures[name] = {"rate": round(statistics.median(rates), 1), "runs": [run[name] for run in runs]}
        for key in ("cpu_us_per_input", "steal_percent"):  # the worker runs' (see _worker)
            values = [run[name][key] for run in runs if run[name].get(key) is not None]
            if values:
                figures[name][key] = round(statistics.median(values), 2)
    figures["model_predict_batch"] = model_ceiling(plan.messages, plan.batch_size)
    figures["processor_in_process"] = processor_ceiling(settings, plan.messages, plan.batch_size)
    return figures, settings
