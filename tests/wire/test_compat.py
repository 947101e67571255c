"""Schema compatibility: what a reader can read of a writer's data, cross-checked with fastavro."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from streamproc.wire.avro.compat import incompatibilities


def readable(reader: object, writer: object) -> bool:
    return incompatibilities(reader, writer) == []


def record(*fields: dict[str, Any], name: str = "R", **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": "t", "fields": list(fields), **extra}


X = {"name": "x", "type": "double"}
BASE = record(X)


def fastavro_reads(reader: dict[str, Any], writer: dict[str, Any], datum: dict[str, Any]) -> dict[str, Any]:
    buf = BytesIO()
    schemaless_writer(buf, parse_schema(writer, named_schemas={}), datum)
    buf.seek(0)
    return schemaless_reader(
        buf, parse_schema(writer, named_schemas={}), parse_schema(reader, named_schemas={})
    )


def test_identical_schemas_are_compatible() -> None:
    assert incompatibilities(BASE, BASE) == []


def test_required_field_added_without_default_is_rejected() -> None:
    new = record(X, {"name": "y", "type": "double"})
    assert incompatibilities(new, BASE) == [
        "y: field missing from the written data and the reader has no default"
    ]
    with pytest.raises(Exception):  # noqa: B017 - fastavro agrees it cannot read
        fastavro_reads(new, BASE, {"x": 1.0})


def test_optional_field_with_default_is_accepted_both_ways() -> None:
    new = record(X, {"name": "note", "type": ["null", "string"], "default": None})
    assert readable(new, BASE) and readable(BASE, new)
    assert fastavro_reads(new, BASE, {"x": 1.0}) == {"x": 1.0, "note": None}


def test_type_change_is_rejected() -> None:
    new = record({"name": "x", "type": "string"})
    assert incompatibilities(new, BASE) == ["x: type changed from double to string"]


def test_promotions_follow_the_spec() -> None:
    ints = record({"name": "x", "type": "int"})
    longs = record({"name": "x", "type": "long"})
    assert readable(longs, ints) and readable(BASE, ints)
    assert not readable(ints, longs)
    assert fastavro_reads(BASE, ints, {"x": 3}) == {"x": 3.0}


def test_enum_symbols() -> None:
    def species(*symbols: str, **extra: Any) -> dict[str, Any]:
        return record({"name": "s", "type": {"type": "enum", "name": "S", "symbols": list(symbols), **extra}})

    assert readable(species("a", "b", "c"), species("a", "b"))
    assert incompatibilities(species("a", "b"), species("a", "b", "c")) == [
        "s: reader enum lacks symbols ['c'] and has no default"
    ]
    assert readable(species("a", "b", default="a"), species("a", "b", "c"))


def test_unions() -> None:
    optional = record({"name": "x", "type": ["null", "double"], "default": None})
    assert readable(optional, BASE)
    assert incompatibilities(BASE, optional) == ["x: type changed from null to double"]


def test_nested_records_arrays_and_renames() -> None:
    inner = {"type": "record", "name": "I", "fields": [X]}
    old = record({"name": "items", "type": {"type": "array", "items": inner}})
    changed = {"type": "record", "name": "I", "fields": [{"name": "x", "type": "boolean"}]}
    new = record({"name": "items", "type": {"type": "array", "items": changed}})
    assert incompatibilities(new, old) == ["items[].x: type changed from double to boolean"]
    renamed = record(X, name="Other")
    assert incompatibilities(renamed, BASE) == ["<root>: record name changed from R to Other"]
    assert readable(record(X, name="Other", aliases=["R"]), BASE)
