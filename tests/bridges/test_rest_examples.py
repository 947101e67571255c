"""Example request bodies for the docs page, from a model's input JSON Schema."""

from __future__ import annotations

from bridges.rest.examples import example_of
from streamproc.reference_models import IrisModel


def test_the_schema_examples_are_used_when_a_model_gives_them() -> None:
    schema = IrisModel.input_schema.model_json_schema()
    assert example_of(schema) == {
        "sepal_length": 5.1,
        "sepal_width": 3.5,
        "petal_length": 1.4,
        "petal_width": 0.2,
    }


def test_without_examples_a_value_inside_the_bounds_never_the_maximum() -> None:
    schema = {
        "type": "object",
        "properties": {
            "size": {"type": "number", "exclusiveMinimum": 0, "maximum": 10},
            "count": {"type": "integer", "minimum": 1, "maximum": 4},
            "kind": {"$ref": "#/$defs/Kind"},
            "label": {"anyOf": [{"type": "string", "default": "x"}, {"type": "null"}]},
        },
        "$defs": {"Kind": {"enum": ["a", "b"]}},
    }
    assert example_of(schema) == {"size": 5.0, "count": 2, "kind": "a", "label": "x"}
