"""A ModelProcessor for any model, with codecs on a fresh in-memory schema store (no Kafka)."""

from __future__ import annotations

from typing import Any

from streamproc.wire.avro.codec import AvroCodec
from streamproc.wire.avro.store import SchemaStore
from streamproc.wire.catalog_record import CatalogEntry
from streamproc.wire.error_record import error_record_avro_schema
from streamproc.wire.topics import ModelTopics
from streamproc.worker.processor import ModelProcessor


def make_processor(model: Any, partitions: int = 3) -> ModelProcessor:
    topics = ModelTopics.for_model("p", model.qualified_name, model.version)
    entry = CatalogEntry.from_model(model, topics)
    store = SchemaStore()
    return ModelProcessor(
        model,
        topics,
        AvroCodec(entry.input_avro_schema, store),
        AvroCodec(entry.output_avro_schema, store),
        AvroCodec(error_record_avro_schema(), store),
        partitions=partitions,
    )
