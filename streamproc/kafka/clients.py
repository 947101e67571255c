"""confluent-kafka producers and readers for the CLI and the bridges (the worker uses aiokafka)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from confluent_kafka import Consumer, Producer

from streamproc.settings import StreamprocSettings

# librdkafka reports every refused connection; the caller decides what an operator needs to see.
_librdkafka_log = logging.getLogger("streamproc.librdkafka")


def _not_transient(record: logging.LogRecord) -> bool:
    """Drop what librdkafka retries by itself right after a broker starts ("Coordinator load in progress")."""
    return "load in progress" not in record.getMessage().lower()


_librdkafka_log.addFilter(_not_transient)


def producer(settings: StreamprocSettings, **overrides: Any) -> Producer:
    config = {
        "bootstrap.servers": settings.bootstrap_servers,
        "linger.ms": 1,
        "enable.idempotence": True,
        "logger": _librdkafka_log,
        **overrides,
    }
    return Producer(config)


def reader(settings: StreamprocSettings, **overrides: Any) -> Consumer:
    """A consumer for ``assign()``: no group membership, no commits."""
    config = {
        "bootstrap.servers": settings.bootstrap_servers,
        "group.id": f"streamproc-reader-{uuid.uuid4().hex}",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "fetch.wait.max.ms": 100,
        "logger": _librdkafka_log,
        **overrides,
    }
    return Consumer(config)
