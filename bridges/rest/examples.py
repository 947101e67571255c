"""An example request body from a model's input JSON Schema, for the docs page's "Try it out".

Each field takes its schema's first ``examples`` entry, else ``example``, ``default``, first ``enum``
value, or the middle of its numeric bounds (the same order as the web UI's "Fill example").
"""

from __future__ import annotations

from typing import Any


def example_of(schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """A value that fits ``schema`` (``$ref``s resolve against ``root``'s ``$defs``)."""
    root = root if root is not None else schema
    schema = _resolved(schema, root)
    if schema.get("examples"):
        return schema["examples"][0]
    for key in ("example", "default"):
        if schema.get(key) is not None:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    if "properties" in schema:
        return {name: example_of(sub, root) for name, sub in schema["properties"].items()}
    return _by_type(schema, root)


def _by_type(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind in ("number", "integer"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + 10))
        middle = (low + high) / 2
        return round(middle) if kind == "integer" else round(middle, 2)
    if kind == "boolean":
        return False
    if kind == "array":
        return [example_of(schema.get("items", {}), root)]
    if kind == "string":
        return ""
    if "anyOf" in schema:  # Optional[X] in pydantic: the first non-null choice
        choices = [c for c in schema["anyOf"] if c.get("type") != "null"]
        return example_of(choices[0], root) if choices else None
    return None


def _resolved(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return schema
    return dict(root.get("$defs", {}).get(ref.rsplit("/", 1)[1], {}))
