"""ModelConsumer's delivery rules with small fakes (no Kafka): order, acknowledge before commit, flush on
revocation, and a batch the broker did not acknowledge held and sent again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError

from streamproc.settings import StreamprocSettings
from streamproc.worker.consumer import ModelConsumer, _Revocations
from streamproc.worker.processor import InputMessage, OutputRecord

TP0, TP1 = TopicPartition("in", 0), TopicPartition("in", 1)


class FakeProducer:
    """Records what is sent, in order; each send's future is resolved (or failed) by the test."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int | None, bytes]] = []
        self.futures: list[asyncio.Future[Any]] = []

    def _future(self) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.futures.append(future)
        return future

    async def send(self, topic: str, value: bytes, key: Any, partition: Any, ts: Any, headers: Any) -> Any:
        self.sent.append((topic, partition, value))
        return self._future()

    def create_batch(self) -> Any:
        return SimpleNamespace(records=[], append=lambda **kw: self.sent.append(("batch", None, kw["value"])))

    async def send_batch(self, batch: Any, topic: str, partition: int) -> Any:
        return self._future()

    def acknowledge(self, count: int | None = None, error: Exception | None = None) -> None:
        for future in [f for f in self.futures if not f.done()][:count]:
            future.set_exception(error) if error else future.set_result(None)


class FakeConsumer:
    def __init__(self) -> None:
        self.commits: list[dict[TopicPartition, int]] = []

    def assignment(self) -> set[TopicPartition]:
        return {TP0, TP1}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))


class EchoProcessor:
    def process(self, messages: list[InputMessage]) -> list[OutputRecord]:
        return [OutputRecord("out", m.key, m.value or b"", [], None) for m in messages]


def records(tp: TopicPartition, offsets: range) -> list[Any]:
    return [
        SimpleNamespace(value=f"{tp.partition}:{o}".encode(), key=None, headers=[], topic=tp.topic,
                        partition=tp.partition, offset=o)
        for o in offsets
    ]  # fmt: skip


@pytest.fixture
async def consumer() -> AsyncIterator[ModelConsumer]:
    hosted = SimpleNamespace(
        processor=EchoProcessor(),
        model=SimpleNamespace(qualified_name="m"),
        topics=SimpleNamespace(inputs="in"),
        spec=SimpleNamespace(batch_size=10),
    )
    instance = ModelConsumer(SimpleNamespace(), hosted, StreamprocSettings(), group_id="g")
    instance._producer, instance._consumer = FakeProducer(), FakeConsumer()  # type: ignore[assignment]
    tasks = [asyncio.create_task(instance._ack()), asyncio.create_task(instance._commit_acknowledged())]
    yield instance
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_records_are_sent_in_input_order_across_batches(consumer: ModelConsumer) -> None:
    await consumer._send({TP0: records(TP0, range(3)), TP1: records(TP1, range(2))})
    await consumer._send({TP0: records(TP0, range(3, 5))})
    sent = [value for _, _, value in consumer._producer.sent]  # type: ignore[union-attr]
    assert sent == [b"0:0", b"0:1", b"0:2", b"1:0", b"1:1", b"0:3", b"0:4"]


async def test_offsets_are_committed_only_once_acknowledged_and_as_soon_as_they_are(
    consumer: ModelConsumer,
) -> None:
    producer, kafka = consumer._producer, consumer._consumer
    await consumer._send({TP0: records(TP0, range(3))})
    await consumer._send({TP0: records(TP0, range(3, 5)), TP1: records(TP1, range(1))})
    await settle()
    assert kafka.commits == []  # type: ignore[union-attr]
    producer.acknowledge(3)  # type: ignore[union-attr]  # the first batch only
    await settle()
    assert kafka.commits == [{TP0: 3}]  # type: ignore[union-attr]
    producer.acknowledge()  # type: ignore[union-attr]
    await settle()
    assert kafka.commits[-1] == {TP0: 5, TP1: 1}  # type: ignore[union-attr]


async def test_revocation_waits_for_acknowledgements_then_commits(consumer: ModelConsumer) -> None:
    await consumer._send({TP1: records(TP1, range(4))})
    revoked = asyncio.create_task(_Revocations(consumer).on_partitions_revoked({TP1}))
    await settle()
    assert not revoked.done(), "revocation returned before the in-flight batch was acknowledged"
    consumer._producer.acknowledge()  # type: ignore[union-attr]
    await asyncio.wait_for(revoked, 5)
    assert consumer._consumer.commits[-1] == {TP1: 4}  # type: ignore[union-attr]


async def test_a_batch_the_broker_did_not_acknowledge_is_held_and_sent_again(consumer: ModelConsumer) -> None:
    producer = consumer._producer
    await consumer._send({TP0: records(TP0, range(2))})
    producer.acknowledge(error=KafkaConnectionError("broker away"))  # type: ignore[union-attr]
    for _ in range(200):  # resent after the first backoff
        if len(producer.sent) == 4:  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.05)
    assert [v for _, _, v in producer.sent] == [b"0:0", b"0:1", b"0:0", b"0:1"]  # type: ignore[union-attr]
    assert consumer._consumer.commits == []  # type: ignore[union-attr]
    producer.acknowledge()  # type: ignore[union-attr]
    await settle()
    assert consumer._consumer.commits == [{TP0: 2}]  # type: ignore[union-attr]


async def test_reply_copies_leave_with_the_outputs_once_even_when_the_batch_is_sent_again(
    consumer: ModelConsumer,
) -> None:
    offered: list[bytes] = []
    consumer._replies = SimpleNamespace(offer=lambda rs: offered.extend(r.value for r in rs))  # type: ignore[assignment]
    producer = consumer._producer
    await consumer._send({TP0: records(TP0, range(2))})
    assert offered == [b"0:0", b"0:1"], "the copies waited for the broker's acknowledgement"
    producer.acknowledge(error=KafkaConnectionError("broker away"))  # type: ignore[union-attr]
    for _ in range(200):  # resent after the first backoff
        if len(producer.sent) == 4:  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.05)
    producer.acknowledge()  # type: ignore[union-attr]
    await settle()
    assert consumer._consumer.commits == [{TP0: 2}]  # type: ignore[union-attr]
    assert offered == [b"0:0", b"0:1"]  # one copy per input: a resend sends no second reply


def test_repeated_warnings_are_shown_once_per_interval_with_a_count() -> None:
    import logging

    from streamproc.log_repeats import RepeatFilter

    now = [100.0]
    repeats = RepeatFilter(interval=10, clock=lambda: now[0])

    def shown(level: int, msg: str, *args: object) -> str | None:
        record = logging.LogRecord("aiokafka", level, "", 0, msg, args, None)
        return record.getMessage() if repeats.filter(record) else None

    assert shown(logging.ERROR, "Unable connect to node %s", 1) == "Unable connect to node 1"
    assert [shown(logging.ERROR, "Unable connect to node %s", n) for n in range(500)] == [None] * 500
    assert shown(logging.INFO, "assigned %s", [1]) == "assigned [1]"  # information is never held
    assert shown(logging.INFO, "assigned %s", [2]) == "assigned [2]"
    now[0] += 10
    assert shown(logging.ERROR, "Unable connect to node %s", 2) == (
        "Unable connect to node 2 [repeated 500 more times in the last 10 s]"
    )
