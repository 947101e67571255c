"""Turn a model's JSON Schema (draft 2020-12, as pydantic writes it) into OpenAPI 3.0 schema objects.

OpenAPI 3.0 is what the bundled Swagger UI (4.x) renders and every client generator reads. The
conversion: local ``$defs`` are hoisted into ``components/schemas`` under a per-model prefix and refs
rewritten; numeric ``exclusiveMinimum``/``exclusiveMaximum`` become the 3.0 boolean form; ``const``
becomes a one-value ``enum``; a ``null`` alternative becomes ``nullable``; ``examples`` becomes
``example``.
"""

from __future__ import annotations

import re
from typing import Any

_DROPPED = {"$schema", "$id", "$defs", "definitions", "$comment"}
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SUBSCHEMA_SINGLE = ("items", "not", "additionalProperties")
_LOCAL_REF = re.compile(r"^#/(?:\$defs|definitions)/(.+)$")


def component_name(*parts: str) -> str:
    """A component key OpenAPI accepts (``^[a-zA-Z0-9._-]+$``)."""
    return ".".join(re.sub(r"[^A-Za-z0-9_-]", "_", part) for part in parts)


class SchemaConverter:
    """Converts the schemas of one model; ``components`` collects the hoisted ``$defs``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.components: dict[str, dict[str, Any]] = {}

    def ref(self, name: str) -> str:
        return f"#/components/schemas/{component_name(self.prefix, name)}"

    def convert_root(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Convert a root schema, hoisting its ``$defs`` (or ``definitions``)."""
        for key in ("$defs", "definitions"):
            for name, sub in (schema.get(key) or {}).items():
                self.components[component_name(self.prefix, name)] = self.convert(sub)
        return self.convert(schema)

    def convert(self, schema: Any) -> Any:
        if not isinstance(schema, dict):
            return schema
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key in _DROPPED:
                continue
            if key == "$ref":
                match = _LOCAL_REF.match(value)
                out[key] = self.ref(match.group(1)) if match else value
            elif key == "properties":
                out[key] = {name: self.convert(sub) for name, sub in value.items()}
            elif key in _SUBSCHEMA_LISTS:
                out[key] = [self.convert(sub) for sub in value]
            elif key in _SUBSCHEMA_SINGLE:
                out[key] = self.convert(value)
            else:
                out[key] = value
        return _to_30_keywords(out)


def _to_30_keywords(schema: dict[str, Any]) -> dict[str, Any]:
    out = dict(schema)
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = out.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[plain] = value
            out[bound] = True
    if "const" in out:
        out["enum"] = [out.pop("const")]
    if "examples" in out:
        examples = out.pop("examples")
        if isinstance(examples, list) and examples:
            out["example"] = examples[0]
    out = _nullable_type(out)
    out = _nullable_alternative(out)
    if "$ref" in out and len(out) > 1:
        # In 3.0 a $ref's siblings are ignored; keep them by wrapping the ref.
        out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
    return out


def _nullable_type(schema: dict[str, Any]) -> dict[str, Any]:
    types = schema.get("type")
    if not isinstance(types, list):
        return schema
    rest = [t for t in types if t != "null"]
    out = {k: v for k, v in schema.items() if k != "type"}
    if len(rest) < len(types):
        out["nullable"] = True
    if len(rest) == 1:
        out["type"] = rest[0]
    elif rest:
        out["anyOf"] = [{"type": t} for t in rest]
    return out


def _nullable_alternative(schema: dict[str, Any]) -> dict[str, Any]:
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if not isinstance(options, list) or {"type": "null"} not in options:
            continue
        rest = [option for option in options if option != {"type": "null"}]
        out = {k: v for k, v in schema.items() if k != key}
        out["nullable"] = True
        if len(rest) == 1 and "$ref" not in rest[0]:
            merged = {**rest[0], **out}
            return merged
        out["allOf" if len(rest) == 1 else key] = rest
        return out
    return schema
