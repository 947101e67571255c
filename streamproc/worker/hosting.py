"""Assemble what the worker hosts: each model with its topics, codecs, processor and catalog entry."""

from __future__ import annotations

from dataclasses import dataclass

from ml_base import MLModel

from streamproc.errors import ConfigurationError
from streamproc.settings import StreamprocSettings
from streamproc.wire.catalog_record import CatalogEntry
from streamproc.wire.codec_factory import Codecs
from streamproc.wire.topics import ModelTopics
from streamproc.worker.loading import load_model
from streamproc.worker.processor import ModelProcessor
from streamproc.worker.topology import ModelSpec, Topology


@dataclass
class HostedModel:
    spec: ModelSpec
    model: MLModel
    topics: ModelTopics
    entry: CatalogEntry
    processor: ModelProcessor


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
        max_json_depth=settings.max_json_depth,
        max_message_bytes=settings.max_message_bytes,
    )
    return HostedModel(spec, model, topics, entry, processor)


def host_topology(settings: StreamprocSettings, topology: Topology, codecs: Codecs) -> list[HostedModel]:
    hosted = [host_model(spec, settings, codecs) for spec in topology.models]
    names = [h.model.qualified_name for h in hosted]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigurationError(f"topology {settings.topology} hosts {', '.join(duplicates)} more than once")
    return hosted
