"""Publish catalog records by hand: a model whose topics exist but that no worker serves."""

from __future__ import annotations

from streamproc.kafka import clients
from streamproc.kafka.admin import TopicSpec, catalog_topic_spec, ensure_topics
from streamproc.settings import StreamprocSettings
from streamproc.wire.catalog_record import CatalogEntry, CatalogTopics
from streamproc.wire.codec_factory import Codecs
from streamproc.wire.topics import ModelTopics


def publish_unserved(
    settings: StreamprocSettings, template: CatalogEntry, qualified_name: str
) -> CatalogEntry:
    """Copy ``template`` under ``qualified_name`` (topics under ``settings``' prefix) into the catalog."""
    topics = ModelTopics.for_model(settings.topic_prefix, qualified_name, template.version)
    names = [topics.inputs, topics.outputs, topics.errors]
    ensure_topics(settings, [catalog_topic_spec(settings), *(TopicSpec(n, 1, 1) for n in names)])
    entry = template.model_copy(
        update={
            "qualified_name": qualified_name,
            "display_name": qualified_name.replace("_", " ").title(),
            "topics": CatalogTopics(inputs=topics.inputs, outputs=topics.outputs, errors=topics.errors),
        }
    )
    producer = clients.producer(settings)
    value = Codecs(settings).catalog().encode(entry.to_wire())
    producer.produce(settings.catalog_topic, key=qualified_name.encode(), value=value)
    assert producer.flush(30) == 0
    return entry
