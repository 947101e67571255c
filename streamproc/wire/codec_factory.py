"""Codecs: builds the codec of any topic from one settings object over one schema store."""

from __future__ import annotations

from typing import Any

from streamproc.settings import StreamprocSettings
from streamproc.wire.avro.codec import AvroCodec, make_codec
from streamproc.wire.avro.store import SchemaStore
from streamproc.wire.catalog_record import catalog_record_avro_schema
from streamproc.wire.error_record import error_record_avro_schema


class Codecs:
    """Builds codecs for a settings object over one schema store (single-object or Confluent framing)."""

    def __init__(self, settings: StreamprocSettings, store: SchemaStore | None = None) -> None:
        self.settings = settings
        self.store = store or SchemaStore.from_directory(settings.schemas_dir)

    def for_schema(self, schema: dict[str, Any], topic: str) -> AvroCodec:
        return make_codec(schema, self.settings, self.store, topic)

    def errors(self, topic: str) -> AvroCodec:
        return self.for_schema(error_record_avro_schema(), topic)

    def catalog(self) -> AvroCodec:
        return self.for_schema(catalog_record_avro_schema(), self.settings.catalog_topic)
