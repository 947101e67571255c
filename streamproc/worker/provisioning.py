"""The topics a topology needs (the catalog, and each hosted model's inputs, outputs and errors), and the
record limits their ``max.message.bytes`` set."""

from __future__ import annotations

import logging

from streamproc.kafka.admin import TopicSpec, catalog_topic_spec, max_message_bytes
from streamproc.settings import StreamprocSettings
from streamproc.worker.hosting import HostedModel
from streamproc.worker.topology import TopicSettings

log = logging.getLogger(__name__)


def model_topic_specs(topics: TopicSettings, names: list[str]) -> list[TopicSpec]:
    return [
        TopicSpec(name, topics.partitions, topics.replication_factor, topics.kafka_configs())
        for name in names
    ]


def topology_topic_specs(settings: StreamprocSettings, hosted: list[HostedModel]) -> list[TopicSpec]:
    specs = [catalog_topic_spec(settings)]
    for model in hosted:
        t = model.topics
        specs += model_topic_specs(model.spec.topics, [t.inputs, t.outputs, t.errors])
    return specs


def apply_topic_limits(settings: StreamprocSettings, hosted: list[HostedModel]) -> None:
    """Each model writes no record larger than its outputs and errors topics accept (their
    ``max.message.bytes``), when that is less than ``STREAMPROC_MAX_MESSAGE_BYTES``."""
    names = [name for model in hosted for name in (model.topics.outputs, model.topics.errors)]
    if not names:
        return
    limits = max_message_bytes(settings, names)
    for model in hosted:
        topic_limit = min(limits[model.topics.outputs], limits[model.topics.errors])
        if topic_limit < model.processor.max_message_bytes:
            log.info(
                "model %s: records kept within %d bytes, the max.message.bytes of its topics",
                model.model.qualified_name,
                topic_limit,
            )
        model.processor.lower_message_limit(topic_limit)
