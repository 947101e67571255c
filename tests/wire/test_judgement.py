"""One judgement of an input: depth refused before parsing, no NaN/Infinity, JSON types are JSON types."""

from __future__ import annotations

import json
import math

import pytest
from pydantic import BaseModel, Field

from streamproc.errors import DeserializationError, SchemaError
from streamproc.reference_models.iris import IrisModelInput
from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.avro.store import SchemaStore
from streamproc.wire.inputs import check_json_depth, judge_input, judge_json, parse_json

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def deep(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


def test_deep_nesting_is_refused_before_parsing_with_the_limit_in_the_message() -> None:
    with pytest.raises(DeserializationError, match="nested deeper than 64 levels"):
        judge_json(deep(970), IrisModelInput)
    with pytest.raises(DeserializationError, match="nested deeper than 64 levels"):
        parse_json(b"[" * 100_000)  # not even valid JSON: the scan comes first
    check_json_depth(deep(64))  # exactly at the limit is fine
    with pytest.raises(DeserializationError, match="deeper than 5"):
        check_json_depth(deep(6), max_depth=5)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"note": "[[[{{{" * 50 + '\\"]]', **SETOSA}).encode()
    assert judge_json(text, IrisModelInput) == IrisModelInput(**SETOSA)


def test_an_already_parsed_value_gets_the_same_depth_rule() -> None:
    value: object = 1
    for _ in range(500):
        value = {"a": value}
    with pytest.raises(DeserializationError, match="nested deeper than 64 levels"):
        judge_json(value, IrisModelInput)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_are_not_numbers(literal: str) -> None:
    raw = json.dumps(SETOSA).replace("5.1", literal).encode()
    with pytest.raises(DeserializationError, match=r"sepal_length: -?(NaN|Infinity) is not a number") as info:
        judge_json(raw, IrisModelInput)
    assert "less than" not in info.value.message
    parsed = {**SETOSA, "sepal_length": float(literal.replace("1e400", "inf"))}
    with pytest.raises(DeserializationError, match="is not a number"):
        judge_json(parsed, IrisModelInput)


def test_avro_nan_is_refused_too() -> None:
    class Free(BaseModel):
        x: float

    from streamproc.wire.avro.generate import avro_schema

    codec = AvroCodec(avro_schema(Free, "t"), SchemaStore())
    with pytest.raises(DeserializationError, match="x: NaN is not a number"):
        judge_input(codec.encode({"x": math.nan}), None, codec, Free)


@pytest.mark.parametrize("bad", [True, "5.1", "5"])
def test_a_number_field_takes_only_json_numbers(bad: object) -> None:
    for form in (json.dumps({**SETOSA, "sepal_length": bad}).encode(), {**SETOSA, "sepal_length": bad}):
        with pytest.raises(SchemaError, match="sepal_length: Input should be a valid number"):
            judge_json(form, IrisModelInput)


def test_integers_are_numbers_and_enums_take_their_values() -> None:
    from enum import StrEnum

    class Colour(StrEnum):
        red = "red"

    class M(BaseModel):
        x: float = Field(ge=0)
        colour: Colour

    assert judge_json(b'{"x": 3, "colour": "red"}', M) == M(x=3.0, colour=Colour.red)
    assert judge_json({"x": 3, "colour": "red"}, M) == M(x=3.0, colour=Colour.red)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\xff\xfe", "not UTF-8 JSON: invalid byte at position 0"),
        (b"", "not valid JSON: it is empty"),
        (b"[1]", "must be an object, got an array"),
    ],
)
def test_malformed_json_messages_are_plain(raw: bytes, expected: str) -> None:
    with pytest.raises(DeserializationError, match=expected):
        judge_json(raw, IrisModelInput)
