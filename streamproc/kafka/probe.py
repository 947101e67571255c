"""Is a Kafka broker answering? A real metadata request, never a port check or a sleep."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from confluent_kafka import KafkaException

from streamproc.errors import BrokerUnavailableError
from streamproc.kafka.clients import admin, check_access
from streamproc.settings import StreamprocSettings


def _target(broker: StreamprocSettings | str) -> StreamprocSettings:
    """A bare bootstrap address means a plaintext listener."""
    if isinstance(broker, StreamprocSettings):
        return broker
    return StreamprocSettings(bootstrap_servers=broker, kafka_security_protocol="PLAINTEXT")


def broker_answers(broker: StreamprocSettings | str, timeout: float = 1.0) -> bool:
    """True when a metadata request to ``broker`` (its settings, or a plaintext bootstrap address) is
    answered within ``timeout`` seconds."""
    client = admin(_target(broker), error_cb=lambda _error: None)  # while probing, failures are expected
    try:
        client.list_topics(timeout=timeout)
    except KafkaException:
        return False
    return True


def admitted(settings: StreamprocSettings, timeout: float = 10.0) -> None:
    """Raise KafkaSecurityError when the cluster refuses these credentials or its certificate is not
    trusted; a broker that is merely not answering yet is left to the clients' own retries."""
    with contextlib.suppress(BrokerUnavailableError):
        check_access(settings, timeout)


def wait_for_broker(
    broker: StreamprocSettings | str, timeout: float, still_starting: Callable[[], bool] = lambda: True
) -> None:
    """Probe until the broker answers; give up after ``timeout`` s or when ``still_starting()`` is False."""
    target = _target(broker)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and still_starting():
        if broker_answers(target, timeout=1.0):
            return
    raise BrokerUnavailableError(
        f"no Kafka broker answered at {target.bootstrap_servers} within {timeout:.0f} s"
    )
