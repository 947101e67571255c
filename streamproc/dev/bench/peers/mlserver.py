"""The MLServer peer: MLServer 1.7 serving the same fitted iris artifact over Kafka and REST.

One server per stream repeat (its Kafka topics are fixed in its settings file, which overrides the
environment): model ``iris`` as MLServer serves by default (its Kafka server feeds it one request at a
time) and ``iris-batched`` with adaptive batching (``max_batch_size`` 64, ``max_batch_time`` 5 ms) for
REST. Its Kafka consumer has no group id and starts at the end of its topic, so inputs are produced only
once a probe request came back; outputs are timed by the broker's LogAppendTime stamps.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from streamproc.dev.bench.context import BenchContext
from streamproc.dev.bench.data import produce_inputs
from streamproc.dev.bench.peers.outputs import LOG_APPEND_TIME, broker_stamps, span_of_last
from streamproc.dev.bench.procs import free_port
from streamproc.kafka.admin import TopicSpec, ensure_topics
from streamproc.reference_models._base import default_artifact_path

NAME = "mlserver"
MODEL = "iris"  # MLServer's defaults: no adaptive batching
BATCHED = "iris-batched"  # adaptive batching, for REST
BATCHING = {"max_batch_size": 64, "max_batch_time": 0.005}


def inference_request(row: dict[str, float]) -> dict[str, Any]:
    """An Open Inference Protocol (V2) request for one iris row."""
    return {"inputs": [{"name": "predict", "shape": [1, 4], "datatype": "FP64", "data": list(row.values())}]}


def write_repository(workdir: Path, bootstrap: str, inputs: str, outputs: str, http_port: int) -> Path:
    root = workdir / f"mlserver-{uuid.uuid4().hex[:6]}"
    artifact = str(default_artifact_path("iris_model"))
    settings = {
        "host": "127.0.0.1",
        "http_port": http_port,
        "grpc_port": free_port(),
        "metrics_port": free_port(),
        "debug": False,
        "metrics_dir": str(root / ".metrics"),  # not the current directory
        "kafka_enabled": True,
        "kafka_servers": bootstrap,
        "kafka_topic_input": inputs,
        "kafka_topic_output": outputs,
    }
    models = {MODEL: {}, BATCHED: BATCHING}
    for name, extra in models.items():
        (root / name).mkdir(parents=True)
        model = {
            "name": name,
            "implementation": "mlserver_sklearn.SKLearnModel",
            "parameters": {"uri": artifact},
        }
        (root / name / "model-settings.json").write_text(json.dumps(model | extra))
    (root / "settings.json").write_text(json.dumps(settings))
    return root


class MLServerPeer:
    """One running MLServer with its own Kafka topics."""

    def __init__(self, ctx: BenchContext, python: str, tag: str) -> None:
        self.ctx = ctx
        self.child = f"{NAME}-{tag}"
        prefix = f"bench-mlserver-{uuid.uuid4().hex[:8]}"
        self.inputs, self.outputs = f"{prefix}.inputs", f"{prefix}.outputs"
        ensure_topics(
            ctx.broker_settings(),
            [
                TopicSpec(self.inputs, ctx.plan.partitions, 1),
                TopicSpec(self.outputs, ctx.plan.partitions, 1, LOG_APPEND_TIME),
            ],
        )
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        root = write_repository(ctx.workdir, ctx.bootstrap, self.inputs, self.outputs, port)
        mlserver = str(Path(python).parent / "mlserver")
        ctx.children.spawn(self.child, [mlserver, "start", str(root)])
        log = ctx.children.log(self.child)
        ctx.children.wait_until(
            self.child,
            lambda: "Reading messages from consumer" in log.read_text(errors="replace"),
            "Kafka",
            180,
        )
        self._probe()

    def _send(self, count: int) -> None:
        headers: list[tuple[str, str | bytes | None]] = [
            ("mlserver-model", MODEL),
            ("content-type", "application/json"),
        ]
        produce_inputs(
            self.ctx.bootstrap,
            self.inputs,
            count,
            lambda row: json.dumps(inference_request(row)).encode(),
            headers,
        )

    def _probe(self) -> None:
        """Until a request comes back: the consumer has found the end of its topic and reads from there."""
        deadline = time.monotonic() + 120
        while not broker_stamps(self.ctx.bootstrap, self.outputs, 1, timeout=1.0):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"MLServer answered no Kafka request:\n{self.ctx.children.tail(self.child)}"
                )
            self._send(1)

    def kafka_rate(self, count: int, seconds: float) -> dict[str, Any]:
        """Rate of ``count`` requests (rated on what it did within ``seconds``) from LogAppendTime.
        Keep ``count`` to what it can do in ``seconds``: it works through the rest until stopped."""
        before = len(broker_stamps(self.ctx.bootstrap, self.outputs, 10**9, timeout=2.0))
        self._send(count)
        stamps = broker_stamps(self.ctx.bootstrap, self.outputs, before + count, timeout=seconds)
        return span_of_last(stamps[before:])

    def stop(self) -> None:
        self.ctx.children.stop(self.child)
