"""AvroCodec: one Avro schema's framed encoder and decoder, built once and then a plain callable pair.

The schema is parsed once; each message costs one fastavro call over a ``BytesIO``. Framing: Avro
single-object encoding by default, Confluent wire format when a schema registry is configured.
``decode`` accepts both and projects the writer's record onto the codec's schema.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from io import BytesIO
from types import ModuleType
from typing import TYPE_CHECKING, Any

from fastavro import schemaless_reader, schemaless_writer

from streamproc.errors import DeserializationError, ModelError
from streamproc.settings import StreamprocSettings
from streamproc.wire.avro import framing
from streamproc.wire.avro.store import SchemaStore
from streamproc.wire.headers import CONTENT_TYPE_JSON

_REPR = re.compile(r"<[^<>]* at 0x[0-9a-fA-F]+>")


def clean_text(text: str) -> str:
    """A library's error text without Python object reprs (``<_io.BytesIO object at 0x...>``)."""
    return _REPR.sub("the value", text)


if TYPE_CHECKING:
    from streamproc.wire.avro import confluent


def _confluent() -> ModuleType:
    """The schema-registry module, imported only when a registry is configured (it takes ~0.6 s)."""
    from streamproc.wire.avro import confluent

    return confluent


# Avro types whose binary encoding has one fixed size: little-endian IEEE 754 (struct's "<d" and "<f")
_FIXED_CODES = {"double": "d", "float": "f"}


@dataclass(frozen=True)
class FixedLayout:
    """A record whose fields all have a fixed size: its body is one ``struct`` layout, read in one call."""

    names: tuple[str, ...]
    layout: struct.Struct

    @property
    def size(self) -> int:
        return self.layout.size

    def unpack_from(self, data: bytes, offset: int) -> tuple[Any, ...]:
        return self.layout.unpack_from(data, offset)


def fixed_layout(schema: Any) -> FixedLayout | None:
    """The FixedLayout of a record of only double/float fields, else None."""
    if not isinstance(schema, dict) or schema.get("type") != "record":
        return None
    fields = schema.get("fields", [])
    codes = [_FIXED_CODES.get(field["type"]) if isinstance(field["type"], str) else None for field in fields]
    if not fields or None in codes:
        return None
    return FixedLayout(tuple(field["name"] for field in fields), struct.Struct("<" + "".join(codes)))  # type: ignore[arg-type]


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
        self.fixed_layout = fixed_layout(self._parsed)

    @property
    def own_header(self) -> bytes:
        """The single-object frame of this codec's own schema (values that need no schema resolution)."""
        return self._single_object_header

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
            raise ModelError(f"record does not fit Avro schema {self.name}: {clean_text(str(exc))}") from exc
        return buf.getvalue()

    def _writer_for(self, data: bytes) -> tuple[Any, int]:
        """Writer schema (parsed) and body offset of a framed value."""
        if not data:
            raise DeserializationError("empty value: expected an Avro record or a JSON object")
        if framing.is_single_object(data):
            fp, offset = framing.split(data)
        elif self._registry is not None and _confluent().is_confluent(data):
            schema_id, offset = _confluent().split(data)
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
        except EOFError:
            raise DeserializationError(
                f"Avro body is truncated: {len(data) - offset} bytes end before the {self.name} record does"
            ) from None
        except Exception as exc:  # fastavro raises assorted errors on corrupt bodies / unresolvable schemas
            raise DeserializationError(
                f"Avro body could not be decoded as {self.name}: {clean_text(str(exc))}"
            ) from None
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
        confluent = _confluent()
        client = confluent.registry_client(settings)
        registry = confluent.ConfluentSchemas(client, confluent.subject_for(topic), schema)
    return AvroCodec(schema, store, registry)


class RowEncoder:
    """Encode rows (tuples of field values, in ``fields`` order) with ``codec``.

    Rows made only of strings (class labels, enum symbols) are encoded once: their bytes are cached,
    up to ``max_entries`` distinct rows. Other rows are encoded every time.
    """

    def __init__(self, codec: AvroCodec, fields: tuple[str, ...], max_entries: int = 1024) -> None:
        self._codec = codec
        self._fields = fields
        self._cache: dict[tuple[Any, ...], bytes] = {}
        self._max_entries = max_entries

    def encode(self, row: tuple[Any, ...]) -> bytes:
        """The framed Avro value of ``row``; a row that does not fit the schema raises ModelError."""
        if all(type(value) is str for value in row):
            cached = self._cache.get(row)
            if cached is None:
                cached = self._codec.encode(dict(zip(self._fields, row, strict=True)))
                if len(self._cache) < self._max_entries:
                    self._cache[row] = cached
            return cached
        return self._codec.encode(dict(zip(self._fields, row, strict=True)))
