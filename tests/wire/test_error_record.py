"""ErrorRecord: built from a MessageError and the original message, Avro round trip, replayable bytes."""

from __future__ import annotations

import json
import time

import pytest

from streamproc.errors import DeserializationError, FieldIssue, MessageError, ModelError, SchemaError
from streamproc.settings import REPO_ROOT
from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.avro.generate import render
from streamproc.wire.avro.store import SchemaStore
from streamproc.wire.error_record import ErrorRecord, build_error_record, error_record_avro_schema

ORIGINAL = b"\xc3\x01\xff\x00not-utf8\xfe"


def build(error: MessageError, **overrides: object) -> ErrorRecord:
    values: dict = dict(
        qualified_name="iris_model",
        version="0.1.0",
        value=ORIGINAL,
        content_type=None,
        key=b"k1",
        topic="p.iris_model.0.1.inputs",
        partition=2,
        offset=41,
    )
    values.update(overrides)
    return build_error_record(error, **values)


def test_schema_error_record_carries_details() -> None:
    error = SchemaError(
        "input does not match", [FieldIssue("sepal_length", "Input should be greater than 0")]
    )
    record = build(error, content_type="application/json", timestamp=1234)
    assert record.error_type == "SCHEMA_ERROR"
    assert [(d.location, d.message) for d in record.details] == [
        ("sepal_length", "Input should be greater than 0")
    ]
    assert record.original_content_type == "application/json"
    assert record.timestamp == 1234


@pytest.mark.parametrize(
    ("error", "error_type"),
    [
        (DeserializationError("bad bytes"), "DESERIALIZATION_ERROR"),
        (SchemaError("bad field"), "SCHEMA_ERROR"),
        (ModelError("model raised"), "MODEL_ERROR"),
    ],
)
def test_error_types(error: MessageError, error_type: str) -> None:
    record = build(error)
    assert record.error_type == error_type and record.message == error.message and record.details == []
    assert abs(record.timestamp - time.time() * 1000) < 60_000


def test_avro_round_trip_keeps_the_original_bytes_for_replay() -> None:
    codec = AvroCodec(error_record_avro_schema(), SchemaStore())
    record = build(SchemaError("x", [FieldIssue("a.b", "m")]), key=None)
    decoded = ErrorRecord.from_wire(codec.decode(codec.encode(record.to_wire())))
    assert decoded == record
    assert decoded.original_value == ORIGINAL and decoded.original_key is None


def test_decodes_with_the_committed_schema(committed_store: SchemaStore) -> None:
    committed = json.loads((REPO_ROOT / "schemas/streamproc/error_record.avsc").read_text())
    assert render(error_record_avro_schema()) == render(committed)
    codec = AvroCodec(committed, committed_store)
    data = codec.encode(build(ModelError("boom")).to_wire())
    assert codec.decode(data)["message"] == "boom"


def test_records_of_the_previous_error_record_schema_stay_readable_both_ways() -> None:
    old_schema = json.loads((REPO_ROOT / "schemas/streamproc/history/error_record.1.avsc").read_text())
    store = SchemaStore.from_directory(REPO_ROOT / "schemas")
    old, new = AvroCodec(old_schema, store), AvroCodec(error_record_avro_schema(), store)
    record = build(DeserializationError("bad bytes"), timestamp=5)
    old_wire = {k: v for k, v in record.to_wire().items() if k in {f["name"] for f in old_schema["fields"]}}
    read_new = ErrorRecord.from_wire(new.decode(old.encode(old_wire)))
    assert read_new.original_value == ORIGINAL and read_new.original_value_truncated is False
    assert old.decode(new.encode(record.to_wire()))["original_key"] == b"k1"
