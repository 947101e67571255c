"""`streamproc run --workers 2`: two worker processes of one consumer group share the partitions and
answer every input."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from bridges.catalog import read_catalog
from streamproc.dev import processes
from streamproc.wire.codec_factory import Codecs
from tests.dev.test_make_run import read_until
from tests.support.brokers import free_port
from tests.support.kafka_io import collect, produce_all
from tests.support.stack import unique_settings

pytestmark = pytest.mark.broker
ASSIGNED = "model iris_model: assigned ["


def test_two_workers_share_the_partitions_and_lose_nothing(kafka_bootstrap: str, tmp_path: Path) -> None:
    topology = tmp_path / "topology.yaml"
    topology.write_text(
        "models:\n  - class_path: streamproc.reference_models.iris.IrisModel\n    topics: {partitions: 6}\n"
    )
    settings = unique_settings(kafka_bootstrap, tmp_path / "state", topology=topology)
    env = {**os.environ, **settings.environment(), "STREAMPROC_WORKER_WEB_PORT": str(free_port())}
    run = subprocess.Popen(
        processes.command("streamproc", "run", "--no-bridges", "--workers", "2"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    logs = settings.state_dir / "logs"
    try:
        lines = read_until(run, "Ready.", timeout=240)
        assert any(line.startswith("Worker 2") for line in lines), lines

        def both_assigned() -> bool:  # the latest assignment of each worker names some partition
            for name in ("worker.log", "worker-2.log"):
                text = (logs / name).read_text(errors="replace")
                latest = (
                    text[text.rfind(ASSIGNED) + len(ASSIGNED) :].split("]", 1)[0] if ASSIGNED in text else ""
                )
                if not latest.strip():
                    return False
            return True

        processes.wait_until(run, both_assigned, "both workers assigned", 90, logs / "worker.log")  # type: ignore[arg-type]
        entry = read_catalog(settings)["iris_model"]
        codec = Codecs(settings).for_schema(entry.input_avro_schema, entry.topics.inputs)
        value = codec.encode(
            {"sepal_length": 6.1, "sepal_width": 2.8, "petal_length": 4.7, "petal_width": 1.2}
        )
        marker = uuid.uuid4().hex[:8]
        items = [(str(i).encode(), value, {"correlation_id": f"{marker}-{i}"}) for i in range(600)]
        produce_all(kafka_bootstrap, entry.topics.inputs, items)
        wanted = lambda r: r.headers.get("correlation_id", "").startswith(marker)  # noqa: E731
        outputs = collect(kafka_bootstrap, [entry.topics.outputs], wanted, 600, 90)
        assert len({r.headers["correlation_id"] for r in outputs}) == 600
        assert {r.partition for r in outputs} == set(range(6))
    finally:
        os.killpg(run.pid, signal.SIGINT)
        run.wait(60)
