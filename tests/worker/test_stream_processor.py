"""The worker, end to end through a real broker: predictions, order, headers, errors, two models.

Each test runs per engine: the batch consumer (the shared worker) and Faust agents (topology/agent.yaml).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridges.catalog import read_catalog
from streamproc.reference_models.diabetes import DiabetesModel
from streamproc.reference_models.iris import IrisModel
from streamproc.settings import REPO_ROOT, StreamprocSettings
from streamproc.wire.codec_factory import Codecs
from streamproc.wire.error_record import ErrorRecord
from tests.support.kafka_io import Record, collect, produce_all
from tests.support.stack import running_worker, unique_settings

pytestmark = pytest.mark.broker
JSON = {"content-type": "application/json"}


def iris_input(rng: random.Random) -> dict[str, float]:
    return {
        "sepal_length": round(rng.uniform(4.3, 7.9), 1),
        "sepal_width": round(rng.uniform(2.0, 4.4), 1),
        "petal_length": round(rng.uniform(1.0, 6.9), 1),
        "petal_width": round(rng.uniform(0.1, 2.5), 1),
    }


@pytest.fixture(scope="module", params=["batch", "agent"])
def engine_settings(
    request: pytest.FixtureRequest, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamprocSettings]:
    """Settings of a running worker of each engine: the shared one (batch), or one on topology/agent.yaml."""
    if request.param == "batch":
        request.getfixturevalue("worker")
        yield request.getfixturevalue("stack_settings")
        return
    state: Path = tmp_path_factory.mktemp("agent-state")
    settings = unique_settings(kafka_bootstrap, state, topology=REPO_ROOT / "topology" / "agent.yaml")
    with running_worker(settings, state / "worker.log"):
        yield settings


@pytest.fixture(scope="module")
def models(engine_settings: StreamprocSettings) -> dict:
    entries = read_catalog(engine_settings)
    codecs = Codecs(engine_settings)
    out = {}
    for name in ("iris_model", "diabetes_model"):
        entry = entries[name]
        out[name] = {
            "entry": entry,
            "input": codecs.for_schema(entry.input_avro_schema, entry.topics.inputs),
            "output": codecs.for_schema(entry.output_avro_schema, entry.topics.outputs),
            "error": codecs.errors(entry.topics.errors),
        }
    return out


def by_correlation(prefix: str):  # type: ignore[no-untyped-def]
    return lambda record: record.headers.get("correlation_id", "").startswith(prefix)


def test_1000_iris_inputs_give_the_models_own_predictions_in_partition_order(
    engine_settings: StreamprocSettings, models: dict
) -> None:
    iris = models["iris_model"]
    rng = random.Random(7)
    inputs = [iris_input(rng) for _ in range(1000)]
    run = uuid.uuid4().hex[:8]
    items = [
        (
            f"key-{i % 17}".encode(),
            iris["input"].encode(x),
            {"correlation_id": f"{run}-{i}", "traceparent": f"00-{i}"},
        )
        for i, x in enumerate(inputs)
    ]
    started = time.perf_counter()
    partitions = produce_all(engine_settings.bootstrap_servers, iris["entry"].topics.inputs, items)
    outputs = collect(
        engine_settings.bootstrap_servers, [iris["entry"].topics.outputs], by_correlation(run), 1000, 120
    )
    elapsed = time.perf_counter() - started
    print(f"\n1000 iris inputs -> outputs in {elapsed:.2f} s ({1000 / elapsed:.0f} msg/s incl. produce)")

    assert len(outputs) == 1000
    model = IrisModel()
    expected = [model.predict(model.input_schema(**x)).model_dump(mode="json") for x in inputs]
    index = {f"{run}-{i}": i for i in range(1000)}
    for record in outputs:
        i = index[record.headers["correlation_id"]]
        assert iris["output"].decode(record.value) == expected[i]
        assert record.key == items[i][0]
        assert record.headers["traceparent"] == f"00-{i}"
        assert record.headers["model_version"] == "0.1.0"
        assert record.partition == partitions[i]
    for partition in set(partitions):
        produced_order = [i for i in range(1000) if partitions[i] == partition]
        output_order = [index[r.headers["correlation_id"]] for r in outputs if r.partition == partition]
        assert output_order == produced_order


def bad_inputs(iris_codec) -> list[tuple[str, bytes, dict[str, str], str | None]]:  # type: ignore[no-untyped-def]
    """(name, value, headers, the field named in details) for every kind of bad input."""
    good = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
    unknown_fingerprint = b"\xc3\x01" + bytes(range(8)) + iris_codec.encode(good)[10:]
    return [
        ("DESERIALIZATION_ERROR", b"\x00\x01 definitely not avro", {}, None),
        ("DESERIALIZATION_ERROR", b'{"sepal_length": 5.1,', JSON, None),
        ("SCHEMA_ERROR", json.dumps({**good, "sepal_width": "wide"}).encode(), JSON, "sepal_width"),
        ("SCHEMA_ERROR", json.dumps({**good, "petal_length": 250.0}).encode(), JSON, "petal_length"),
        (
            "SCHEMA_ERROR",
            json.dumps({k: v for k, v in good.items() if k != "petal_width"}).encode(),
            JSON,
            "petal_width",
        ),
        ("DESERIALIZATION_ERROR", unknown_fingerprint, {}, None),
    ]


def test_each_bad_input_gives_one_error_record_and_good_neighbours_succeed(
    engine_settings: StreamprocSettings, models: dict
) -> None:
    iris = models["iris_model"]
    run = uuid.uuid4().hex[:8]
    good_value = iris["input"].encode(
        {"sepal_length": 6.3, "sepal_width": 3.3, "petal_length": 6.0, "petal_width": 2.5}
    )
    items, expected_errors = [], {}
    for n, (error_type, value, headers, field) in enumerate(bad_inputs(iris["input"])):
        items.append((b"same-key", good_value, {"correlation_id": f"{run}-good-{n}"}))
        items.append((b"same-key", value, {**headers, "correlation_id": f"{run}-bad-{n}"}))
        expected_errors[f"{run}-bad-{n}"] = (error_type, value, headers.get("content-type"), field)
    produce_all(engine_settings.bootstrap_servers, iris["entry"].topics.inputs, items)
    topics = [iris["entry"].topics.outputs, iris["entry"].topics.errors]
    records = collect(engine_settings.bootstrap_servers, topics, by_correlation(run), len(items), 90)

    errors = [r for r in records if r.topic.endswith(".errors")]
    outputs = [r for r in records if r.topic.endswith(".outputs")]
    assert sorted(r.headers["correlation_id"] for r in errors) == sorted(expected_errors)
    assert len(outputs) == len(items) - len(expected_errors)
    assert all(iris["output"].decode(r.value) == {"species": "virginica"} for r in outputs)
    for record in errors:
        error_type, value, content_type, field = expected_errors[record.headers["correlation_id"]]
        error = ErrorRecord.from_wire(iris["error"].decode(record.value))
        assert record.headers["error_type"] == error.error_type == error_type
        assert error.original_value == value
        assert error.original_content_type == content_type
        assert error.original_key == b"same-key" and record.key == b"same-key"
        assert error.original_topic == iris["entry"].topics.inputs
        assert error.model_qualified_name == "iris_model" and error.model_version == "0.1.0"
        if field is not None:
            assert [d.location for d in error.details] == [field], error.details
            assert field in error.message


def test_one_worker_serves_both_models_at_once(engine_settings: StreamprocSettings, models: dict) -> None:
    run = uuid.uuid4().hex[:8]
    rng = random.Random(11)
    diabetes_inputs = [
        {
            "age": rng.randint(20, 80),
            "sex": rng.choice([1, 2]),
            "bmi": round(rng.uniform(18, 40), 1),
            "bp": round(rng.uniform(60, 130), 1),
            "s1": rng.randint(100, 300),
            "s2": round(rng.uniform(40, 240), 1),
            "s3": rng.randint(20, 99),
            "s4": round(rng.uniform(2, 9), 2),
            "s5": round(rng.uniform(3, 6.1), 3),
            "s6": rng.randint(60, 124),
        }
        for _ in range(50)
    ]
    iris_inputs = [iris_input(rng) for _ in range(50)]
    for name, inputs in (("diabetes_model", diabetes_inputs), ("iris_model", iris_inputs)):
        codec = models[name]["input"]
        items = [
            (None, codec.encode(x), {"correlation_id": f"{run}-{name}-{i}"}) for i, x in enumerate(inputs)
        ]
        produce_all(engine_settings.bootstrap_servers, models[name]["entry"].topics.inputs, items)
    for name, inputs, model in (
        ("diabetes_model", diabetes_inputs, DiabetesModel()),
        ("iris_model", iris_inputs, IrisModel()),
    ):
        records: list[Record] = collect(
            engine_settings.bootstrap_servers,
            [models[name]["entry"].topics.outputs],
            by_correlation(run),
            50,
            90,
        )
        assert len(records) == 50
        for record in records:
            i = int(record.headers["correlation_id"].rsplit("-", 1)[1])
            direct = model.predict(model.input_schema(**inputs[i])).model_dump(mode="json")
            assert models[name]["output"].decode(record.value) == pytest.approx(direct)


async def test_each_request_gets_one_reply_and_its_output_lands_too(
    engine_settings: StreamprocSettings, models: dict
) -> None:
    """Replies are copied when the output is sent: each request is answered once, outputs still land."""
    from bridges.catalog import ModelCatalog
    from bridges.requestreply.requester import Requester

    run = uuid.uuid4().hex
    catalog = ModelCatalog(engine_settings)
    await catalog.start()
    requester = Requester(engine_settings, catalog)
    try:
        assert await catalog.wait_ready(30)
        await requester.start()
        entry = catalog.get("iris_model")
        model, rng = IrisModel(), random.Random(7)
        for i in range(20):
            row = iris_input(rng)
            reply = await requester.request(entry, json.dumps(row).encode(), f"{run}-{i}", timeout=30)
            assert reply == model.predict(model.input_schema(**row)).model_dump(mode="json")
        assert requester.pending.counters.late == 0  # no second reply to any request
    finally:
        await requester.stop()
        await catalog.stop()
    outputs = collect(engine_settings.bootstrap_servers, [entry.topics.outputs], by_correlation(run), 20, 60)
    assert len(outputs) == 20
