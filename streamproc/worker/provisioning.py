"""The topics a topology needs: the catalog, and each hosted model's inputs, outputs and errors."""

from __future__ import annotations

from streamproc.kafka.admin import TopicSpec, catalog_topic_spec
from streamproc.settings import StreamprocSettings
from streamproc.worker.hosting import HostedModel
from streamproc.worker.topology import TopicSettings


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
