"""The hot path of a message: bytes → dict (Avro or JSON) → validated pydantic input, and dict → Avro bytes.

An ``AvroCodec`` is built once per schema and is then a plain callable pair (``encode`` / ``decode``):
the schema is parsed once, each message costs one fastavro call over a ``BytesIO``.

Framing: Avro single-object encoding by default; Confluent wire format when a schema registry is
configured. ``decode`` accepts both (single-object through the SchemaStore, Confluent through the
registry when one is configured) and projects the writer's record onto the codec's schema.
"""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

from fastavro import schemaless_reader, schemaless_writer
from pydantic import BaseModel, ValidationError

from streamproc.avro import confluent, framing
from streamproc.avro.store import SchemaStore
from streamproc.errors import DeserializationError, FieldIssue, ModelError, SchemaError
from streamproc.headers import CONTENT_TYPE_AVRO, CONTENT_TYPE_JSON
from streamproc.settings import StreamprocSettings


class AvroCodec:
    """Encode and decode records of one Avro schema."""

    def __init__(
        self,
        schema: dict[str, Any],
        store: SchemaStore,
        registry: confluent.ConfluentSchemas | None = None,
    ) -> None:
        self.schema = schema
        self.fingerprint = store.register(schema)
        self._parsed = store.get(self.fingerprint)
        self._store = store
        self._registry = registry
        self._single_object_header = framing.header(self.fingerprint)
        self._id_fingerprints: dict[int, bytes] = {}

    @property
    def name(self) -> str:
        return str(self._parsed.get("name", "record")) if isinstance(self._parsed, dict) else "value"

    def _header(self) -> bytes:
        if self._registry is not None:
            return self._registry.header()
        return self._single_object_header

    def encode(self, record: dict[str, Any]) -> bytes:
        """Frame and Avro-encode ``record``; a record that does not fit the schema raises ModelError."""
        buf = BytesIO()
        buf.write(self._header())
        try:
            schemaless_writer(buf, self._parsed, record, strict_allow_default=True)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            raise ModelError(f"record does not fit Avro schema {self.name}: {exc}") from exc
        return buf.getvalue()

    def _writer_for(self, data: bytes) -> tuple[Any, int]:
        """Writer schema (parsed) and body offset of a framed value."""
        if not data:
            raise DeserializationError("empty value: expected an Avro record or a JSON object")
        if framing.is_single_object(data):
            fp, offset = framing.split(data)
        elif self._registry is not None and confluent.is_confluent(data):
            schema_id, offset = confluent.split(data)
            fp = self._id_fingerprints.get(schema_id) or self._learn_schema_id(schema_id)
        else:
            expected = "single-object marker c301" + (" or Confluent magic byte 00" if self._registry else "")
            raise DeserializationError(
                f"value is not framed Avro: expected {expected}, got {bytes(data[:2]).hex()}"
                f" ({len(data)} bytes; JSON inputs need the content-type header {CONTENT_TYPE_JSON})"
            )
        writer = self._parsed if fp == self.fingerprint else self._store.get(fp)
        return writer, offset

    def _learn_schema_id(self, schema_id: int) -> bytes:
        assert self._registry is not None
        fp = self._store.register(self._registry.writer_schema(schema_id))
        self._id_fingerprints[schema_id] = fp
        return fp

    def decode(self, data: bytes) -> dict[str, Any]:
        """Decode a framed Avro value into a dict shaped by this codec's schema (reader schema)."""
        own = self._single_object_header
        if data[: len(own)] == own:  # the common case: framed with this codec's own schema
            writer, offset = self._parsed, len(own)
        else:
            writer, offset = self._writer_for(data)
        buf = BytesIO(data)
        buf.seek(offset)
        reader = None if writer is self._parsed else self._parsed
        try:
            record = schemaless_reader(buf, writer, reader)
        except EOFError as exc:
            raise DeserializationError(f"Avro body truncated ({len(data) - offset} bytes): {exc}") from exc
        except Exception as exc:  # fastavro raises assorted errors on corrupt bodies / unresolvable schemas
            raise DeserializationError(f"Avro body could not be decoded as {self.name}: {exc}") from exc
        trailing = len(data) - buf.tell()
        if trailing:
            raise DeserializationError(f"Avro body has {trailing} unexpected trailing bytes after the record")
        if not isinstance(record, dict):
            raise DeserializationError(f"Avro value is not a record: {type(record).__name__}")
        return record


def make_codec(
    schema: dict[str, Any], settings: StreamprocSettings, store: SchemaStore, topic: str
) -> AvroCodec:
    """The codec of ``topic``: Confluent framing when a schema registry is configured, else single-object."""
    registry = None
    if settings.schema_registry_url:
        client = confluent.registry_client(settings.schema_registry_url)
        registry = confluent.ConfluentSchemas(client, confluent.subject_for(topic), schema)
    return AvroCodec(schema, store, registry)


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
