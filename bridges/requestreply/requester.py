"""Request–reply over Kafka, shared by every bridge: one producer and one reply topic per bridge instance.

A request is produced to the model's inputs topic with the request id as its key, the client's
``correlation_id`` (or the request id when the client gave none) and ``reply_to`` = this instance's reply
topic ``{prefix}.replies.{instance}``. The worker writes the output or error to the model's topics as for
any producer and a copy to that reply topic, which only this instance reads (ReplyListener). The topic
is created on ``start`` with short retention and deleted on ``stop``; while it is open, ``Keepalive``
heartbeats into it and deletes the reply topics killed bridges left behind (``reaper.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import threading
import time
import uuid
from functools import partial
from typing import Any

from confluent_kafka import KafkaError, KafkaException

from bridges.catalog import ModelCatalog
from bridges.requestreply.pending import PendingReplies, ReplyCodecs
from bridges.requestreply.reaper import Keepalive, reply_topic_spec
from bridges.requestreply.replies import ReplyListener
from streamproc.errors import BrokerUnavailableError, PayloadTooLargeError, ReplyTimeoutError
from streamproc.kafka.admin import delete_topics, ensure_topics
from streamproc.kafka.clients import producer as make_producer
from streamproc.settings import StreamprocSettings
from streamproc.telemetry.tracing import client_span, context_headers
from streamproc.wire import headers as h
from streamproc.wire.catalog_record import CatalogEntry
from streamproc.wire.topics import reply_topic

log = logging.getLogger(__name__)
PROBE_EVERY = 2.0  # seconds between broker connectivity probes
DRAIN_ON_STOP = 2.0  # seconds a stopping bridge waits for replies already on their way


def new_instance_id() -> str:
    host = "".join(c if c.isalnum() or c in "_-" else "-" for c in socket.gethostname())[:40]
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class Requester:
    def __init__(self, settings: StreamprocSettings, catalog: ModelCatalog) -> None:
        self.settings = settings
        self.catalog = catalog
        self.instance_id = new_instance_id()
        self.reply_topic = reply_topic(settings.topic_prefix, self.instance_id)
        self.pending = PendingReplies()
        self._listener = ReplyListener(settings, self.reply_topic, self.pending)
        self._keepalive = Keepalive(settings, self.reply_topic, self._heartbeat)
        self._codecs: dict[tuple[str, str], ReplyCodecs] = {}
        self._producer: Any = None
        self._connected = False
        self._stopping = threading.Event()
        self._wake = threading.Event()  # set when a request is produced or the bridge stops
        self._poller: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opening = asyncio.Lock()

    def broker_connected(self) -> bool:
        return self._connected

    async def start(self) -> None:
        if self._poller is not None:
            return
        self._loop = asyncio.get_running_loop()
        # linger 0: a lone request leaves at once; under load librdkafka still batches what queues meanwhile
        config = {"message.timeout.ms": self._timeout_ms(), "linger.ms": 0}
        self._producer = make_producer(self.settings, **config)
        self._connected = await asyncio.to_thread(self._probe)
        self._stopping.clear()
        self._poller = threading.Thread(target=self._poll_producer, name="streamproc-producer", daemon=True)
        self._poller.start()
        if self._connected:
            try:
                await self._open_replies()
            except BrokerUnavailableError as exc:  # opened on the first request instead
                log.warning("reply topic %s not ready yet: %s", self.reply_topic, exc)

    async def _open_replies(self) -> None:
        """Create this instance's reply topic and start reading it (once)."""
        async with self._opening:
            if self._listener.running:
                return
            spec = reply_topic_spec(self.settings, self.reply_topic)
            await asyncio.to_thread(ensure_topics, self.settings, [spec], 5.0)
            self._keepalive.start()  # its first heartbeat at once: a topic written is a topic owned
            await self._listener.start()
            log.info("bridge instance %s reads replies from %s", self.instance_id, self.reply_topic)

    async def stop(self) -> None:
        if self._poller is None:
            return
        waiting = self.pending.futures()
        if waiting:  # replies already on their way
            await asyncio.wait(waiting, timeout=DRAIN_ON_STOP)
        self._stopping.set()
        self._wake.set()
        opened = self._listener.running
        await self._keepalive.stop()
        await self._listener.stop()
        await asyncio.to_thread(self._poller.join, 10)
        await asyncio.to_thread(self._producer.flush, 5)
        self.pending.fail_all(BrokerUnavailableError("the bridge is shutting down"))
        self._poller = None
        if not opened:
            return
        if not self._connected:
            log.warning("reply topic %s left behind (it expires by retention)", self.reply_topic)
            return
        try:
            await asyncio.to_thread(delete_topics, self.settings, [self.reply_topic], 5.0)
        except BrokerUnavailableError as exc:
            log.warning("reply topic %s left behind (it expires by retention): %s", self.reply_topic, exc)

    async def __aenter__(self) -> Requester:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def prepare(self, entry: CatalogEntry) -> ReplyCodecs:
        """Build (once per model version) the codecs that read this model's replies."""
        key = (entry.qualified_name, entry.version)
        codecs = self._codecs.get(key)
        if codecs is None:
            topics = entry.topics
            output = self.catalog.codecs.for_schema(entry.output_avro_schema, topics.outputs)
            codecs = self._codecs[key] = ReplyCodecs(output, self.catalog.codecs.errors(topics.errors))
        return codecs

    async def predict(
        self, qualified_name: str, payload: dict[str, Any], timeout: float | None = None
    ) -> Any:
        """Send ``payload`` (a dict, sent as JSON) to the model; return its output or raise its error."""
        entry = self.catalog.get(qualified_name)
        return await self.request(entry, json.dumps(payload).encode(), timeout=timeout)

    async def request(
        self,
        entry: CatalogEntry,
        value: bytes,
        correlation_id: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Produce a JSON ``value`` to the model's inputs; return its output dict or raise its error."""
        timeout = self.settings.request_timeout if timeout is None else timeout
        if not self._connected:
            raise BrokerUnavailableError(f"Kafka at {self.settings.bootstrap_servers} is unreachable")
        if not self._listener.running:
            try:
                await asyncio.wait_for(self._open_replies(), timeout)
            except TimeoutError:
                raise self._timeout_error(entry.qualified_name, timeout) from None
        request_id = uuid.uuid4().hex
        future = self.pending.add(request_id, self.prepare(entry))
        self._listener.wake()
        try:
            with client_span(f"{entry.topics.inputs} publish", {"streamproc.model": entry.qualified_name}):
                self._produce(entry.topics.inputs, request_id, correlation_id or request_id, value)
                return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise self._timeout_error(entry.qualified_name, timeout) from None
        finally:  # also when the caller is cancelled (a client that went away)
            self.pending.discard(request_id)

    def _produce(self, topic: str, request_id: str, correlation_id: str, value: bytes) -> None:
        headers = [
            (h.CORRELATION_ID, correlation_id.encode()),
            (h.REPLY_TO, self.reply_topic.encode()),
            (h.CONTENT_TYPE, h.CONTENT_TYPE_JSON.encode()),
            *context_headers(),
        ]
        try:
            self._producer.produce(
                topic,
                key=request_id.encode(),
                value=value,
                headers=headers,
                on_delivery=partial(self._on_delivery, request_id),
            )
            self._wake.set()  # the poller serves its delivery report
        except BufferError as exc:
            raise BrokerUnavailableError("the Kafka producer queue is full") from exc
        except KafkaException as exc:
            error = exc.args[0]
            if error.code() == KafkaError.MSG_SIZE_TOO_LARGE:
                raise PayloadTooLargeError(f"a {len(value)}-byte request is too big for Kafka") from exc
            raise BrokerUnavailableError(f"Kafka refused the request: {error.str()}") from exc

    def _heartbeat(self) -> None:
        """An empty record in this instance's reply topic (its reader skips key-less records)."""
        try:
            self._producer.produce(self.reply_topic, value=b"", on_delivery=self._on_heartbeat)
        except (BufferError, KafkaException) as exc:
            log.warning("no heartbeat to %s: %s", self.reply_topic, exc)
            return
        self._wake.set()  # the poller serves its delivery report

    def _on_heartbeat(self, error: Any, _message: Any) -> None:
        if error is None:
            return
        if error.code() in (KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError._UNKNOWN_TOPIC):
            self._keepalive.lost = True
        else:
            log.warning("heartbeat to %s not delivered: %s", self.reply_topic, error.str())

    def _timeout_error(self, qualified_name: str, timeout: float) -> Exception:
        if not self._connected:
            return BrokerUnavailableError(f"Kafka at {self.settings.bootstrap_servers} is unreachable")
        return ReplyTimeoutError(f"no reply from model '{qualified_name}' within {timeout:g} s")

    def _timeout_ms(self) -> int:
        return max(1000, int(self.settings.request_timeout * 1000))

    def _on_delivery(self, request_id: str, error: Any, _message: Any) -> None:
        if error is not None and self._loop is not None:
            failure = BrokerUnavailableError(f"request could not be delivered to Kafka: {error.str()}")
            self._loop.call_soon_threadsafe(self.pending.fail, request_id, failure)

    def _poll_producer(self) -> None:
        """Serve delivery reports while requests are in flight; probe the broker every few seconds.

        Idle, the thread sleeps on an Event (woken by ``_produce`` and ``stop``) rather than in
        ``producer.poll``, which wakes every 200 ms however long its timeout: an idle bridge costs nothing.
        """
        next_probe = 0.0
        while not self._stopping.is_set():
            if len(self._producer):  # requests in flight: their delivery reports come promptly
                self._producer.poll(0.2)
            else:
                self._producer.poll(0)  # callbacks queued meanwhile (errors, logs)
                self._wake.wait(max(0.0, next_probe - time.monotonic()))
                self._wake.clear()
            if time.monotonic() >= next_probe:
                self._connected = self._probe()
                next_probe = time.monotonic() + PROBE_EVERY

    def _probe(self) -> bool:
        try:
            self._producer.list_topics(self.settings.catalog_topic, timeout=1.0)  # one topic: a cheap probe
        except Exception:
            return False
        return True
