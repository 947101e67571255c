"""Assign a consumer to every partition of some topics at their current end (explicit offsets).

Looking the end offsets up before assigning means a record produced after ``assign_at_end`` returns
is always seen: there is no window in which an ``OFFSET_END`` is resolved later than a reply lands.
"""

from __future__ import annotations

from confluent_kafka import Consumer, KafkaException, TopicPartition

from streamproc.errors import BrokerUnavailableError


def end_positions(consumer: Consumer, topics: list[str], timeout: float) -> list[TopicPartition]:
    positions = []
    try:
        for topic in topics:
            metadata = consumer.list_topics(topic, timeout=timeout).topics[topic]
            if metadata.error is not None:
                raise BrokerUnavailableError(f"topic {topic}: {metadata.error.str()}")
            for partition in sorted(metadata.partitions):
                _low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=timeout)
                positions.append(TopicPartition(topic, partition, high))
    except KafkaException as exc:
        raise BrokerUnavailableError(f"Kafka did not answer while assigning {topics}: {exc}") from exc
    return positions


def assign_at_end(consumer: Consumer, topics: list[str], timeout: float) -> None:
    consumer.incremental_assign(end_positions(consumer, topics, timeout))
