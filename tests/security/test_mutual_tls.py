"""Mutual TLS: a broker that requires a client certificate signed by its CA (`--security ssl`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from streamproc.dev.localkafka import LocalKafka
from streamproc.kafka import clients
from streamproc.kafka.admin import TopicSpec, ensure_topics
from streamproc.settings import StreamprocSettings
from tests.support.secured import run_cli, run_kafka_tool, secured_broker

pytestmark = pytest.mark.broker


@pytest.fixture(scope="module")
def mtls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamprocSettings]:
    broker: LocalKafka
    with secured_broker("ssl", tmp_path_factory.mktemp("kafka-mtls")) as broker:
        yield broker.client


def test_the_printed_settings_carry_a_client_certificate(mtls: StreamprocSettings) -> None:
    assert mtls.kafka_security_protocol == "SSL"
    assert mtls.kafka_ssl_cert_file is not None and mtls.kafka_ssl_key_file is not None


async def test_confluent_and_aiokafka_clients_round_trip_with_a_client_certificate(
    mtls: StreamprocSettings,
) -> None:
    topic = f"mtls-{uuid.uuid4().hex[:8]}"
    assert ensure_topics(mtls, [TopicSpec(topic, 1, 1)]) == [topic]
    producer = clients.producer(mtls)
    producer.produce(topic, value=b"from-confluent")
    assert producer.flush(30) == 0

    aio_producer = clients.aiokafka_producer(mtls)
    await aio_producer.start()
    try:
        await aio_producer.send_and_wait(topic, b"from-aiokafka")
    finally:
        await aio_producer.stop()
    consumer = clients.aiokafka_consumer(mtls, topic, group_id=f"g-{topic}", auto_offset_reset="earliest")
    await consumer.start()
    try:
        batches: dict[Any, list[Any]] = await consumer.getmany(timeout_ms=20_000, max_records=2)
        values = {record.value for records in batches.values() for record in records}
        while len(values) < 2:
            more = await consumer.getmany(timeout_ms=20_000)
            assert more, f"only {values} arrived"
            values |= {record.value for records in more.values() for record in records}
    finally:
        await consumer.stop()
    assert values == {b"from-confluent", b"from-aiokafka"}


def test_without_a_client_certificate_the_cli_says_so_in_one_line(mtls: StreamprocSettings) -> None:
    anonymous = mtls.model_copy(update={"kafka_ssl_cert_file": None, "kafka_ssl_key_file": None})
    listed = run_cli(anonymous, "topics", "list")
    lines = listed.stderr.strip().splitlines()
    assert listed.returncode != 0 and len(lines) == 1, listed.stderr
    assert "the broker wants a client certificate" in lines[0], lines[0]
    assert run_cli(mtls, "topics", "list").returncode == 0


def test_kafka_own_tools_present_the_client_certificate(mtls: StreamprocSettings) -> None:
    topic = f"mtls-tool-{uuid.uuid4().hex[:8]}"
    assert ensure_topics(mtls, [TopicSpec(topic, 1, 1)]) == [topic]
    listed = run_kafka_tool(mtls, "topics", "--list")
    assert listed.returncode == 0, listed.stderr
    assert topic in listed.stdout.split()
