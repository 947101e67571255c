"""The peers' stream figures for one repeat: Quix Streams on the naive baseline's JSON inputs, and
MLServer's Kafka server on V2 requests; both rated from broker-stamped output timestamps."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from streamproc.dev.bench.context import BenchContext
from streamproc.dev.bench.peers.envs import MLSERVER, QUIX
from streamproc.dev.bench.peers.mlserver import MLServerPeer
from streamproc.dev.bench.peers.outputs import LOG_APPEND_TIME, broker_stamps, span_of_last
from streamproc.dev.bench.procs import run_json
from streamproc.kafka.admin import TopicSpec, ensure_topics
from streamproc.reference_models._base import default_artifact_path

QUIX_APP = Path(__file__).with_name("quix_app.py")
# requests produced to MLServer per second of its time bound. Its Kafka server starts one task per
# message it reads, with no bound: a large backlog answers nothing until all are in flight, so it gets
# a few seconds' worth of what it does (about 1k/s on a quiet machine) and three times that to answer.
MLSERVER_KAFKA_RATE_BOUND = 250


def quix_figure(ctx: BenchContext, json_inputs: str, index: int) -> dict[str, Any]:
    sink = f"bench-quix-{uuid.uuid4().hex[:8]}.outputs"
    ensure_topics(ctx.broker_settings(), [TopicSpec(sink, ctx.plan.partitions, 1, LOG_APPEND_TIME)])
    n, seconds = ctx.plan.messages, ctx.plan.naive_seconds
    artifact = default_artifact_path("iris_model")
    command = [
        ctx.peers[QUIX],
        str(QUIX_APP),
        ctx.bootstrap,
        json_inputs,
        sink,
        str(artifact),
        str(n),
        str(seconds),
    ]
    run_json(ctx.children, f"quix-{index}", command, timeout=seconds + 120)
    return span_of_last(broker_stamps(ctx.bootstrap, sink, n, timeout=10))


def mlserver_kafka_figure(ctx: BenchContext, index: int) -> dict[str, Any]:
    server = MLServerPeer(ctx, ctx.peers[MLSERVER], f"kafka-{index}")
    try:
        seconds = ctx.plan.naive_seconds * 2
        count = min(ctx.plan.messages, int(MLSERVER_KAFKA_RATE_BOUND * seconds))
        return server.kafka_rate(count, seconds * 3)
    finally:
        server.stop()


def peer_stream_figures(ctx: BenchContext, json_inputs: str, index: int) -> dict[str, Any]:
    """Figures of every peer installed (``--peers``), one after another."""
    figures: dict[str, Any] = {}
    if QUIX in ctx.peers:
        figures["quix"] = quix_figure(ctx, json_inputs, index)
    if MLSERVER in ctx.peers:
        figures["mlserver_kafka"] = mlserver_kafka_figure(ctx, index)
    return figures
