"""Assemble what the worker hosts: each model with its topics, codecs, processor and catalog entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ml_base import MLModel

from streamproc.avro.store import SchemaStore
from streamproc.catalog_record import CatalogEntry, catalog_record_avro_schema
from streamproc.codec import AvroCodec, make_codec
from streamproc.error_record import error_record_avro_schema
from streamproc.errors import ConfigurationError
from streamproc.hosting import load_model
from streamproc.processor import ModelProcessor
from streamproc.settings import StreamprocSettings
from streamproc.topics import ModelTopics
from streamproc.topology import ModelSpec, Topology


@dataclass
class HostedModel:
    spec: ModelSpec
    model: MLModel
    topics: ModelTopics
    entry: CatalogEntry
    processor: ModelProcessor


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


def host_model(spec: ModelSpec, settings: StreamprocSettings, codecs: Codecs) -> HostedModel:
    model = load_model(spec)
    topics = ModelTopics.for_model(settings.topic_prefix, model.qualified_name, model.version)
    entry = CatalogEntry.from_model(model, topics)
    processor = ModelProcessor(
        model,
        topics,
        input_codec=codecs.for_schema(entry.input_avro_schema, topics.inputs),
        output_codec=codecs.for_schema(entry.output_avro_schema, topics.outputs),
        error_codec=codecs.errors(topics.errors),
        partitions=spec.topics.partitions,
    )
    return HostedModel(spec, model, topics, entry, processor)


def host_topology(settings: StreamprocSettings, topology: Topology, codecs: Codecs) -> list[HostedModel]:
    hosted = [host_model(spec, settings, codecs) for spec in topology.models]
    names = [h.model.qualified_name for h in hosted]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigurationError(f"topology {settings.topology} hosts {', '.join(duplicates)} more than once")
    return hosted
