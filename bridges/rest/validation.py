"""Check a request body against a model's input JSON Schema before anything is sent to Kafka.

Validators are compiled once per distinct schema. A failure raises ``SchemaError`` whose details hold one
``FieldIssue`` per bad field (the field's dotted path, or ``body`` for the whole document).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from streamproc.errors import DeserializationError, FieldIssue, SchemaError

ROOT_LOCATION = "body"
_MAX_SHOWN = 80


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def parse_json_body(raw: bytes) -> Any:
    """Decode a request body as strict JSON (no NaN / Infinity); ``DeserializationError`` otherwise."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        issue = FieldIssue(ROOT_LOCATION, f"not valid JSON ({exc})")
        raise DeserializationError("Request body is not valid JSON.", [issue]) from exc


@lru_cache(maxsize=256)
def _compiled(schema_text: str) -> Validator:
    schema = json.loads(schema_text)
    cls = validator_for(schema, default=Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema)


def compile_validator(schema: dict[str, Any]) -> Validator:
    """The validator of ``schema``; built once per distinct schema, then reused."""
    return _compiled(json.dumps(schema, sort_keys=True))


def _location(path: Any) -> str:
    parts = [str(part) for part in path]
    return ".".join(parts) if parts else ROOT_LOCATION


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _issues(error: ValidationError) -> Iterator[FieldIssue]:
    """Field issues of one jsonschema error; a ``required`` error names each missing field."""
    if error.validator == "required" and isinstance(error.instance, dict):
        for name in error.validator_value:
            if name not in error.instance:
                yield FieldIssue(_location([*error.absolute_path, name]), "field required")
        return
    location = _location(error.absolute_path)
    if error.validator == "type":
        expected = error.validator_value
        expected_text = " or ".join(expected) if isinstance(expected, list) else expected
        yield FieldIssue(location, f"{_shown(error.instance)} is not of type '{expected_text}'")
        return
    yield FieldIssue(location, error.message if len(error.message) <= 200 else error.message[:197] + "...")


def field_issues(schema: dict[str, Any], payload: Any) -> list[FieldIssue]:
    """Every bad field of ``payload`` under ``schema``, at most one issue per field, in a stable order."""
    validator = compile_validator(schema)
    errors = sorted(validator.iter_errors(payload), key=lambda e: [str(p) for p in e.absolute_path])
    seen: dict[str, FieldIssue] = {}
    for error in errors:
        for issue in _issues(error):
            seen.setdefault(issue.location, issue)
    return list(seen.values())


def validate_input(qualified_name: str, schema: dict[str, Any], payload: Any) -> None:
    """Raise ``SchemaError`` (with one detail per bad field) when ``payload`` breaks ``schema``."""
    issues = field_issues(schema, payload)
    if issues:
        raise SchemaError(f"Input for model '{qualified_name}' failed validation.", issues)
