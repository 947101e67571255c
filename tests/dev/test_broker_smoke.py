"""The real broker speaks to both Kafka clients streamproc uses: keys and headers survive."""

from __future__ import annotations

import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from confluent_kafka import Consumer, Producer


def test_confluent_kafka_round_trip_keeps_key_and_headers(kafka_bootstrap: str, topic_factory) -> None:
    topic = topic_factory()
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    producer.produce(topic, key=b"k1", value=b"hello", headers=[("correlation_id", b"c-1")])
    assert producer.flush(10) == 0
    consumer = Consumer(
        {"bootstrap.servers": kafka_bootstrap, "group.id": uuid.uuid4().hex, "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    deadline = time.monotonic() + 30
    message = None
    while message is None and time.monotonic() < deadline:
        message = consumer.poll(1.0)
    consumer.close()
    assert message is not None and message.error() is None
    assert (message.key(), message.value()) == (b"k1", b"hello")
    assert message.headers() == [("correlation_id", b"c-1")]


async def test_aiokafka_round_trip_keeps_key_and_headers(kafka_bootstrap: str, topic_factory) -> None:
    topic = topic_factory()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"world", key=b"k2", headers=[("traceparent", b"00-ab")])
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest", group_id=uuid.uuid4().hex
    )
    await consumer.start()
    try:
        message = await consumer.getone()
    finally:
        await consumer.stop()
    assert (message.key, message.value) == (b"k2", b"world")
    assert list(message.headers) == [("traceparent", b"00-ab")]
