"""The worker's batch consumer: one per hosted model, a service of the Faust app.

It reads the model's inputs topic with aiokafka's ``getmany`` and hands whole batches to the processor:
Faust's agent stream delivers events one at a time (two tasks and several loop turns per event), which
held a worker to about two thousand events per second. ``getmany`` never waits for a batch to fill, so
light traffic sees no added latency and heavy traffic gets full batches.

One fetch takes up to ``FETCH_BATCHES`` batches of ``batch_size`` inputs; each batch is predicted alone,
and the fetch's records are produced, acknowledged and committed together: the Kafka round trips of a
fetch (produce requests, acknowledgements, an offset commit) are paid once for all its batches.

Delivery is at-least-once: records are sent in input order (aiokafka keeps one request in flight per
broker, so order per partition holds) and an input offset is committed as soon as the output or error
record of that input, and of every earlier input of its partition, is acknowledged, so a crash
re-delivers at most the batches in flight. Acknowledgements are awaited by a second task, so the next
batch is processed while the previous one is in flight. A broker that stops answering is waited for:
a batch whose records were not acknowledged is held and sent again, with backoff, until the broker is
back (or ``worker_outage_limit`` passes); consumption pauses meanwhile (the in-flight queue is full).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import mode
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError, KafkaTimeoutError

from streamproc.kafka.clients import aiokafka_consumer, aiokafka_producer, start_aiokafka
from streamproc.settings import StreamprocSettings
from streamproc.telemetry.logs import record_fields
from streamproc.wire import headers as h
from streamproc.worker.hosting import HostedModel
from streamproc.worker.metrics import BatchHooks
from streamproc.worker.processor import InputMessage, OutputRecord
from streamproc.worker.reply_copies import KafkaReplyClient, ReplyCopier

log = logging.getLogger(__name__)
# one produce batch per output partition and input batch, within the broker's 1 MB request limit
MAX_REQUEST_BYTES = 512 * 1024
FETCH_BATCHES = 8  # batches of batch_size inputs one fetch may take
IN_FLIGHT_FETCHES = 4  # fetches sent but not yet acknowledged, per model
STOP_GRACE = 10.0  # seconds to wait for acknowledgements when stopping
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 10.0  # seconds between attempts while the broker does not answer


def input_messages(batches: Iterable[list[Any]]) -> list[InputMessage]:
    """The messages of consumed records (aiokafka's, or a Faust event's ``message``: the same attributes),
    in one comprehension (the worker's hot path)."""
    decode = h.decode_headers
    return [
        InputMessage(r.value, r.key, decode(r.headers) if r.headers else {}, r.topic, r.partition, r.offset)
        for records in batches
        for r in records
    ]


def fetch_size(batch_size: int) -> int:
    """The most inputs one fetch of a model's consumer takes."""
    return batch_size * FETCH_BATCHES


def transient(exc: BaseException) -> bool:
    """A broker that is away or moving leaders (worth waiting for), not a refusal of what was sent."""
    return isinstance(exc, KafkaTimeoutError) or (isinstance(exc, KafkaError) and bool(exc.retriable))


class Outage:
    """Backoff between attempts at one broker call, and a deadline after which the worker gives up."""

    def __init__(self, what: str, limit: float) -> None:
        self.what, self.limit = what, limit
        self.started = asyncio.get_running_loop().time()
        self.delay = BACKOFF_FIRST

    async def wait(self, exc: BaseException) -> None:
        """Sleep before the next attempt; re-raise ``exc`` if it is not transient or the deadline passed."""
        waited = asyncio.get_running_loop().time() - self.started
        if not transient(exc) or waited > self.limit:
            raise exc
        log.warning("%s failed, retrying (broker away for %.0f s): %s", self.what, waited, exc)
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, BACKOFF_MAX)


@dataclass
class SentBatch:
    futures: list[asyncio.Future[Any]]
    offsets: dict[TopicPartition, int]  # next offset to consume, per partition
    messages: list[InputMessage]
    records: list[OutputRecord]


class _Revocations(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, owner: ModelConsumer) -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self.owner.flush()

    async def on_partitions_assigned(self, assigned: Any) -> None:
        log.info("model %s: assigned %s", self.owner.qualified_name, sorted(tp.partition for tp in assigned))
        self.owner.hooks.rebalanced(assigned, self.owner._consumer)


class ModelConsumer(mode.Service):
    """Consume one model's inputs in batches; produce its outputs and errors; commit what is acknowledged."""

    def __init__(self, app: Any, hosted: HostedModel, settings: StreamprocSettings, group_id: str,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.app = app
        self.processor = hosted.processor
        self.qualified_name = hosted.model.qualified_name
        self.topic = hosted.topics.inputs
        self.batch_size = hosted.spec.batch_size
        self.fetch_size = fetch_size(hosted.spec.batch_size)
        self.settings = settings
        self.group_id = group_id
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self._sent: asyncio.Queue[SentBatch] = asyncio.Queue(maxsize=IN_FLIGHT_FETCHES)
        self._committable: dict[TopicPartition, int] = {}
        self._acknowledged = asyncio.Event()
        self._batch_lock = asyncio.Lock()
        self._commit_lock = asyncio.Lock()
        self._loops: list[asyncio.Task[None]] = []
        self.hooks = BatchHooks(self.qualified_name)  # metrics, tracing, readiness (set by build_app)
        self._replies = ReplyCopier(settings.topic_prefix, KafkaReplyClient(settings))

    async def on_start(self) -> None:
        session_ms = int(self.settings.worker_session_timeout * 1000)
        self._consumer = aiokafka_consumer(
            self.settings,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.fetch_size,
            session_timeout_ms=session_ms,
            heartbeat_interval_ms=min(1000, session_ms // 3),  # a survivor hears of a rebalance within 1 s
        )
        self._consumer.subscribe([self.topic], listener=_Revocations(self))
        # no produce batch over the topics' own limit (a lone record is kept within it by the processor)
        batch_bytes = min(MAX_REQUEST_BYTES, self.processor.max_message_bytes)
        self._producer = aiokafka_producer(self.settings, acks="all", max_batch_size=batch_bytes)
        await start_aiokafka(self._producer, self._consumer, doing=f"starting model {self.qualified_name}")
        self._loops = [
            asyncio.create_task(self._guard(self._consume())),
            asyncio.create_task(self._guard(self._ack())),
            asyncio.create_task(self._guard(self._commit_acknowledged())),
            asyncio.create_task(self._replies.run()),  # never raises
        ]
        log.info("model %s: consuming %s as group %s", self.qualified_name, self.topic, self.group_id)

    async def on_stop(self) -> None:
        consume, others = self._loops[:1], self._loops[1:]
        for task in consume:
            task.cancel()
        await asyncio.gather(*consume, return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flush(), STOP_GRACE)
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        if self._consumer is not None:
            await self._consumer.stop()
        if self._producer is not None:
            await self._producer.stop()
        await self._replies.close()

    async def flush(self) -> None:
        """Wait until every sent batch is acknowledged, then commit (before a rebalance and on stop)."""
        async with self._batch_lock:
            await self._sent.join()
            await self._commit()

    async def _guard(self, work: Any) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # not about one message: the broker or the worker itself failed
            log.critical("model %s: stopping the worker: %r", self.qualified_name, exc)
            await self.app.crash(exc)

    async def _consume(self) -> None:
        assert self._consumer is not None
        outage: Outage | None = None
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=1000, max_records=self.fetch_size)
            except KafkaError as exc:
                outage = outage or Outage(f"model {self.qualified_name}: fetching", self._outage_limit)
                await outage.wait(exc)
                continue
            outage = None
            self.hooks.consumed(batches)
            if batches:
                async with self._batch_lock:
                    await self._send(batches)

    @property
    def _outage_limit(self) -> float:
        return self.settings.worker_outage_limit

    async def _send(self, batches: dict[TopicPartition, list[Any]]) -> None:
        assert self._producer is not None
        messages = input_messages(batches.values())
        records = self._process(messages)
        self._replies.offer(records)  # copies to reply_to leave with the outputs, not after their ack
        futures = await produce_or_fail(self._producer, records)
        self.hooks.processed()
        offsets = {tp: records_[-1].offset + 1 for tp, records_ in batches.items()}
        await self._sent.put(SentBatch(futures, offsets, messages, records))

    def _process(self, messages: list[InputMessage]) -> list[OutputRecord]:
        """The processor's records for a fetch, ``batch_size`` inputs at a time."""
        size = self.batch_size
        records: list[OutputRecord] = []
        for start in range(0, len(messages), size):
            records += self.processor.process(messages[start : start + size])
        return records

    async def _ack(self) -> None:
        while True:
            batch = await self._sent.get()
            try:
                await self._delivered(batch)
                self.hooks.acknowledged(batch.records)
                for message, record in zip(batch.messages, batch.records, strict=True):
                    if record.is_error:
                        log_error(self.qualified_name, message, record)
                self._committable.update(batch.offsets)
                self._acknowledged.set()
            finally:
                self._sent.task_done()

    async def _delivered(self, batch: SentBatch) -> None:
        producer = self._producer
        assert producer is not None
        batch.futures = await until_acknowledged(
            batch.futures,
            lambda: produce_or_fail(producer, batch.records),
            f"model {self.qualified_name}: producing",
            self._outage_limit,
        )

    async def _commit_acknowledged(self) -> None:
        """Commit as soon as something is acknowledged (one commit in flight; later ones coalesce)."""
        outage: Outage | None = None
        while True:
            await self._acknowledged.wait()
            self._acknowledged.clear()
            try:
                await self._commit()
                outage = None
            except KafkaError as exc:
                outage = outage or Outage(f"model {self.qualified_name}: committing", self._outage_limit)
                self._acknowledged.set()
                await outage.wait(exc)

    async def _commit(self) -> None:
        async with self._commit_lock:
            if not self._committable or self._consumer is None:
                return
            assigned = self._consumer.assignment()
            offsets = {tp: offset for tp, offset in self._committable.items() if tp in assigned}
            self._committable.clear()
            if not offsets:
                return
            try:
                await self._consumer.commit(offsets)
                self.hooks.committed_offsets(offsets)
            except (
                CommitFailedError,
                IllegalStateError,
            ) as exc:  # rebalanced meanwhile: redelivered elsewhere
                log.warning("model %s: commit of %s skipped: %s", self.qualified_name, offsets, exc)
            except KafkaError:  # not committed: keep them, unless a later offset came meanwhile
                for tp, offset in offsets.items():
                    self._committable[tp] = max(offset, self._committable.get(tp, offset))
                raise


async def until_acknowledged(
    futures: list[Any], resend: Callable[[], Awaitable[list[Any]]], what: str, outage_limit: float
) -> list[Any]:
    """Await a batch's acknowledgements; while the broker is away, send it again, whole (both engines)."""
    outage: Outage | None = None
    while True:
        results = await asyncio.gather(*futures, return_exceptions=True)
        failure = next((r for r in results if isinstance(r, BaseException)), None)
        if failure is None:
            return futures
        outage = outage or Outage(what, outage_limit)
        await outage.wait(failure)
        futures = await resend()


async def send_or_fail(send: Callable[[], Awaitable[list[Any]]]) -> list[Any]:
    """``send()``'s futures; a failure to send (broker away) is one failed future for the acknowledger."""
    try:
        return await send()
    except KafkaError as exc:
        failed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        failed.set_exception(exc)
        return [failed]


async def produce_or_fail(
    producer: AIOKafkaProducer, records: list[OutputRecord]
) -> list[asyncio.Future[Any]]:
    return await send_or_fail(lambda: produce(producer, records))


async def produce(producer: AIOKafkaProducer, records: list[OutputRecord]) -> list[asyncio.Future[Any]]:
    """Send ``records`` in order; one future per produce batch (records with a partition) or per record."""
    futures: list[asyncio.Future[Any]] = []
    open_batches: dict[tuple[str, int], Any] = {}
    for r in records:
        if r.partition is None:
            futures.append(await producer.send(r.topic, r.value, r.key, None, None, r.headers))
            continue
        where = (r.topic, r.partition)
        batch = open_batches.get(where)
        if batch is None:
            batch = open_batches[where] = producer.create_batch()
        if batch.append(key=r.key, value=r.value, timestamp=None, headers=r.headers) is None:  # full
            futures.append(await producer.send_batch(batch, r.topic, partition=r.partition))
            batch = open_batches[where] = producer.create_batch()
            batch.append(key=r.key, value=r.value, timestamp=None, headers=r.headers)
    for (topic, partition), batch in open_batches.items():
        futures.append(await producer.send_batch(batch, topic, partition=partition))
    return futures


def log_error(model: str, message: InputMessage, record: OutputRecord) -> None:
    error_type = dict(record.headers).get(h.ERROR_TYPE, b"").decode()
    where = (message.topic, message.partition, message.offset)
    log.warning(
        "model=%s topic=%s partition=%d offset=%d -> %s on %s", model, *where, error_type, record.topic,
        extra=record_fields(model, *where, error_type=error_type),
    )  # fmt: skip
