"""How an input is judged: bytes → dict (by content type: JSON object or framed Avro) → validated model input.

The worker and every bridge use these functions, so an input gets the same verdict everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from streamproc.errors import DeserializationError, FieldIssue, SchemaError
from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.headers import CONTENT_TYPE_AVRO, CONTENT_TYPE_JSON


def media_type(content_type: str | None) -> str | None:
    """``'Application/JSON; charset=utf-8'`` → ``'application/json'``; empty → None."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def decode_json_object(data: bytes) -> dict[str, Any]:
    """Parse a JSON object; DeserializationError says what is wrong and where."""
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise DeserializationError(f"value is not UTF-8 JSON: invalid byte at position {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise DeserializationError(
            f"value is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    if not isinstance(value, dict):
        raise DeserializationError(f"JSON value must be an object, got {_json_kind(value)}")
    return value


def _json_kind(value: Any) -> str:
    kinds = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def decode_input(data: bytes | None, content_type: str | None, codec: AvroCodec) -> dict[str, Any]:
    """Decode an input value by its content type: JSON object, or framed Avro when absent/Avro."""
    if data is None:
        raise DeserializationError("value is empty (tombstone): expected an Avro record or a JSON object")
    kind = media_type(content_type)
    if kind == CONTENT_TYPE_JSON:
        return decode_json_object(data)
    if kind is None or kind == CONTENT_TYPE_AVRO:
        return codec.decode(data)
    raise DeserializationError(
        f"unsupported content-type '{content_type}': expected {CONTENT_TYPE_JSON} or {CONTENT_TYPE_AVRO}"
    )


def field_issues(exc: ValidationError) -> list[FieldIssue]:
    """One FieldIssue per pydantic error; location is the dotted path (``items.0.x``)."""
    issues = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(part) for part in error["loc"]) or "__root__"
        issues.append(FieldIssue(location=location, message=error["msg"]))
    return issues


def validate_input(model_input_schema: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """Validate decoded input against the model's input schema; SchemaError lists every field issue."""
    try:
        return model_input_schema.model_validate(data)
    except ValidationError as exc:
        issues = field_issues(exc)
        listing = "; ".join(f"{issue.location}: {issue.message}" for issue in issues)
        raise SchemaError(
            f"input does not match {model_input_schema.__name__} ({len(issues)} issue"
            f"{'s' if len(issues) != 1 else ''}): {listing}",
            details=issues,
        ) from exc
