"""AvroCodec, decode_input and validate_input: round trips, schema projection, every bad-input kind."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_writer
from pydantic import BaseModel, Field

from streamproc.errors import DeserializationError, ModelError, SchemaError
from streamproc.reference_models.iris import IrisModelInput
from streamproc.settings import REPO_ROOT, StreamprocSettings
from streamproc.wire.avro import framing
from streamproc.wire.avro.codec import AvroCodec, make_codec
from streamproc.wire.avro.store import SchemaStore
from streamproc.wire.inputs import decode_input, media_type, validate_input

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}

V1 = {
    "type": "record",
    "name": "Reading",
    "namespace": "test.codec",
    "fields": [{"name": "x", "type": "double"}, {"name": "label", "type": "string"}],
}
V2 = {  # adds an optional field, drops nothing
    **V1,
    "fields": [*V1["fields"], {"name": "note", "type": ["null", "string"], "default": None}],
}


def single_object(schema: dict[str, Any], record: dict[str, Any]) -> bytes:
    """Frame a record independently of AvroCodec (what any other producer would write)."""
    buf = BytesIO()
    schemaless_writer(buf, parse_schema(schema, named_schemas={}), record)
    return b"\xc3\x01" + framing.fingerprint(schema) + buf.getvalue()


@pytest.fixture()
def iris_codec(committed_store: SchemaStore) -> AvroCodec:
    schema = json.loads((committed_store_path()).read_text())
    return AvroCodec(schema, committed_store)


def committed_store_path() -> Path:
    return REPO_ROOT / "schemas/iris_model/0.1.0/input.avsc"


def test_round_trip(iris_codec: AvroCodec) -> None:
    data = iris_codec.encode(SETOSA)
    assert data[:10] == b"\xc3\x01" + iris_codec.fingerprint
    assert len(data) == 10 + 4 * 8
    assert iris_codec.decode(data) == SETOSA


def test_decodes_what_another_producer_wrote(iris_codec: AvroCodec) -> None:
    assert iris_codec.decode(single_object(iris_codec.schema, SETOSA)) == SETOSA


def test_older_writer_is_projected_onto_reader() -> None:
    store = SchemaStore([V1])
    reader = AvroCodec(V2, store)
    assert reader.decode(single_object(V1, {"x": 1.5, "label": "a"})) == {
        "x": 1.5,
        "label": "a",
        "note": None,
    }


def test_newer_writer_fields_are_dropped_for_older_reader() -> None:
    store = SchemaStore([V2])
    reader = AvroCodec(V1, store)
    assert reader.decode(single_object(V2, {"x": 1.5, "label": "a", "note": "n"})) == {"x": 1.5, "label": "a"}


def test_unknown_fingerprint_is_named(iris_codec: AvroCodec) -> None:
    data = single_object(V1, {"x": 1.0, "label": "a"})
    value = int.from_bytes(framing.fingerprint(V1), "little")
    with pytest.raises(DeserializationError, match=f"unknown schema fingerprint 0x{value:016x}"):
        iris_codec.decode(data)


def test_unresolvable_writer_is_a_deserialization_error() -> None:
    store = SchemaStore([V1])
    incompatible = {**V1, "fields": [*V1["fields"], {"name": "required_new", "type": "long"}]}
    reader = AvroCodec(incompatible, store)
    with pytest.raises(DeserializationError, match="could not be decoded as"):
        reader.decode(single_object(V1, {"x": 1.0, "label": "a"}))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: b"", "empty value"),
        (lambda d: json.dumps(SETOSA).encode(), "not framed Avro.*content-type header application/json"),
        (lambda d: d[:6], "header truncated"),
        (lambda d: d[:-3], "Avro body is truncated"),
        (lambda d: d + b"\x00\x01", "2 unexpected trailing bytes"),
    ],
    ids=["empty", "json-without-content-type", "short-header", "truncated-body", "trailing-bytes"],
)
def test_bad_avro_values(iris_codec: AvroCodec, mutate: Any, expected: str) -> None:
    with pytest.raises(DeserializationError, match=expected):
        iris_codec.decode(mutate(iris_codec.encode(SETOSA)))


def test_corrupt_body_is_a_deserialization_error() -> None:
    codec = AvroCodec(V1, SchemaStore())
    data = codec.encode({"x": 1.0, "label": "abc"})
    corrupt = data[:18] + b"\x7f"  # string length 0x7f = -64: negative length
    with pytest.raises(DeserializationError):
        codec.decode(corrupt)


def test_encode_rejects_records_that_do_not_fit(iris_codec: AvroCodec) -> None:
    with pytest.raises(ModelError, match="petal_width"):
        iris_codec.encode({k: v for k, v in SETOSA.items() if k != "petal_width"})
    with pytest.raises(ModelError, match="IrisModelInput"):
        iris_codec.encode({**SETOSA, "sepal_length": "long"})


def test_make_codec_uses_single_object_framing_without_registry(committed_store: SchemaStore) -> None:
    codec = make_codec(V1, StreamprocSettings(), committed_store, "some.topic")
    assert codec.encode({"x": 1.0, "label": "a"})[:2] == b"\xc3\x01"
    assert codec.fingerprint in committed_store


# decode_input -------------------------------------------------------------------------------------


def test_json_input(iris_codec: AvroCodec) -> None:
    assert decode_input(json.dumps(SETOSA).encode(), "application/json", iris_codec) == SETOSA
    assert decode_input(b'{"a": 1}', "Application/JSON; charset=utf-8", iris_codec) == {"a": 1}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"{not json",
            "not valid JSON: key must be a string at line 1 column 2",
        ),
        (b"[1, 2]", "JSON value must be an object, got an array"),
        (b'"text"', "got a string"),
        (b"null", "got null"),
        (b"3", "got a number"),
        (b'{"a": "\xc3\x28"}', "not UTF-8 JSON: invalid byte at position 7"),
        (b"", "not valid JSON"),
    ],
)
def test_bad_json_inputs(iris_codec: AvroCodec, data: bytes, expected: str) -> None:
    with pytest.raises(DeserializationError, match=expected):
        decode_input(data, "application/json", iris_codec)


def test_avro_input_with_and_without_content_type(iris_codec: AvroCodec) -> None:
    data = iris_codec.encode(SETOSA)
    assert decode_input(data, None, iris_codec) == SETOSA
    assert decode_input(data, "application/avro", iris_codec) == SETOSA


def test_unsupported_content_type_and_tombstone(iris_codec: AvroCodec) -> None:
    with pytest.raises(DeserializationError, match="unsupported content-type 'text/plain'"):
        decode_input(b"x", "text/plain", iris_codec)
    with pytest.raises(DeserializationError, match="tombstone"):
        decode_input(None, None, iris_codec)


def test_media_type() -> None:
    assert media_type(" application/json ; charset=utf-8") == "application/json"
    assert media_type("") is None and media_type(None) is None


# validate_input -----------------------------------------------------------------------------------


def test_valid_input_becomes_the_model() -> None:
    assert validate_input(IrisModelInput, SETOSA) == IrisModelInput(**SETOSA)


def test_schema_error_lists_every_field() -> None:
    with pytest.raises(SchemaError) as info:
        validate_input(IrisModelInput, {"sepal_length": 0, "sepal_width": "wide", "petal_length": 1.4})
    error = info.value
    assert error.error_type == "SCHEMA_ERROR"
    by_location = {issue.location: issue.message for issue in error.details}
    assert by_location == {
        "sepal_length": "Input should be greater than 0",
        "sepal_width": "Input should be a valid number, unable to parse string as a number",
        "petal_width": "Field required",
    }
    assert error.message.startswith("input does not match IrisModelInput (3 issues): ")
    assert "petal_width: Field required" in error.message


class Inner(BaseModel):
    value: int = Field(..., ge=0)


class Outer(BaseModel):
    items: list[Inner]


def test_nested_locations_are_dotted() -> None:
    with pytest.raises(SchemaError) as info:
        validate_input(Outer, {"items": [{"value": 1}, {"value": -1}]})
    assert [(i.location, i.message) for i in info.value.details] == [
        ("items.1.value", "Input should be greater than or equal to 0")
    ]
    assert "(1 issue)" in info.value.message
