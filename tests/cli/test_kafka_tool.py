"""`streamproc kafka tool`: Kafka's own console producer and consumer-groups tool against our broker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from streamproc.settings import REPO_ROOT, StreamprocSettings

pytestmark = pytest.mark.broker
STREAMPROC = str(Path(sys.executable).parent / "streamproc")
VERSICOLOR = {"sepal_length": 6.1, "sepal_width": 2.8, "petal_length": 4.7, "petal_width": 1.2}


def cli(settings: StreamprocSettings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **settings.environment(), "STREAMPROC_STATE_DIR": str(REPO_ROOT / ".streamproc")}
    return subprocess.run(
        [STREAMPROC, *args], input=stdin, capture_output=True, text=True, timeout=300, env=env
    )


def test_kafka_console_producer_with_a_json_line_and_headers_gets_a_prediction(
    worker: subprocess.Popen[bytes], stack_settings: StreamprocSettings
) -> None:
    correlation_id = uuid.uuid4().hex
    line = f"content-type:application/json,correlation_id:{correlation_id}\t{json.dumps(VERSICOLOR)}\n"
    inputs = f"{stack_settings.topic_prefix}.iris_model.0.1.inputs"
    produced = cli(
        stack_settings,
        *("kafka", "tool", "console-producer", "--topic", inputs),
        *("--reader-property", "parse.headers=true"),
        stdin=line,
    )
    assert produced.returncode == 0, produced.stderr

    received = cli(
        stack_settings, "receive", "iris_model", "--from-beginning", "--headers", "--timeout", "20"
    )
    records = [json.loads(text) for text in received.stdout.splitlines()]
    ours = [r for r in records if r["headers"].get("correlation_id") == correlation_id]
    assert [r["value"] for r in ours] == [{"species": "versicolor"}], received.stderr


def test_kafka_consumer_groups_tool_lists_the_worker_groups(
    worker: subprocess.Popen[bytes], stack_settings: StreamprocSettings
) -> None:
    listed = cli(stack_settings, "kafka", "tool", "consumer-groups", "--list")
    assert listed.returncode == 0, listed.stderr
    assert f"{stack_settings.topic_prefix}.worker.iris_model" in listed.stdout.split()


def test_an_unknown_tool_is_refused_with_the_known_ones() -> None:
    result = subprocess.run([STREAMPROC, "kafka", "tool", "mirror-maker"], capture_output=True, text=True)
    assert result.returncode != 0
    assert "console-consumer" in result.stderr and "consumer-groups" in result.stderr
