"""Topic administration (confluent-kafka admin client): list topics, create the missing ones, read their
message limits, delete."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic, ResourceType

from streamproc.errors import BrokerUnavailableError
from streamproc.kafka.clients import admin, confluent_error
from streamproc.settings import StreamprocSettings

log = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = "max.message.bytes"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str] = field(default_factory=dict)


def catalog_topic_spec(settings: StreamprocSettings, replication_factor: int = 1) -> TopicSpec:
    return TopicSpec(settings.catalog_topic, 1, replication_factor, {"cleanup.policy": "compact"})


def admin_client(settings: StreamprocSettings) -> AdminClient:
    return admin(settings)


def existing_topics(admin: AdminClient, timeout: float = 10.0) -> set[str]:
    return set(partition_counts(admin, timeout))


def partition_counts(admin: AdminClient, timeout: float = 10.0) -> dict[str, int]:
    """Every topic on the cluster with its number of partitions."""
    try:
        topics = admin.list_topics(timeout=timeout).topics
    except KafkaException as exc:
        raise confluent_error(exc, "asking for metadata") from exc
    return {name: len(metadata.partitions) for name, metadata in topics.items()}


def ensure_topics(settings: StreamprocSettings, specs: list[TopicSpec], timeout: float = 30.0) -> list[str]:
    """Create the topics of ``specs`` that do not exist yet; return the names created."""
    client = admin_client(settings)
    missing = [s for s in specs if s.name not in existing_topics(client)]
    if not missing:
        return []
    new = [
        NewTopic(
            s.name, num_partitions=s.partitions, replication_factor=s.replication_factor, config=s.configs
        )
        for s in missing
    ]
    created = []
    for name, future in client.create_topics(new, operation_timeout=timeout).items():
        try:
            future.result(timeout=timeout)
            created.append(name)
            log.info("created topic %s", name)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise confluent_error(exc, f"creating topic {name}") from exc
    return created


def topic_configs(client: AdminClient, names: list[str], key: str, timeout: float = 10.0) -> dict[str, str]:
    """Each topic's value of config ``key`` (its own, or the broker's default)."""
    resources = [ConfigResource(ResourceType.TOPIC, name) for name in names]
    values = {}
    for resource, future in client.describe_configs(resources, request_timeout=timeout).items():
        try:
            values[resource.name] = future.result(timeout=timeout)[key].value
        except KafkaException as exc:
            raise confluent_error(exc, f"describing topic {resource.name}") from exc
        except TimeoutError as exc:
            raise BrokerUnavailableError(
                f"Kafka did not describe topic {resource.name} within {timeout:g} s"
            ) from exc
    return values


def max_message_bytes(
    settings: StreamprocSettings, names: list[str], timeout: float = 10.0
) -> dict[str, int]:
    """Each topic's ``max.message.bytes`` (its own, or the broker's default): the largest record batch
    the broker accepts on it."""
    values = topic_configs(admin_client(settings), names, MAX_MESSAGE_BYTES, timeout)
    return {name: int(value) for name, value in values.items()}


def delete_topics(settings: StreamprocSettings, names: list[str], timeout: float = 10.0) -> None:
    """Delete ``names``; a topic that is already gone is not an error."""
    client = admin_client(settings)
    for name, future in client.delete_topics(names, operation_timeout=timeout).items():
        try:
            future.result(timeout=timeout)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.UNKNOWN_TOPIC_OR_PART:
                raise confluent_error(exc, f"deleting topic {name}") from exc
        except TimeoutError as exc:
            raise BrokerUnavailableError(f"Kafka did not delete topic {name} within {timeout:g} s") from exc
