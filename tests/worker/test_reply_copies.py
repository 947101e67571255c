"""ReplyCopier with a fake Kafka client: which records are copied where, and what a hostile reply_to gets."""

from __future__ import annotations

import asyncio
import time

from streamproc.wire import headers as h
from streamproc.worker.processor import OutputRecord
from streamproc.worker.reply_copies import ReplyCopier

PREFIX = "sp"
MINE = "sp.replies.bridge-1"


class FakeClient:
    def __init__(self, topics: set[str]) -> None:
        self.existing = topics
        self.metadata_requests = 0
        self.sent: list[tuple[str, bytes]] = []

    async def topics(self) -> set[str]:
        self.metadata_requests += 1
        return set(self.existing)

    def send(self, topic: str, record: OutputRecord) -> None:
        self.sent.append((topic, record.value))

    async def close(self) -> None:
        return None


def record(value: bytes, reply_to: str | None) -> OutputRecord:
    headers = [(h.CORRELATION_ID, b"c")] + ([(h.REPLY_TO, reply_to.encode())] if reply_to is not None else [])
    return OutputRecord("sp.m.0.1.outputs", b"k", value, headers)


async def drain(copier: ReplyCopier, client: FakeClient, expected: int) -> None:
    task = asyncio.create_task(copier.run())
    try:
        async with asyncio.timeout(5):
            while copier.sent + copier.skipped < expected:  # noqa: ASYNC110 - counters, no event
                await asyncio.sleep(0.01)
    finally:
        task.cancel()


async def test_copies_only_to_existing_reply_topics_of_this_prefix() -> None:
    client = FakeClient({MINE, "sp.m.0.1.inputs", "other.replies.x"})
    copier = ReplyCopier(PREFIX, client)
    hostile = [
        "sp.m.0.1.inputs",  # a model topic
        "other.replies.x",  # another prefix's reply topic
        "sp.replies.does-not-exist",  # the right shape, but no such topic: never created
        "sp.replies.a.b",  # dots: could be a model topic
        "sp.replies." + "x" * 500,
        "\x00\xff",
    ]
    copier.offer([record(b"1", MINE), record(b"none", None), *(record(b"bad", t) for t in hostile)])
    copier.offer([record(b"2", MINE)])
    await drain(copier, client, 2 + len(hostile))
    assert client.sent == [(MINE, b"1"), (MINE, b"2")]  # in order, nothing else
    assert copier.skipped == len(hostile)
    assert "sp.replies.does-not-exist" not in client.existing


async def test_metadata_is_asked_at_most_once_a_second_under_a_flood_of_unknown_names() -> None:
    client = FakeClient({MINE})
    copier = ReplyCopier(PREFIX, client)
    started = time.monotonic()
    task = asyncio.create_task(copier.run())
    try:
        for i in range(40):  # 40 batches over ~0.4 s, each naming a new topic that does not exist
            copier.offer([record(b"x", f"sp.replies.ghost{i}"), record(b"ok", MINE)])
            await asyncio.sleep(0.01)
        async with asyncio.timeout(5):
            while copier.sent + copier.skipped < 80:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
    assert client.metadata_requests <= 1 + (time.monotonic() - started)  # at most one a second
    assert copier.sent == 40 and copier.skipped == 40


async def test_a_full_queue_skips_instead_of_waiting() -> None:
    client = FakeClient({MINE})
    copier = ReplyCopier(PREFIX, client, queue_size=3)
    copier.offer([record(str(i).encode(), MINE) for i in range(5)])  # returns at once
    assert copier.skipped == 2
    await drain(copier, client, 5)
    assert [value for _, value in client.sent] == [b"0", b"1", b"2"]


async def test_a_failing_metadata_request_does_not_stop_the_copier() -> None:
    class Broken(FakeClient):
        async def topics(self) -> set[str]:
            raise OSError("broker away")

    client = Broken({MINE})
    copier = ReplyCopier(PREFIX, client)
    copier.offer([record(b"1", MINE)])
    await drain(copier, client, 1)
    assert copier.skipped == 1 and client.sent == []


async def test_a_copy_to_a_known_reply_topic_leaves_during_offer_in_order_behind_queued_ones() -> None:
    client = FakeClient({MINE})
    copier = ReplyCopier(PREFIX, client)
    copier.offer([record(b"1", MINE)])  # the topic is not known yet: queued for a metadata look-up
    assert client.sent == []
    await drain(copier, client, 1)
    copier.offer([record(b"2", MINE), record(b"3", MINE)])  # known now: sent by offer itself, no task
    assert client.sent == [(MINE, b"1"), (MINE, b"2"), (MINE, b"3")]
    copier.offer([record(b"x", "sp.replies.new-bridge"), record(b"4", MINE)])  # 4 queues behind x
    assert client.sent[-1] == (MINE, b"3")
    client.existing.add("sp.replies.new-bridge")
    await drain(copier, client, 5)
    assert client.sent[-2:] == [("sp.replies.new-bridge", b"x"), (MINE, b"4")]
