"""Idle-bridge CPU: what a bridge idle on requests spends while a model's stream carries a burst.

A REST bridge whose reply path is open (it has answered a request to the model) sits idle while N inputs
are produced straight to the model's inputs topic and the worker answers them. Over that burst we read
the bridge's CPU seconds from ``/proc`` beside those of a reference reader doing what bridges did before
reply topics (``full_reader``: every record of the outputs and errors topics, its ``reply_to`` checked).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from streamproc.dev.bench.context import BenchContext
from streamproc.dev.bench.data import end_offset, json_value, produce_inputs
from streamproc.dev.bench.full_reader import READY
from streamproc.dev.bench.procs import cpu_seconds, python_module, result_of
from streamproc.dev.processes import Children
from streamproc.reference_models.iris import IrisModel
from streamproc.settings import StreamprocSettings
from streamproc.wire import headers as h
from streamproc.wire.topics import ModelTopics

READER = "full-reader"
SETTLE = 0.5  # s after the burst is answered, so the bridge's window covers it whole


def measure_burst(
    children: Children,
    bootstrap: str,
    topics: ModelTopics,
    bridge_pid: int,
    count: int,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Produce ``count`` JSON inputs to ``topics.inputs``; CPU seconds of the bridge and the reference
    reader until the worker answered them all and the reader read every answer."""
    timeout = 60 + count / 500
    argv = python_module(
        "streamproc.dev.bench.full_reader", bootstrap, topics.outputs, topics.errors, count, timeout
    )
    children.spawn(READER, argv, env)
    log = children.log(READER)
    children.wait_until(READER, lambda: READY in log.read_text(errors="replace"), "assigned", 60)
    answered = end_offset(bootstrap, topics.outputs) + count
    bridge_cpu, started = cpu_seconds(bridge_pid), time.monotonic()
    headers: list[tuple[str, str | bytes | None]] = [(h.CONTENT_TYPE, h.CONTENT_TYPE_JSON)]
    produce_inputs(bootstrap, topics.inputs, count, json_value, headers)
    reference = result_of(children, READER, timeout + 30)
    while end_offset(bootstrap, topics.outputs) < answered:  # the reader saw them all: at most one look
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"the worker did not answer {count} inputs within {timeout:.0f} s")
        time.sleep(0.2)  # between two looks at the outputs' end offsets
    time.sleep(SETTLE)  # measurement window, not a readiness wait
    bridge = cpu_seconds(bridge_pid) - bridge_cpu
    if reference["records"] < count:
        raise RuntimeError(f"the reference reader read {reference['records']} of {count} outputs")
    return {
        "inputs": count,
        "seconds": round(time.monotonic() - started, 2),
        "bridge_cpu_s": round(bridge, 3),
        "full_reader_cpu_s": reference["cpu_s"],
        "full_reader_seconds": reference["seconds"],
    }


def idle_bridge_figures(ctx: BenchContext, settings: StreamprocSettings) -> dict[str, Any]:
    """The bench phase: the REST bridge the request-reply phase used, idle during a plan-sized burst."""
    pid = ctx.children.pid("rest")
    if pid is None:
        raise RuntimeError(f"the REST bridge is not running:\n{ctx.children.tail('rest')}")
    topics = ModelTopics.for_model(settings.topic_prefix, IrisModel.qualified_name, IrisModel.version)
    figures = measure_burst(
        ctx.children, ctx.bootstrap, topics, pid, ctx.plan.idle_burst, settings.environment()
    )
    ctx.say(
        f"idle REST bridge during {figures['inputs']:,} inputs: {figures['bridge_cpu_s']:.3f} s CPU; "
        f"full reader (the old reply path) {figures['full_reader_cpu_s']:.3f} s"
    )
    return figures
