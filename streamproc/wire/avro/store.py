"""SchemaStore: fingerprint → parsed Avro schema, loaded from ``schemas/`` and extended at runtime."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from fastavro import parse_schema

from streamproc.errors import ConfigurationError, DeserializationError
from streamproc.wire.avro.framing import Schema, describe_fingerprint, fingerprint


class SchemaStore:
    """Writer schemas a reader can resolve by their single-object fingerprint.

    Schemas are parsed once (``fastavro.parse_schema``); lookups are a dict access.
    """

    def __init__(self, schemas: list[Schema] | None = None) -> None:
        self._parsed: dict[bytes, Any] = {}
        self._lock = threading.Lock()
        for schema in schemas or []:
            self.register(schema)

    @classmethod
    def from_directory(cls, schemas_dir: Path) -> SchemaStore:
        """Load every ``*.avsc`` under ``schemas_dir`` (recursively); a broken file names itself."""
        store = cls()
        if not schemas_dir.is_dir():
            raise ConfigurationError(f"schemas directory {schemas_dir} does not exist")
        for path in sorted(schemas_dir.rglob("*.avsc")):
            try:
                store.register(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, TypeError, KeyError) as exc:
                raise ConfigurationError(f"invalid Avro schema in {path}: {exc}") from exc
        return store

    def register(self, schema: Schema) -> bytes:
        """Add ``schema`` (idempotent) and return its 8-byte fingerprint."""
        if isinstance(schema, str) and schema.lstrip().startswith(("{", "[")):
            schema = json.loads(schema)
        fp = fingerprint(schema)
        if fp in self._parsed:
            return fp
        # A fresh named-types dict per schema: two versions may define the same record names.
        parsed = parse_schema(schema, named_schemas={})
        with self._lock:
            self._parsed.setdefault(fp, parsed)
        return fp

    def get(self, fp: bytes) -> Any:
        """The parsed schema of ``fp``; DeserializationError when unknown."""
        try:
            return self._parsed[fp]
        except KeyError:
            raise DeserializationError(
                f"unknown schema fingerprint {describe_fingerprint(fp)}: the writer schema is neither "
                "committed under schemas/ nor registered with this process"
            ) from None

    def __contains__(self, fp: object) -> bool:
        return fp in self._parsed

    def __len__(self) -> int:
        return len(self._parsed)
