"""Request bodies are checked against the model's input JSON Schema, one message per bad field."""

from __future__ import annotations

import pytest

from bridges.rest.errors import answer_for
from bridges.rest.validation import compile_validator, field_issues, parse_json_body, validate_input
from streamproc.errors import DeserializationError, SchemaError
from tests.support.rest_fakes import flower_entry

SCHEMA = flower_entry().input_schema
GOOD = {"sepal_length": 5.1, "petal_width": 0.2}


def issues(payload: object) -> dict[str, str]:
    return {issue.location: issue.message for issue in field_issues(SCHEMA, payload)}


def test_valid_body_passes() -> None:
    validate_input("flower_model", SCHEMA, GOOD)
    validate_input("flower_model", SCHEMA, {**GOOD, "colour": "red", "count": 3})
    validate_input("flower_model", SCHEMA, {**GOOD, "colour": None})


def test_missing_fields_are_each_named() -> None:
    assert issues({}) == {"sepal_length": "field required", "petal_width": "field required"}


def test_wrong_type_names_field_and_expected_type() -> None:
    found = issues({"sepal_length": "abc", "petal_width": True})
    assert found["sepal_length"] == "'abc' is not of type 'number'"
    assert found["petal_width"] == "True is not of type 'number'"


def test_out_of_range_names_the_bound() -> None:
    found = issues({"sepal_length": 11, "petal_width": 0, "count": 0})
    assert "maximum of 10.0" in found["sepal_length"]
    assert "minimum of 0.0" in found["petal_width"]
    assert "minimum of 1" in found["count"]


def test_enum_through_ref_is_checked() -> None:
    assert "'blue' is not valid" in issues({**GOOD, "colour": "blue"})["colour"]


def test_one_message_per_field_even_with_several_problems() -> None:
    with pytest.raises(SchemaError) as caught:
        validate_input("flower_model", SCHEMA, {"sepal_length": "x", "count": 1.5})
    answer = answer_for(caught.value)
    assert answer.status == 400
    assert answer.type == "ValidationError"
    assert sorted(answer.messages) == [
        "Field 'count' has error: 1.5 is not of type 'integer'",
        "Field 'petal_width' has error: field required",
        "Field 'sepal_length' has error: 'x' is not of type 'number'",
    ]


def test_body_that_is_not_an_object() -> None:
    assert issues([1, 2]) == {"body": "[1, 2] is not of type 'object'"}


def test_long_values_are_shortened_in_messages() -> None:
    message = issues({**GOOD, "sepal_length": "z" * 1000})["sepal_length"]
    assert len(message) < 120


def test_validators_are_compiled_once_per_schema() -> None:
    assert compile_validator(SCHEMA) is compile_validator(dict(SCHEMA))


@pytest.mark.parametrize("raw", [b"{x", b"NaN", b'{"sepal_length": Infinity}', b"\xff\xfe", b""])
def test_bad_json_is_a_400_naming_the_body(raw: bytes) -> None:
    with pytest.raises(DeserializationError) as caught:
        parse_json_body(raw)
    answer = answer_for(caught.value)
    assert answer.status == 400
    assert answer.messages[0].startswith("Field 'body' has error: not valid JSON")


def test_json_body_is_parsed() -> None:
    assert parse_json_body(b'{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
