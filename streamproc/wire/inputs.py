"""How an input is judged: bytes → dict (by content type: JSON object or framed Avro) → validated model input.

The worker and every bridge use these functions, so an input gets the same verdict everywhere. The rules:
JSON deeper than ``max_depth`` is refused before it is parsed; NaN and ±Infinity are not numbers (JSON
or Avro); a JSON input's types must be its schema's JSON types (a number is a JSON number, never a
string such as ``"5.1"`` nor a boolean) — pydantic's strict JSON mode on the model's own input schema.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

from streamproc.errors import DeserializationError, FieldIssue, SchemaError
from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.headers import CONTENT_TYPE_AVRO, CONTENT_TYPE_JSON

MAX_JSON_DEPTH = 64  # default of STREAMPROC_MAX_JSON_DEPTH: nesting of objects and arrays an input may have
# a JSON string (skipped whole) or one bracket: brackets inside strings do not nest
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENERS = frozenset(b"[{")


def media_type(content_type: str | None) -> str | None:
    """``'Application/JSON; charset=utf-8'`` → ``'application/json'``; empty → None."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def check_json_depth(data: bytes, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse JSON text nested deeper than ``max_depth`` without parsing it (a scan of its brackets)."""
    if data.count(b"[") + data.count(b"{") <= max_depth:  # the common case, at C speed
        return
    depth = 0
    for token in _JSON_TOKENS.finditer(data):
        char = token.group()[0]
        if char in _OPENERS:
            depth += 1
            if depth > max_depth:
                raise DeserializationError(
                    f"JSON value is nested deeper than {max_depth} levels of objects and arrays"
                    f" (at byte {token.start()}); flatten the input"
                )
        elif char != ord('"'):
            depth -= 1


def check_tree(value: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse a decoded value nested deeper than ``max_depth`` or holding NaN/±Infinity (names where)."""
    if type(value) is dict and _flat_and_finite(value):  # the common case, checked cheaply
        return
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            where = ".".join(path) or "value"
            label = "NaN" if math.isnan(item) else "Infinity" if item > 0 else "-Infinity"
            raise DeserializationError(
                f"{where}: {label} is not a number; inputs must use finite numbers (no NaN or Infinity)",
                [FieldIssue(where, "NaN and Infinity are not numbers")],
            )
        children = (
            item.items() if isinstance(item, dict) else enumerate(item) if isinstance(item, list) else ()
        )
        for name, child in children:
            if isinstance(child, dict | list) and len(path) >= max_depth - 1:
                raise DeserializationError(
                    f"value is nested deeper than {max_depth} levels of objects and arrays; flatten the input"
                )
            stack.append((child, (*path, str(name))))


def _flat_and_finite(record: dict[str, Any]) -> bool:
    for item in record.values():
        kind = type(item)
        if kind is dict or kind is list or (kind is float and item - item != 0.0):  # NaN or ±Infinity
            return False
    return True


def parse_json(data: bytes | str | Any, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """A JSON object from raw bytes/text (or an already parsed value): depth, numbers and shape checked."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if isinstance(data, bytes | bytearray | memoryview):
        data = bytes(data)
        check_json_depth(data, max_depth)
        try:
            value = from_json(data)
        except ValueError as exc:
            raise _json_error(data, exc) from None
    else:
        value = data
    check_tree(value, max_depth)
    if not isinstance(value, dict):
        raise DeserializationError(f"JSON value must be an object, got {_json_kind(value)}")
    return value


def _json_error(data: bytes, exc: ValueError) -> DeserializationError:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return DeserializationError(f"value is not UTF-8 JSON: invalid byte at position {bad.start}")
    if not data.strip():
        return DeserializationError("value is not valid JSON: it is empty")
    return DeserializationError(f"value is not valid JSON: {exc}")


def _json_kind(value: Any) -> str:
    kinds = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def decode_json_object(data: bytes, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """Parse a JSON object; DeserializationError says what is wrong and where."""
    return parse_json(data, max_depth)


def decode_input(
    data: bytes | None, content_type: str | None, codec: AvroCodec, max_depth: int = MAX_JSON_DEPTH
) -> dict[str, Any]:
    """Decode an input value by its content type: JSON object, or framed Avro when absent/Avro."""
    if data is None:
        raise DeserializationError("value is empty (tombstone): expected an Avro record or a JSON object")
    kind = media_type(content_type)
    if kind == CONTENT_TYPE_JSON:
        return parse_json(data, max_depth)
    if kind is None or kind == CONTENT_TYPE_AVRO:
        record = codec.decode(data)
        check_tree(record, max_depth)
        return record
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


def _schema_error(schema: type[BaseModel], exc: ValidationError) -> SchemaError:
    issues = field_issues(exc)
    listing = "; ".join(f"{issue.location}: {issue.message}" for issue in issues)
    plural = "s" if len(issues) != 1 else ""
    return SchemaError(
        f"input does not match {schema.__name__} ({len(issues)} issue{plural}): {listing}",
        details=issues,
    )


def validate_input(model_input_schema: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """Validate a decoded Avro record (types already fixed by Avro) against the model's input schema."""
    try:
        return model_input_schema.model_validate(data)
    except ValidationError as exc:
        raise _schema_error(model_input_schema, exc) from None


def validate_json(model_input_schema: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """Validate a parsed JSON object with JSON's own types: no strings or booleans taken as numbers."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    try:
        return model_input_schema.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise _schema_error(model_input_schema, exc) from None


def judge_json(
    data: bytes | str | Any, model_input_schema: type[BaseModel], max_depth: int = MAX_JSON_DEPTH
) -> BaseModel:
    """The one verdict on a JSON input (raw bytes/text or a parsed value): the model input, or raises
    DeserializationError (not a JSON object, too deep, NaN/Infinity) or SchemaError (fields)."""
    obj = parse_json(data, max_depth)
    if isinstance(data, bytes):
        try:  # the raw text validates in one pass; it is known to parse and to be finite
            return model_input_schema.model_validate_json(data, strict=True)
        except ValidationError as exc:
            raise _schema_error(model_input_schema, exc) from None
    return validate_json(model_input_schema, obj)


def judge_input(
    data: bytes | None,
    content_type: str | None,
    codec: AvroCodec,
    model_input_schema: type[BaseModel],
    max_depth: int = MAX_JSON_DEPTH,
) -> BaseModel:
    """The one verdict on a topic value by its content type (JSON, or framed Avro when absent/Avro)."""
    if data is not None and media_type(content_type) == CONTENT_TYPE_JSON:
        return judge_json(data, model_input_schema, max_depth)
    return validate_input(model_input_schema, decode_input(data, content_type, codec, max_depth))
