"""Confluent wire format through confluent-kafka's schema-registry client (``mock://`` registry)."""

from __future__ import annotations

import uuid

import pytest

from streamproc.errors import DeserializationError
from streamproc.settings import StreamprocSettings
from streamproc.wire.avro import confluent
from streamproc.wire.avro.codec import AvroCodec, make_codec
from streamproc.wire.avro.store import SchemaStore

SCHEMA = {
    "type": "record",
    "name": "Out",
    "namespace": "test.confluent",
    "fields": [{"name": "species", "type": {"type": "enum", "name": "Species", "symbols": ["a", "b"]}}],
}
TOPIC = "prefix.model.0.1.outputs"


@pytest.fixture()
def settings() -> StreamprocSettings:
    return StreamprocSettings(schema_registry_url=f"mock://{uuid.uuid4().hex}")


def test_round_trip_in_confluent_wire_format(settings: StreamprocSettings) -> None:
    codec = make_codec(SCHEMA, settings, SchemaStore(), TOPIC)
    data = codec.encode({"species": "b"})
    assert data[0] == 0
    schema_id = int.from_bytes(data[1:5], "big")
    client = confluent.registry_client(settings)
    assert client.get_latest_version(f"{TOPIC}-value").schema_id == schema_id
    assert data[5:] == b"\x02"  # enum index 1
    assert codec.decode(data) == {"species": "b"}


def test_another_process_side_decodes_by_schema_id(settings: StreamprocSettings) -> None:
    data = make_codec(SCHEMA, settings, SchemaStore(), TOPIC).encode({"species": "a"})
    reader = make_codec(
        SCHEMA, settings, SchemaStore(), TOPIC
    )  # fresh store: learns the id from the registry
    assert reader.decode(data) == {"species": "a"}


def test_unknown_schema_id(settings: StreamprocSettings) -> None:
    codec = make_codec(SCHEMA, settings, SchemaStore(), TOPIC)
    with pytest.raises(DeserializationError, match="unknown schema id 4242"):
        codec.decode(b"\x00" + (4242).to_bytes(4, "big") + b"\x02")


def test_short_confluent_header(settings: StreamprocSettings) -> None:
    codec = make_codec(SCHEMA, settings, SchemaStore(), TOPIC)
    with pytest.raises(DeserializationError, match="Confluent header truncated"):
        codec.decode(b"\x00\x00\x01")


def test_single_object_values_still_decode_with_a_registry(settings: StreamprocSettings) -> None:
    store = SchemaStore()
    single = AvroCodec(SCHEMA, store).encode({"species": "a"})
    assert make_codec(SCHEMA, settings, store, TOPIC).decode(single) == {"species": "a"}


def test_without_registry_confluent_bytes_are_rejected() -> None:
    codec = AvroCodec(SCHEMA, SchemaStore())
    with pytest.raises(DeserializationError, match="expected single-object marker c301, got 0000"):
        codec.decode(b"\x00\x00\x00\x00\x01\x02")


def test_subject_naming() -> None:
    assert confluent.subject_for("t.inputs") == "t.inputs-value"
