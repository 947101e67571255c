"""The worker's lifecycle: a model that cannot load stops it loudly; a crash loses no input."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from bridges.catalog import read_catalog
from streamproc.dev import processes
from streamproc.settings import REPO_ROOT
from streamproc.wire.codec_factory import Codecs
from tests.support.kafka_io import collect, produce_all
from tests.support.stack import running_worker, unique_settings

TOPOLOGY = {"batch": REPO_ROOT / "topology" / "default.yaml", "agent": REPO_ROOT / "topology" / "agent.yaml"}
VERSICOLOR = {"sepal_length": 6.1, "sepal_width": 2.8, "petal_length": 4.7, "petal_width": 1.2}


@pytest.mark.parametrize(
    ("model_yaml", "expected"),
    [
        ("class_path: streamproc.reference_models.iris.NoSuchModel", "cannot import model class"),
        (
            "class_path: streamproc.reference_models.iris.IrisModel\n"
            "    configuration: {model_path: /nonexistent.joblib}",
            "streamproc train",
        ),
    ],
)
def test_a_model_that_cannot_load_stops_the_worker_with_a_clear_error(
    tmp_path: Path, model_yaml: str, expected: str
) -> None:
    topology = tmp_path / "topology.yaml"
    topology.write_text(f"models:\n  - {model_yaml}\n")
    env = {**os.environ, "STREAMPROC_TOPOLOGY": str(topology), "STREAMPROC_BOOTSTRAP_SERVERS": "127.0.0.1:1"}
    result = subprocess.run(
        processes.worker_command("--without-web"),
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode != 0
    assert "streamproc worker cannot start" in result.stderr and expected in result.stderr, result.stderr[
        -2000:
    ]


@pytest.mark.parametrize("engine", ["batch", "agent"])
def test_a_killed_worker_loses_no_input(kafka_bootstrap: str, tmp_path: Path, engine: str) -> None:
    settings = unique_settings(
        kafka_bootstrap, tmp_path / "state", worker_session_timeout=8, topology=TOPOLOGY[engine]
    )
    log = tmp_path / "worker.log"
    run = uuid.uuid4().hex[:8]
    total = 3000
    with running_worker(settings, log, models=("iris_model", "diabetes_model")) as first:
        entry = read_catalog(settings)["iris_model"]
        codec = Codecs(settings).for_schema(entry.input_avro_schema, entry.topics.inputs)
        value = codec.encode(
            {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 4.2, "petal_width": 1.5}
        )
        items = [(str(i).encode(), value, {"correlation_id": f"{run}-{i}"}) for i in range(total)]
        produce_all(kafka_bootstrap, entry.topics.inputs, items)
        wanted = lambda r: r.headers.get("correlation_id", "").startswith(run)  # noqa: E731
        assert collect(kafka_bootstrap, [entry.topics.outputs], wanted, 100, 60), "no output before the kill"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    with running_worker(settings, tmp_path / "worker2.log"):
        outputs: list = []
        deadline = time.monotonic() + 120
        while len({r.headers["correlation_id"] for r in outputs}) < total and time.monotonic() < deadline:
            outputs = collect(kafka_bootstrap, [entry.topics.outputs], wanted, total * 2, 5)
        seen = {r.headers["correlation_id"] for r in outputs}
        missing = total - len(seen)
        assert missing == 0, f"{missing} inputs never got an output\n{processes.tail(log)}"


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)  # polling interval


@pytest.mark.parametrize("engine", ["batch", "agent"])
def test_workers_joining_and_leaving_lose_nothing(kafka_bootstrap: str, tmp_path: Path, engine: str) -> None:
    """Partitions move twice under a steady stream (a join, then a graceful stop): every input is answered."""
    settings = unique_settings(
        kafka_bootstrap, tmp_path / "state", worker_session_timeout=8, topology=TOPOLOGY[engine]
    )
    run = uuid.uuid4().hex[:8]
    sent: list[str] = []
    stop_producing = threading.Event()
    second_log = tmp_path / "second.log"
    with running_worker(settings, tmp_path / "first.log") as first:
        entry = read_catalog(settings)["iris_model"]
        codec = Codecs(settings).for_schema(entry.input_avro_schema, entry.topics.inputs)
        value = codec.encode(
            {"sepal_length": 6.1, "sepal_width": 2.8, "petal_length": 4.7, "petal_width": 1.2}
        )

        def produce_steadily() -> None:
            for wave in range(1200):  # at most 1200 waves of 50, about 60 s
                if stop_producing.is_set():
                    return
                items = [(None, value, {"correlation_id": f"{run}-{wave}-{i}"}) for i in range(50)]
                produce_all(kafka_bootstrap, entry.topics.inputs, items)
                sent.extend(item[2]["correlation_id"] for item in items)
                time.sleep(0.05)  # pacing of the load, not a readiness wait

        producer = threading.Thread(target=produce_steadily)
        producer.start()
        try:
            wait_for(lambda: len(sent) >= 500, 30, "the first inputs")
            with running_worker(settings, second_log):
                joined = "model iris_model: assigned"
                wait_for(lambda: second_log.exists() and joined in second_log.read_text(), 60, "the join")
                at_join = len(sent)
                wait_for(lambda: len(sent) >= at_join + 500, 30, "inputs after the join")
                processes.terminate(
                    first
                )  # graceful: revoke, flush, commit; the second takes every partition
                at_leave = len(sent)
                wait_for(lambda: len(sent) >= at_leave + 500, 30, "inputs after the leave")
                stop_producing.set()
                producer.join(30)
                seen = collect_ids(kafka_bootstrap, entry.topics.outputs, run, expected=len(sent), timeout=90)
        finally:
            stop_producing.set()
            producer.join(30)
    missing = set(sent) - seen
    assert not missing, f"{len(missing)} of {len(sent)} inputs never got an output"


def collect_ids(bootstrap: str, topic: str, run: str, expected: int, timeout: float) -> set[str]:
    wanted = lambda r: r.headers.get("correlation_id", "").startswith(run)  # noqa: E731
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < expected and time.monotonic() < deadline:
        seen = {r.headers["correlation_id"] for r in collect(bootstrap, [topic], wanted, 10 * expected, 5)}
    return seen
