"""A topic whose own ``max.message.bytes`` is below ``STREAMPROC_MAX_MESSAGE_BYTES``: the worker reads it at
start and keeps every record and every produce batch within it, so error records that would not fit arrive
shrunk and the worker keeps going (before, the broker refused them and the worker stopped)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from streamproc.kafka.admin import TopicSpec, ensure_topics, max_message_bytes
from streamproc.wire.codec_factory import Codecs
from streamproc.wire.error_record import ErrorRecord
from streamproc.wire.topics import ModelTopics
from tests.support.kafka_io import collect, produce_all
from tests.support.stack import running_worker, unique_settings

pytestmark = pytest.mark.broker
LIMIT = 65_536
JSON = {"content-type": "application/json"}
GOOD = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def test_error_records_fit_a_topic_with_a_small_max_message_bytes(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    topology = tmp_path / "small-topics.yaml"
    configs = {"max.message.bytes": str(LIMIT)}
    model = {
        "class_path": "streamproc.reference_models.iris.IrisModel",
        "topics": {"partitions": 1, "configs": configs},
    }
    topology.write_text(yaml.safe_dump({"models": [model]}))
    settings = unique_settings(kafka_bootstrap, tmp_path, topology=topology)
    topics = ModelTopics.for_model(settings.topic_prefix, "iris_model", "0.1.0")
    names = [topics.inputs, topics.outputs, topics.errors]
    ensure_topics(settings, [TopicSpec(name, 1, 1, configs) for name in names])  # as the worker makes them
    assert max_message_bytes(settings, names) == dict.fromkeys(names, LIMIT)

    # queued before the worker starts, so it reads them as one batch and produces their errors together
    big_key, big_value = b"k" * 20_000, b"{" * 40_000  # error record: value + key twice > LIMIT
    for key, value in [
        (b"a", b"[" * 30_000),
        (b"b", b"[" * 30_000),
        (b"c", b"[" * 30_000),
        (big_key, big_value),
    ]:
        produce_all(
            kafka_bootstrap, topics.inputs, [(key, value, JSON)]
        )  # one at a time: each fits the topic
    produce_all(kafka_bootstrap, topics.inputs, [(b"good", json.dumps(GOOD).encode(), JSON)])

    log = tmp_path / "worker.log"
    with running_worker(settings, log, models=("iris_model",)) as worker:
        records = collect(kafka_bootstrap, [topics.outputs, topics.errors], lambda r: True, 5, 120)
        assert worker.poll() is None, "the worker stopped"
    assert f"records kept within {LIMIT} bytes" in log.read_text()

    assert [r.topic for r in records].count(topics.errors) == 4
    [output] = [r for r in records if r.topic == topics.outputs]
    assert output.key == b"good"
    codec = Codecs(settings).errors(topics.errors)
    errors = [ErrorRecord.from_wire(codec.decode(r.value)) for r in records if r.topic == topics.errors]
    assert all(len(r.value) + len(r.key or b"") < LIMIT for r in records)
    whole = [e for e in errors if not (e.original_value_truncated or e.original_key_truncated)]
    assert [e.original_value for e in whole] == [b"[" * 30_000] * 3  # fit as they were
    [shrunk] = [e for e in errors if e.original_value_truncated or e.original_key_truncated]
    assert shrunk.error_type == "DESERIALIZATION_ERROR"
    assert (shrunk.original_value_size, shrunk.original_key_size) == (len(big_value), len(big_key))
    assert shrunk.original_value_sha256 == hashlib.sha256(big_value).hexdigest()
    assert shrunk.original_key_sha256 == hashlib.sha256(big_key).hexdigest()
    assert big_value.startswith(shrunk.original_value) and big_key.startswith(shrunk.original_key or b"")
