"""Pydantic model → Avro schema, through pydantic-avro's converter.

pydantic-avro converts only subclasses of its ``AvroBase``; its ``AvroTypeConverter`` works on any
pydantic JSON Schema though, so an arbitrary ``BaseModel`` is converted from ``model_json_schema()``.
Enums become Avro enums, ``bytes`` becomes ``bytes``, optional fields become ``["null", T]`` with
``default: null``. Output is key-ordered so committed ``.avsc`` files are stable.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_avro.to_avro.types import AvroTypeConverter

from streamproc.wire.topics import major_minor

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEY_ORDER = ("name", "type", "namespace", "doc", "aliases", "logicalType", "symbols", "items", "values")
_KEY_LAST = ("fields", "default")


def model_namespace(qualified_name: str, version: str) -> str:
    """Avro namespace of a model's schemas: ``streamproc.models.iris_model.v0_1``."""
    major, minor = major_minor(version).split(".")
    namespace = f"streamproc.models.{qualified_name}.v{major}_{minor}"
    for part in namespace.split("."):
        if not _NAME.match(part):
            raise ValueError(
                f"'{qualified_name}' cannot be used in an Avro namespace ('{part}' is not a name)"
            )
    return namespace


def avro_schema(
    model: type[BaseModel],
    namespace: str,
    mode: Literal["validation", "serialization"] = "serialization",
) -> dict[str, Any]:
    """The Avro record schema of ``model`` (any pydantic BaseModel), named after the class."""
    json_schema = model.model_json_schema(mode=mode)
    fields = AvroTypeConverter(json_schema).fields_to_avro_dicts(json_schema)
    schema: dict[str, Any] = {
        "type": "record",
        "name": json_schema.get("title", model.__name__),
        "namespace": namespace,
        "fields": fields,
    }
    if json_schema.get("description"):
        schema["doc"] = json_schema["description"]
    _check_names(schema)
    return ordered(schema)


def _check_names(node: Any) -> None:
    """Avro names and field names must match ``[A-Za-z_][A-Za-z0-9_]*``."""
    if isinstance(node, list):
        for item in node:
            _check_names(item)
        return
    if not isinstance(node, dict):
        return
    for key in ("name",):
        if key in node and not _NAME.match(str(node[key])):
            raise ValueError(
                f"'{node[key]}' is not a valid Avro name (fields and types need [A-Za-z_][A-Za-z0-9_]*)"
            )
    for symbol in node.get("symbols", []):
        if not _NAME.match(str(symbol)):
            raise ValueError(f"enum symbol '{symbol}' is not a valid Avro name")
    for value in node.values():
        if isinstance(value, (dict, list)):
            _check_names(value)


def ordered(node: Any) -> Any:
    """Recursively order schema keys: name, type, namespace, doc, …, then fields and default."""
    if isinstance(node, list):
        return [ordered(item) for item in node]
    if not isinstance(node, dict):
        return node
    first = [k for k in _KEY_ORDER if k in node]
    last = [k for k in _KEY_LAST if k in node]
    middle = sorted(k for k in node if k not in first and k not in last)
    return {k: ordered(node[k]) for k in first + middle + last}


def render(schema: dict[str, Any]) -> str:
    """Text of a committed ``.avsc`` file: 2-space indent, key order fixed, trailing newline."""
    return json.dumps(ordered(schema), indent=2, ensure_ascii=False) + "\n"


def model_io_schemas(
    qualified_name: str, version: str, input_model: type[BaseModel], output_model: type[BaseModel]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Avro schemas of a model's inputs and outputs topics (the ones committed under ``schemas/``)."""
    namespace = model_namespace(qualified_name, version)
    return (
        avro_schema(input_model, namespace, mode="validation"),
        avro_schema(output_model, namespace, mode="serialization"),
    )
