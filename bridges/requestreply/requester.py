"""Request–reply over Kafka, shared by every bridge.

One producer and one reply consumer per process. A request is produced to the model's inputs topic
with ``correlation_id`` and ``reply_to`` headers; the reply consumer reads the model's outputs and
errors topics (every partition, from where they ended when the model was first asked for), keeps the
records whose ``reply_to`` is this instance and resolves the matching pending future.
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
from bridges.requestreply.pending import PendingReplies
from bridges.requestreply.replies import ReplyListener
from streamproc.errors import BrokerUnavailableError, PayloadTooLargeError, ReplyTimeoutError
from streamproc.kafka.clients import producer as make_producer
from streamproc.settings import StreamprocSettings
from streamproc.telemetry.tracing import client_span, context_headers
from streamproc.wire import headers as h

log = logging.getLogger(__name__)
PROBE_EVERY = 2.0  # seconds between broker connectivity probes


class Requester:
    def __init__(self, settings: StreamprocSettings, catalog: ModelCatalog) -> None:
        self.settings = settings
        self.catalog = catalog
        self.instance_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.pending = PendingReplies()
        self._listener = ReplyListener(settings, catalog.codecs, self.instance_id, self.pending)
        self._producer: Any = None
        self._connected = False
        self._stopping = threading.Event()
        self._poller: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

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
        await self._listener.start()

    async def stop(self) -> None:
        if self._poller is None:
            return
        self._stopping.set()
        await self._listener.stop()
        await asyncio.to_thread(self._poller.join, 10)
        await asyncio.to_thread(self._producer.flush, 5)
        self.pending.fail_all(BrokerUnavailableError("the bridge is shutting down"))
        self._poller = None

    async def predict(
        self, qualified_name: str, payload: dict[str, Any], timeout: float | None = None
    ) -> Any:
        """Send ``payload`` to the model and return its output dict, or raise the error it caused."""
        timeout = self.settings.request_timeout if timeout is None else timeout
        entry = self.catalog.get(qualified_name)
        if not self._connected:
            raise BrokerUnavailableError(f"Kafka at {self.settings.bootstrap_servers} is unreachable")
        try:
            await asyncio.wait_for(self._listener.ensure(entry), timeout)
        except TimeoutError:
            raise self._timeout_error(qualified_name, timeout) from None
        correlation_id = uuid.uuid4().hex
        future = self.pending.add(correlation_id)
        try:
            with client_span(f"{entry.topics.inputs} publish", {"streamproc.model": qualified_name}):
                self._produce(entry.topics.inputs, correlation_id, payload)
                return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise self._timeout_error(qualified_name, timeout) from None
        finally:  # also when the caller is cancelled (a client that went away)
            self.pending.discard(correlation_id)

    def _produce(self, topic: str, correlation_id: str, payload: dict[str, Any]) -> None:
        headers = [
            (h.CORRELATION_ID, correlation_id.encode()),
            (h.REPLY_TO, self.instance_id.encode()),
            (h.CONTENT_TYPE, h.CONTENT_TYPE_JSON.encode()),
            *context_headers(),
        ]
        value = json.dumps(payload).encode()
        try:
            self._producer.produce(
                topic, value=value, headers=headers, on_delivery=partial(self._on_delivery, correlation_id)
            )
        except BufferError as exc:
            raise BrokerUnavailableError("the Kafka producer queue is full") from exc
        except KafkaException as exc:
            error = exc.args[0]
            if error.code() == KafkaError.MSG_SIZE_TOO_LARGE:
                raise PayloadTooLargeError(f"a {len(value)}-byte request is too big for Kafka") from exc
            raise BrokerUnavailableError(f"Kafka refused the request: {error.str()}") from exc

    def _timeout_error(self, qualified_name: str, timeout: float) -> Exception:
        if not self._connected:
            return BrokerUnavailableError(f"Kafka at {self.settings.bootstrap_servers} is unreachable")
        return ReplyTimeoutError(f"no reply from model '{qualified_name}' within {timeout:g} s")

    def _timeout_ms(self) -> int:
        return max(1000, int(self.settings.request_timeout * 1000))

    def _on_delivery(self, correlation_id: str, error: Any, _message: Any) -> None:
        if error is not None and self._loop is not None:
            failure = BrokerUnavailableError(f"request could not be delivered to Kafka: {error.str()}")
            self._loop.call_soon_threadsafe(self.pending.fail, correlation_id, failure)

    def _poll_producer(self) -> None:
        """Serve delivery reports and probe the broker every few seconds."""
        next_probe = 0.0
        while not self._stopping.is_set():
            self._producer.poll(0.1)
            now = time.monotonic()
            if now >= next_probe:
                self._connected = self._probe()
                next_probe = time.monotonic() + PROBE_EVERY

    def _probe(self) -> bool:
        try:
            self._producer.list_topics(timeout=1.0)
        except Exception:
            return False
        return True
