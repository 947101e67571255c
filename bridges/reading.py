"""How bridges read Kafka: assign partitions at their current end, then poll in batches.

Looking the end offsets up before assigning means a record produced after ``assign_at_end`` returns
is always seen: there is no window in which an ``OFFSET_END`` is resolved later than a reply lands.
"""

from __future__ import annotations

from confluent_kafka import Consumer, KafkaException, Message, TopicPartition

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


def poll_batch(consumer: Consumer, timeout: float, max_records: int = 1000) -> list[Message]:
    """Wait up to ``timeout`` s for one record, then take whatever else is already fetched."""
    message = consumer.poll(timeout)
    if message is None:
        return []
    return [message, *consumer.consume(num_messages=max_records, timeout=0)]
