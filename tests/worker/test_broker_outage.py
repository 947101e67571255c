"""A broker outage under a backlog: the worker waits for the broker, loses nothing, and logs little."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from bridges.catalog import read_catalog
from streamproc.wire.codec_factory import Codecs
from tests.support.brokers import own_local_kafka, say
from tests.support.kafka_io import collect, produce_all
from tests.support.stack import running_worker, unique_settings

pytestmark = pytest.mark.broker

INPUTS = int(os.environ.get("STREAMPROC_TEST_OUTAGE_INPUTS", "20000"))
OUTAGE = float(os.environ.get("STREAMPROC_TEST_OUTAGE_SECONDS", "60"))
IRIS = {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 4.2, "petal_width": 1.5}


@pytest.mark.timeout(900)
def test_a_broker_outage_under_a_backlog_loses_nothing_and_the_worker_stays_up(tmp_path: Path) -> None:
    with own_local_kafka(tmp_path / "kafka") as broker:
        settings = unique_settings(broker.bootstrap, tmp_path / "state", worker_session_timeout=6)
        log = tmp_path / "worker.log"
        with running_worker(settings, log, models=("iris_model",)) as worker:
            entry = read_catalog(settings)["iris_model"]
            value = Codecs(settings).for_schema(entry.input_avro_schema, entry.topics.inputs).encode(IRIS)
            run = uuid.uuid4().hex[:8]
            os.killpg(worker.pid, signal.SIGSTOP)  # frozen while the backlog is produced
            try:
                produce_all(
                    broker.bootstrap,
                    entry.topics.inputs,
                    [(str(i).encode(), value, {"correlation_id": f"{run}-{i}"}) for i in range(INPUTS)],
                )
            finally:
                os.killpg(worker.pid, signal.SIGCONT)
            wanted = lambda r: r.headers.get("correlation_id", "").startswith(run)  # noqa: E731
            before = collect(broker.bootstrap, [entry.topics.outputs], wanted, 1, 60)
            assert before, "no output before the outage"
            broker.stop()
            log_at_stop = log.stat().st_size
            stopped = time.monotonic()
            while time.monotonic() - stopped < OUTAGE:
                assert worker.poll() is None, f"the worker exited during the outage ({worker.returncode})"
                time.sleep(1)  # the outage itself: nothing to wait for but time
            outage_log = log.stat().st_size - log_at_stop
            broker.start()
            seen: set[str] = set()
            deadline = time.monotonic() + 300
            while len(seen) < INPUTS and time.monotonic() < deadline and worker.poll() is None:
                found = collect(broker.bootstrap, [entry.topics.outputs], wanted, INPUTS * 2, 10)
                seen = {r.headers["correlation_id"] for r in found}
            say(f"outage {OUTAGE:.0f} s, {INPUTS} inputs: {INPUTS - len(seen)} lost, log {outage_log} bytes")
            assert worker.poll() is None, "the worker exited after the outage"
            assert len(seen) == INPUTS, f"{INPUTS - len(seen)} of {INPUTS} inputs lost"
            assert outage_log < 1_000_000, f"{outage_log} bytes logged during the outage"
