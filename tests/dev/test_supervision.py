"""`streamproc run` supervises its children: a killed worker is restarted, says so, and serves again."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from bridges.catalog import read_catalog
from streamproc.wire.codec_factory import Codecs
from tests.dev.test_make_run import STREAMPROC, children_of, read_until
from tests.support.kafka_io import collect, produce_all
from tests.support.stack import unique_settings

pytestmark = pytest.mark.broker
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def test_run_restarts_a_killed_worker_and_says_so(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = unique_settings(kafka_bootstrap, tmp_path)
    run = subprocess.Popen(
        [STREAMPROC, "run", "--no-bridges"],
        env={**os.environ, **settings.environment()},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        read_until(run, "Ready. Ctrl-C stops everything.", timeout=180)
        [worker] = children_of(run.pid)
        os.killpg(worker, signal.SIGKILL)
        exited = read_until(run, "worker exited", timeout=30)[-1]
        assert "restarting in 1 s" in exited, exited
        read_until(run, "worker restarted (pid", timeout=30)
        [restarted] = children_of(run.pid)
        assert restarted != worker
        entry = read_catalog(settings)["iris_model"]
        value = Codecs(settings).for_schema(entry.input_avro_schema, entry.topics.inputs).encode(SETOSA)
        correlation_id = uuid.uuid4().hex
        produce_all(kafka_bootstrap, entry.topics.inputs, [(None, value, {"correlation_id": correlation_id})])
        wanted = lambda r: r.headers.get("correlation_id") == correlation_id  # noqa: E731
        assert collect(kafka_bootstrap, [entry.topics.outputs], wanted, 1, 120), (
            "the restarted worker is idle"
        )
    finally:
        run.send_signal(signal.SIGINT)
        out, _ = run.communicate(timeout=60)
    assert run.returncode == 0, out
