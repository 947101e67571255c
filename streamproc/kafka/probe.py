"""Is a Kafka broker answering? A real metadata request, never a port check or a sleep."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from confluent_kafka.admin import AdminClient

from streamproc.errors import BrokerUnavailableError

# librdkafka logs every refused connection while we probe; those lines say nothing to an operator.
_quiet = logging.getLogger("streamproc.kafka.probe.librdkafka")
_quiet.propagate = False
_quiet.addHandler(logging.NullHandler())


def broker_answers(bootstrap: str, timeout: float = 1.0) -> bool:
    """True when a metadata request to ``bootstrap`` is answered within ``timeout`` seconds."""
    config: dict[str, Any] = {"bootstrap.servers": bootstrap, "logger": _quiet}
    client = AdminClient(config)
    try:
        client.list_topics(timeout=timeout)
    except Exception:
        return False
    return True


def wait_for_broker(
    bootstrap: str, timeout: float, still_starting: Callable[[], bool] = lambda: True
) -> None:
    """Probe until the broker answers; give up after ``timeout`` s or when ``still_starting()`` is False."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and still_starting():
        if broker_answers(bootstrap, timeout=1.0):
            return
    raise BrokerUnavailableError(f"no Kafka broker answered at {bootstrap} within {timeout:.0f} s")
