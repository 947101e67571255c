"""A real Prometheus (Debian's package) started by `streamproc run --with-prometheus` scrapes the worker
and the three bridges; its answers match what was produced, and the shipped Grafana dashboard asks only for
metric names the processes really expose."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from streamproc.dev.prometheus import query
from streamproc.settings import REPO_ROOT, StreamprocSettings
from streamproc.wire.topics import ModelTopics
from tests.dev.test_make_run import read_until
from tests.support.brokers import free_port
from tests.support.kafka_io import produce_all
from tests.support.scrape import get, wait_until
from tests.support.stack import unique_settings

pytestmark = pytest.mark.broker
STREAMPROC = str(Path(sys.executable).parent / "streamproc")
DASHBOARD = REPO_ROOT / "docs" / "grafana" / "streamproc.json"
JSON = {"content-type": "application/json"}
GOOD = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
PROMETHEUS_OWN = {"up"}  # series Prometheus makes for every target itself


@pytest.fixture(scope="module")
def stack(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamprocSettings]:
    state = tmp_path_factory.mktemp("prometheus-stack")
    ports = {
        k: free_port()
        for k in (
            "rest_port",
            "websocket_port",
            "rpc_port",
            "rpc_metrics_port",
            "worker_web_port",
            "prometheus_port",
        )
    }
    settings = unique_settings(kafka_bootstrap, state, prometheus_scrape_interval=1.0, **ports)
    run = subprocess.Popen(
        [STREAMPROC, "run", "--with-prometheus"],
        env={**os.environ, **settings.environment()},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        lines = read_until(run, "Ready. Ctrl-C stops everything.", timeout=180)
        assert f"Prometheus http://127.0.0.1:{settings.prometheus_port}" in "\n".join(lines)
        yield settings
    finally:
        run.send_signal(signal.SIGINT)
        out, _ = run.communicate(timeout=60)
        assert run.returncode == 0, out


def prometheus(settings: StreamprocSettings) -> str:
    return f"http://127.0.0.1:{settings.prometheus_port}"


def scalar(settings: StreamprocSettings, promql: str) -> float | None:
    result = query(prometheus(settings), promql)
    return float(result[0]["value"][1]) if result else None


def eventually(settings: StreamprocSettings, promql: str, expected: float) -> None:
    wait_until(lambda: scalar(settings, promql) == expected, 30, f"{promql} == {expected}")


def test_prometheus_counts_what_the_worker_produced(stack: StreamprocSettings) -> None:
    topic = ModelTopics.for_model(stack.topic_prefix, "iris_model", "0.1.0").inputs
    eventually(
        stack, 'sum(streamproc_worker_outputs_total{model="iris_model"})', 0
    )  # scraped before the inputs
    bad = json.dumps({**GOOD, "petal_width": "wide"}).encode()
    items = [(None, json.dumps(GOOD).encode() if i % 6 else bad, JSON) for i in range(120)]
    produce_all(stack.bootstrap_servers, topic, items)  # 100 good, 20 SCHEMA_ERROR
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.rest_port}/api/models/iris_model/prediction",
        data=json.dumps(GOOD).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200  # one more output, through the REST bridge

    # each answer as soon as Prometheus has scraped it (every second here)
    eventually(stack, 'sum(streamproc_worker_outputs_total{model="iris_model"})', 101)
    eventually(stack, 'sum(streamproc_worker_errors_total{model="iris_model",error_type="SCHEMA_ERROR"})', 20)
    eventually(stack, 'sum(streamproc_worker_inputs_total{model="iris_model"})', 121)
    eventually(stack, 'sum(streamproc_worker_consumer_lag{model="iris_model"})', 0)
    eventually(stack, 'sum(streamproc_rest_requests_total{model="iris_model",status="200"})', 1)
    ups = {r["metric"]["job"]: r["value"][1] for r in query(prometheus(stack), "up")}
    assert ups == {"worker": "1", "rest": "1", "websocket": "1", "rpc": "1"}
    rate = 'sum(rate(streamproc_worker_outputs_total{model="iris_model"}[1m]))'
    wait_until(lambda: (scalar(stack, rate) or 0) > 0, 30, "an output rate")


def exposed_names(url: str) -> set[str]:
    status, body = get(url)
    assert status == 200, url
    names = set()
    for family in text_string_to_metric_families(body.decode()):
        names.add(family.name)
        suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count", "_created")}
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ()))
    return names


def test_the_grafana_dashboard_uses_only_metric_names_that_exist(stack: StreamprocSettings) -> None:
    exposed = PROMETHEUS_OWN.union(
        *(
            exposed_names(f"http://127.0.0.1:{port}/metrics")
            for port in (stack.worker_web_port, stack.rest_port, stack.websocket_port, stack.rpc_metrics_port)
        )
    )
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(expressions) >= 10
    for expr in expressions:
        names = set(re.findall(r"\b(streamproc_[a-z0-9_]+|up)\b", expr))
        assert names, expr
        assert names <= exposed, f"{expr}: {names - exposed} not exposed"
        query(prometheus(stack), expr)  # and Prometheus accepts the query itself
