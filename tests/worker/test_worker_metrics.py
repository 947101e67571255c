"""The worker's web server (metrics that match what it did, health, loopback only), and its JSON logs."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamproc.settings import REPO_ROOT, StreamprocSettings
from streamproc.wire.topics import ModelTopics
from streamproc.worker.consumer import fetch_size
from tests.support.brokers import free_port
from tests.support.kafka_io import produce_all
from tests.support.scrape import get, get_json, listening_addresses, scrape, value, wait_until
from tests.support.stack import running_worker, unique_settings

pytestmark = pytest.mark.broker
JSON = {"content-type": "application/json"}
GOOD = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
IRIS_BATCH_SIZE = 256  # topology/default.yaml


@pytest.fixture(scope="module", params=["default.yaml", "agent.yaml"], ids=["batch-engine", "agent-engine"])
def web_worker(
    request: pytest.FixtureRequest, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[StreamprocSettings, str]]:
    """A worker of its own (fresh topics, so its counts are exactly this module's inputs), web on."""
    state = tmp_path_factory.mktemp("web-worker")
    topology = REPO_ROOT / "topology" / request.param
    settings = unique_settings(
        kafka_bootstrap, state, worker_web_port=free_port(), log_format="json", topology=topology
    )
    with running_worker(settings, state / "worker.log", web=True):
        yield settings, f"http://127.0.0.1:{settings.worker_web_port}"


def iris_topics(settings: StreamprocSettings) -> ModelTopics:
    return ModelTopics.for_model(settings.topic_prefix, "iris_model", "0.1.0")


def test_the_web_server_listens_on_loopback_only(web_worker: tuple[StreamprocSettings, str]) -> None:
    settings, _ = web_worker
    assert listening_addresses(settings.worker_web_port) == {"127.0.0.1"}


def test_live_and_ready_once_every_model_consumes(web_worker: tuple[StreamprocSettings, str]) -> None:
    _, url = web_worker
    assert get_json(f"{url}/livez") == (200, {"status": "alive"})
    wait_until(lambda: get(f"{url}/readyz")[0] == 200, 60, "readiness")
    status, body = get_json(f"{url}/readyz")
    assert body == {"status": "ready", "models": {"iris_model": True, "diabetes_model": True}}


def test_after_1000_inputs_metrics_show_what_the_worker_did(
    web_worker: tuple[StreamprocSettings, str],
) -> None:
    settings, url = web_worker
    topic = iris_topics(settings).inputs
    metrics = f"{url}/metrics"
    # five inputs one at a time: each is a batch of one (the next is sent once the last was consumed)
    for n in range(1, 6):
        produce_all(settings.bootstrap_servers, topic, [(None, json.dumps(GOOD).encode(), JSON)])
        wait_until(
            lambda n=n: value(scrape(metrics), "streamproc_worker_inputs_total") == n, 60, f"input {n}"
        )
    bad_schema = json.dumps({**GOOD, "sepal_length": 51}).encode()
    items = []
    for i in range(995):
        if i % 10 == 0:
            items.append((None, bad_schema, JSON))  # 100 SCHEMA_ERROR
        elif i % 20 == 1:
            items.append((None, b"\x00 not avro, not json", {}))  # 50 DESERIALIZATION_ERROR
        else:
            items.append((None, json.dumps(GOOD).encode(), JSON))
    produce_all(settings.bootstrap_servers, topic, items)

    def settled() -> bool:
        samples = scrape(metrics)
        lag = [
            v
            for (n, ls), v in samples.items()
            if n == "streamproc_worker_consumer_lag" and ("model", "iris_model") in ls
        ]
        return value(samples, "streamproc_worker_inputs_total", model="iris_model") == 1000 and lag == [
            0,
            0,
            0,
        ]

    wait_until(settled, 90, "1000 inputs consumed, acknowledged and committed")
    s = scrape(metrics)
    iris = {"model": "iris_model"}
    assert value(s, "streamproc_worker_inputs_total", **iris) == 1000
    assert value(s, "streamproc_worker_outputs_total", **iris) == 850
    assert value(s, "streamproc_worker_errors_total", **iris, error_type="SCHEMA_ERROR") == 100
    assert value(s, "streamproc_worker_errors_total", **iris, error_type="DESERIALIZATION_ERROR") == 50
    assert value(s, "streamproc_worker_inputs_total", model="diabetes_model") == 0
    assert value(s, "streamproc_worker_in_flight_records", **iris) == 0
    # the batches (fetches) it really made: five of one, the rest at most a fetch each, 1000 records in all
    batches = value(s, "streamproc_worker_batch_size_count", **iris)
    fetch = fetch_size(IRIS_BATCH_SIZE)
    assert value(s, "streamproc_worker_batch_size_sum", **iris) == 1000
    assert value(s, "streamproc_worker_batch_size_bucket", **iris, le="1.0") >= 5
    assert value(s, "streamproc_worker_batch_size_bucket", **iris, le=f"{fetch:.1f}") == batches
    assert 5 + 995 / fetch <= batches <= 1000
    assert value(s, "streamproc_worker_batch_duration_seconds_count", **iris) == batches
    assert value(s, "streamproc_worker_end_to_end_latency_seconds_count", **iris) == batches
    # one model call per batch_size inputs of a fetch
    predictions = value(s, "streamproc_worker_prediction_duration_seconds_count", **iris)
    assert batches <= predictions <= batches + 1000 // IRIS_BATCH_SIZE
    if settings.topology.name == "default.yaml":  # the agent engine's offsets are committed by Faust
        assert value(s, "streamproc_worker_commits_total", **iris) >= 1
    assert value(s, "streamproc_worker_rebalances_total", **iris) >= 1
    assert value(s, "streamproc_worker_up") == 1
    assert value(s, "streamproc_worker_start_time_seconds") > 1.7e9


def test_metrics_off_by_setting(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = unique_settings(kafka_bootstrap, tmp_path, worker_web_port=free_port(), worker_metrics=False)
    with running_worker(settings, tmp_path / "worker.log", models=("iris_model",), web=True) as proc:
        assert isinstance(proc, subprocess.Popen)
        status, _ = get(f"http://127.0.0.1:{settings.worker_web_port}/metrics")
        assert status == 404


def json_lines(log: Path) -> list[dict]:  # type: ignore[type-arg]
    lines = []
    for line in log.read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            lines.append(json.loads(line))
    return lines


def test_json_logs_give_each_bad_input_its_model_topic_partition_offset(
    web_worker: tuple[StreamprocSettings, str],
) -> None:
    settings, _ = web_worker
    topic = iris_topics(settings).inputs
    log = settings.state_dir / "worker.log"

    def logged() -> list[dict]:  # type: ignore[type-arg]
        return [
            e
            for e in json_lines(log)
            if e.get("topic") == topic and e.get("error_type") == "DESERIALIZATION_ERROR"
        ]

    # Repeated warnings are shown once per interval (the repeat filter): send bad inputs until one shows.
    before = len(logged())
    for _ in range(40):
        produce_all(settings.bootstrap_servers, topic, [(b"log-me", b"\x00 unreadable", {})])
        with contextlib.suppress(TimeoutError):
            wait_until(lambda: len(logged()) > before, 1.0, "a JSON error line")
            break
    event = logged()[-1]
    assert event["model"] == "iris_model" and event["level"] == "WARNING"
    assert isinstance(event["offset"], int) and isinstance(event["partition"], int)
    assert f"partition={event['partition']} offset={event['offset']}" in event["message"]
    banner = ("+", "|")  # Faust's start-up table, printed (not logged) on stdout
    lines = [line for line in log.read_text(errors="replace").splitlines() if not line.startswith(banner)]
    assert len(json_lines(log)) == len(lines), "every worker log line is a JSON object"
