"""The OpenAPI document is generated from catalog entries and is a valid OpenAPI 3.0 document."""

from __future__ import annotations

import json
from typing import Any

import schemathesis

from bridges.rest.oas30 import SchemaConverter
from bridges.rest.openapi import build_openapi
from tests.support.rest_fakes import flower_entry, value_entry


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs(value)]
    return []


def test_document_is_valid_openapi_30() -> None:
    document = build_openapi([flower_entry(), value_entry()])
    assert document["openapi"].startswith("3.0")
    schema = schemathesis.openapi.from_dict(document)
    schema.validate()
    operations = {op.ok().label for op in schema.get_all_operations()}
    assert "POST /api/models/flower_model/prediction" in operations
    assert "GET /api/models/{model_qualified_name}/metadata" in operations


def test_every_ref_resolves() -> None:
    document = build_openapi([flower_entry(), value_entry()])
    components = document["components"]["schemas"]
    for ref in refs(document):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in components, ref


def test_paths_match_rest_model_service() -> None:
    document = build_openapi([value_entry(), flower_entry()])
    assert list(document["paths"]) == [
        "/api/health",
        "/api/health/ready",
        "/api/health/startup",
        "/api/models",
        "/api/models/{model_qualified_name}/metadata",
        "/api/models/flower_model/prediction",
        "/api/models/value_model/prediction",
    ]
    for path in ("/api/health", "/api/health/ready", "/api/health/startup"):
        assert set(document["paths"][path]["get"]["responses"]) == {"200", "503"}


def test_prediction_bodies_are_model_components() -> None:
    document = build_openapi([flower_entry()])
    operation = document["paths"]["/api/models/flower_model/prediction"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/flower_model.Input"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/flower_model.Output"}
    for status in ("400", "404", "413", "500", "503", "504"):
        error = operation["responses"][status]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}
    assert operation["description"] == "The flower_model test model."
    components = document["components"]["schemas"]
    assert components["flower_model.Input"]["required"] == ["sepal_length", "petal_width"]
    assert components["flower_model.Colour"]["enum"] == ["red", "green"]
    assert components["Error"]["required"] == ["type", "messages"]


def test_metadata_parameter_lists_the_models() -> None:
    document = build_openapi([flower_entry(), value_entry()])
    parameter = document["paths"]["/api/models/{model_qualified_name}/metadata"]["get"]["parameters"][0]
    assert parameter["schema"]["enum"] == ["flower_model", "value_model"]


def test_empty_catalog_still_documents_the_service() -> None:
    document = build_openapi([])
    schemathesis.openapi.from_dict(document).validate()
    assert (
        "enum" not in document["paths"]["/api/models/{model_qualified_name}/metadata"]["get"]["parameters"][0]
    )


def test_json_schema_2020_keywords_become_openapi_30() -> None:
    converter = SchemaConverter("m")
    converted = converter.convert_root(
        {
            "$defs": {"Kind": {"const": "a"}},
            "type": "object",
            "properties": {
                "x": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 5},
                "k": {"anyOf": [{"$ref": "#/$defs/Kind"}, {"type": "null"}], "default": None},
                "s": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "t": {"type": ["integer", "null"], "examples": [3]},
            },
        }
    )
    props = converted["properties"]
    assert props["x"] == {
        "type": "number",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 5,
        "exclusiveMaximum": True,
    }
    assert props["k"] == {
        "default": None,
        "nullable": True,
        "allOf": [{"$ref": "#/components/schemas/m.Kind"}],
    }
    assert props["s"] == {"type": "string", "nullable": True}
    assert props["t"] == {"type": "integer", "nullable": True, "example": 3}
    assert converter.components == {"m.Kind": {"enum": ["a"]}}
    assert "$defs" not in json.dumps(converted)
