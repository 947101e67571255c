"""SIGKILL one of two workers mid-stream: the survivor takes its partitions within seconds, nothing is
lost, and at most the batches in flight are processed twice."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import OFFSET_END, Consumer, TopicPartition

from bridges.catalog import read_catalog
from streamproc.wire.codec_factory import Codecs
from streamproc.worker.consumer import IN_FLIGHT_FETCHES, fetch_size
from tests.support.brokers import say
from tests.support.kafka_io import collect, produce_all
from tests.support.stack import running_worker, unique_settings

pytestmark = pytest.mark.broker

BATCH_SIZE = 256  # iris_model's batch_size in topology/default.yaml
BURST = int(os.environ.get("STREAMPROC_TEST_FAILOVER_BURST", "0"))  # by hand: 50000
VERSICOLOR = {"sepal_length": 6.1, "sepal_width": 2.8, "petal_length": 4.7, "petal_width": 1.2}


def assigned(log: Path) -> list[int] | None:
    """The iris_model partitions a worker's log last says it was assigned."""
    found = re.findall(r"model iris_model: assigned \[([\d, ]*)\]", log.read_text(errors="replace"))
    return [int(p) for p in found[-1].split(",") if p.strip()] if found else None


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)  # polling interval


def first_output_on(bootstrap: str, topic: str, partitions: list[int], after: float, limit: float) -> float:
    """Seconds from ``after`` (monotonic) to the first output on ``partitions`` later than ``after`` + 1 s."""
    reader = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": uuid.uuid4().hex, "enable.auto.commit": False}
    )
    reader.assign([TopicPartition(topic, p, OFFSET_END) for p in partitions])
    try:
        while time.monotonic() - after < limit:
            message = reader.poll(0.2)
            if message is not None and message.error() is None and time.monotonic() - after > 1.0:
                return time.monotonic() - after
    finally:
        reader.close()
    return float("inf")


@pytest.mark.timeout(600)
def test_a_killed_workers_partitions_resume_on_the_survivor_quickly(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = unique_settings(kafka_bootstrap, tmp_path / "state")
    run, sent, stop = uuid.uuid4().hex[:8], [], threading.Event()
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    with running_worker(settings, first_log) as first, running_worker(settings, second_log):
        entry = read_catalog(settings)["iris_model"]
        value = Codecs(settings).for_schema(entry.input_avro_schema, entry.topics.inputs).encode(VERSICOLOR)
        wait_for(lambda: assigned(second_log) and assigned(first_log) != [0, 1, 2], 60, "the split")

        def produce_steadily() -> None:
            for wave in range(1200):  # at most 1200 waves of 50, about 60 s
                if stop.is_set():
                    return
                items = [(None, value, {"correlation_id": f"{run}-{wave}-{i}"}) for i in range(50)]
                produce_all(kafka_bootstrap, entry.topics.inputs, items)
                sent.extend(item[2]["correlation_id"] for item in items)
                time.sleep(0.05)  # pacing of the load, not a readiness wait

        if BURST:  # the case: a burst queued at once, the kill lands while much of it is in flight
            burst = [(None, value, {"correlation_id": f"{run}-burst-{i}"}) for i in range(BURST)]
            produce_all(kafka_bootstrap, entry.topics.inputs, burst)
            sent.extend(item[2]["correlation_id"] for item in burst)
        producer = threading.Thread(target=produce_steadily)
        producer.start()
        try:
            wait_for(lambda: len(sent) >= BURST + 2000, 60, "inputs before the kill")
            dead_partitions = assigned(first_log)
            assert dead_partitions, "the first worker owns no partition"
            killed = time.monotonic()
            os.killpg(first.pid, signal.SIGKILL)
            failover = first_output_on(kafka_bootstrap, entry.topics.outputs, dead_partitions, killed, 60)
            at_resume = len(sent)
            wait_for(lambda: len(sent) >= at_resume + 1000, 60, "inputs after the failover")
        finally:
            stop.set()
            producer.join(30)
        wanted = lambda r: r.headers.get("correlation_id", "").startswith(run)  # noqa: E731
        outputs: list = []
        deadline = time.monotonic() + 120
        while len({r.headers["correlation_id"] for r in outputs}) < len(sent) and time.monotonic() < deadline:
            outputs = collect(kafka_bootstrap, [entry.topics.outputs], wanted, len(sent) * 2, 10)
    ids = [r.headers["correlation_id"] for r in outputs]
    lost, duplicated = len(set(sent) - set(ids)), len(ids) - len(set(ids))
    bound = IN_FLIGHT_FETCHES * fetch_size(BATCH_SIZE)
    say(
        f"failover {failover:.1f} s; {len(sent)} inputs, {lost} lost, {duplicated} duplicated (bound {bound})"
    )
    assert lost == 0, f"{lost} of {len(sent)} inputs lost"
    assert failover < 20, f"the survivor took {failover:.1f} s to resume the dead worker's partitions"
    assert duplicated <= bound, (
        f"{duplicated} inputs processed twice, more than the {bound} that can be in flight"
    )
