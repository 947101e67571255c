"""The prediction core without Kafka: one record per input, in order, bad inputs isolated."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ml_base import MLModel
from pydantic import BaseModel, Field

from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.avro.store import SchemaStore
from streamproc.wire.catalog_record import CatalogEntry
from streamproc.wire.error_record import ErrorRecord, error_record_avro_schema
from streamproc.wire.topics import ModelTopics
from streamproc.worker.prediction import predict_many
from streamproc.worker.processor import InputMessage, ModelProcessor
from tests.support.processors import make_processor


class In(BaseModel):
    x: float = Field(ge=0, le=100)


class Out(BaseModel):
    doubled: float


class Doubler(MLModel):
    """Doubles x; x == 13 makes the model itself fail (to exercise MODEL_ERROR)."""

    display_name, qualified_name, description, version = "Doubler", "doubler", "Doubles x.", "1.2.3"
    input_schema, output_schema = In, Out  # type: ignore[assignment]

    def __init__(self) -> None:
        self.batch_calls = 0

    def predict(self, data: In) -> Out:  # type: ignore[override]
        if data.x == 13:
            raise RuntimeError("unlucky")
        return Out(doubled=data.x * 2)

    def predict_batch(self, items: list[In]) -> list[Out]:
        self.batch_calls += 1
        return [self.predict(item) for item in items]


@pytest.fixture
def processor() -> ModelProcessor:
    return make_processor(Doubler())


def json_message(payload: Any, offset: int, **headers: str) -> InputMessage:
    return InputMessage(
        json.dumps(payload).encode(),
        b"k",
        {"content-type": "application/json", **headers},
        "p.doubler.1.2.inputs",
        2,
        offset,
    )


def test_every_input_yields_one_record_in_order_with_the_right_topic_and_headers(
    processor: ModelProcessor,
) -> None:
    batch = [
        json_message({"x": 1}, 0, correlation_id="a"),
        json_message({"x": 500}, 1, correlation_id="b"),
        InputMessage(b"\x00junk", None, {"correlation_id": "c"}, "p.doubler.1.2.inputs", 2, 2),
        json_message({"x": 13}, 3, correlation_id="d", traceparent="00-t"),
        json_message({"x": 4}, 4, correlation_id="e", reply_to="bridge-1"),
    ]
    records = processor.process(batch)
    assert [r.topic.rsplit(".", 1)[1] for r in records] == [
        "outputs",
        "errors",
        "errors",
        "errors",
        "outputs",
    ]
    assert [dict(r.headers)["correlation_id"] for r in records] == [b"a", b"b", b"c", b"d", b"e"]
    assert [dict(r.headers).get("error_type") for r in records] == [
        None,
        b"SCHEMA_ERROR",
        b"DESERIALIZATION_ERROR",
        b"MODEL_ERROR",
        None,
    ]
    assert all(dict(r.headers)["model_version"] == b"1.2.3" for r in records)
    assert dict(records[3].headers)["traceparent"] == b"00-t"
    assert dict(records[4].headers)["reply_to"] == b"bridge-1"
    assert all(r.partition == 2 for r in records)
    assert records[0].key == b"k" and records[2].key is None
    store = SchemaStore()
    error = ErrorRecord.from_wire(AvroCodec(error_record_avro_schema(), store).decode(records[3].value))
    assert error.message == "the model failed on this input: unlucky" and error.original_offset == 3
    assert error.original_value == batch[3].value


def test_a_failing_batch_is_retried_item_by_item() -> None:
    model = Doubler()
    results = predict_many(model, [In(x=1), In(x=13), In(x=2)])
    assert model.batch_calls == 1
    assert [type(r).__name__ for r in results] == ["Out", "ModelError", "Out"]
    assert [r.doubled for r in results if isinstance(r, Out)] == [2, 4]


def test_with_a_schema_registry_inputs_and_outputs_use_the_confluent_wire_format() -> None:
    import uuid

    from streamproc.settings import StreamprocSettings
    from streamproc.wire.codec_factory import Codecs

    settings = StreamprocSettings(schema_registry_url=f"mock://{uuid.uuid4().hex}", topic_prefix="p")
    model = Doubler()
    topics = ModelTopics.for_model("p", "doubler", "1.2.3")
    entry = CatalogEntry.from_model(model, topics)
    codecs = Codecs(settings, SchemaStore())
    processor = ModelProcessor(
        model,
        topics,
        codecs.for_schema(entry.input_avro_schema, topics.inputs),
        codecs.for_schema(entry.output_avro_schema, topics.outputs),
        codecs.errors(topics.errors),
    )
    producer_side = Codecs(settings, SchemaStore()).for_schema(entry.input_avro_schema, topics.inputs)
    value = producer_side.encode({"x": 21})
    assert value[0] == 0  # Confluent magic byte, then a 4-byte schema id
    [record] = processor.process([InputMessage(value, None, {}, topics.inputs, 0, 0)])
    assert record.topic == topics.outputs and record.value[0] == 0
    reader = Codecs(settings, SchemaStore()).for_schema(entry.output_avro_schema, topics.outputs)
    assert reader.decode(record.value) == {"doubled": 42.0}


def error_of(record: Any) -> ErrorRecord:
    return ErrorRecord.from_wire(AvroCodec(error_record_avro_schema(), SchemaStore()).decode(record.value))


def test_an_unexpected_failure_of_one_message_becomes_its_error_record(
    processor: ModelProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(data: bytes) -> dict[str, Any]:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(processor._input_codec, "decode", explode)
    records = processor.process([InputMessage(b"\xc3\x01whatever", None), json_message({"x": 2}, 1)])
    assert [r.is_error for r in records] == [True, False]
    error = error_of(records[0])
    assert error.error_type == "DESERIALIZATION_ERROR"
    assert "Recursion" not in error.message and "recursion" not in error.message


def test_deep_json_is_a_deserialization_error_with_the_limit(processor: ModelProcessor) -> None:
    deep = b'{"x":' * 970 + b"1" + b"}" * 970
    [record] = processor.process([InputMessage(deep, None, {"content-type": "application/json"})])
    assert error_of(record).message.startswith("JSON value is nested deeper than 64 levels")


def test_a_model_error_text_names_no_python_exception_class(processor: ModelProcessor) -> None:
    [record] = processor.process([json_message({"x": 13}, 0)])
    assert error_of(record).message == "the model failed on this input: unlucky"


LIMIT = 1_048_576


@pytest.mark.parametrize(
    ("key", "value", "truncated"),
    [
        (b"k" * 550_000, b"\x00bad-val", "key"),
        (b"k", json.dumps({"x": 500, "pad": "p" * 1_047_900}).encode(), "value"),
    ],
    ids=["550KB-key-bad-value", "1MB-json-failing-validation"],
)
def test_an_error_record_too_large_for_the_topic_is_shrunk_and_says_so(
    processor: ModelProcessor, key: bytes, value: bytes, truncated: str
) -> None:
    import hashlib

    message = InputMessage(value, key, {"content-type": "application/json"}, "t", 0, 7)
    [record] = processor.process([message])
    size = len(record.value) + len(record.key or b"") + sum(len(k) + len(v) for k, v in record.headers)
    assert record.is_error and size < LIMIT
    error = error_of(record)
    whole = key if truncated == "key" else value
    assert getattr(error, f"original_{truncated}_truncated") is True
    assert getattr(error, f"original_{truncated}_size") == len(whole)
    assert getattr(error, f"original_{truncated}_sha256") == hashlib.sha256(whole).hexdigest()
    kept = error.original_key if truncated == "key" else error.original_value
    assert kept and whole.startswith(kept)
    assert record.key == error.original_key
