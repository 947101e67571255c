"""When topics were last written (admin client): whether a record was ever appended, the newest kept
record's timestamp and the topic's retention, read in three batched requests for many topics at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from confluent_kafka import KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec

from streamproc.errors import BrokerUnavailableError
from streamproc.kafka.admin import topic_configs
from streamproc.kafka.clients import confluent_error

RETENTION_MS = "retention.ms"


@dataclass(frozen=True)
class TopicActivity:
    retention_ms: int
    written: bool  # a record was appended at some time (a high watermark above 0)
    newest_ms: int | None  # timestamp of the newest record still kept; None when none is kept


def topic_activity(
    client: AdminClient, wanted: Callable[[str], bool], timeout: float = 10.0
) -> dict[str, TopicActivity]:
    """The activity of each existing topic whose name is ``wanted``; one deleted meanwhile is left out."""
    try:
        metadata = client.list_topics(timeout=timeout).topics
    except KafkaException as exc:
        raise confluent_error(exc, "asking for metadata") from exc
    partitions = [
        TopicPartition(name, p) for name, topic in metadata.items() if wanted(name) for p in topic.partitions
    ]
    if not partitions:
        return {}
    high = _offsets(client, partitions, OffsetSpec.latest(), timeout)
    newest = _offsets(client, partitions, OffsetSpec.max_timestamp(), timeout)
    present = sorted({tp.topic for tp in high} & {tp.topic for tp in newest})
    retention = topic_configs(client, present, RETENTION_MS, timeout)
    activity = {}
    for name in present:
        stamps = [stamp for tp, (offset, stamp) in newest.items() if tp.topic == name and offset >= 0]
        activity[name] = TopicActivity(
            retention_ms=int(retention[name]),
            written=any(offset > 0 for tp, (offset, _) in high.items() if tp.topic == name),
            newest_ms=max(stamps) if stamps else None,
        )
    return activity


def _offsets(
    client: AdminClient, partitions: list[TopicPartition], spec: OffsetSpec, timeout: float
) -> dict[TopicPartition, tuple[int, int]]:
    """(offset, timestamp) per partition for ``spec``; partitions of topics deleted meanwhile left out."""
    futures = client.list_offsets({tp: spec for tp in partitions}, request_timeout=timeout)
    found = {}
    for tp, future in futures.items():
        try:
            info = future.result(timeout=timeout)
        except KafkaException as exc:
            if exc.args[0].code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
                continue
            raise confluent_error(exc, f"listing offsets of {tp.topic}") from exc
        except TimeoutError as exc:
            raise BrokerUnavailableError(
                f"Kafka did not list offsets of {tp.topic} in {timeout:g} s"
            ) from exc
        found[TopicPartition(tp.topic, tp.partition)] = (info.offset, info.timestamp)
    return found
