"""Is a Kafka broker answering? A real metadata request, never a port check or a sleep.

``require_broker`` is the one preflight every entry point (send, receive, bridges, worker) runs first, so
that no broker, refused credentials or an untrusted certificate is one clear line instead of client noise.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from confluent_kafka import KafkaError

from streamproc.errors import BrokerUnavailableError
from streamproc.kafka.clients import admin, check_access
from streamproc.settings import StreamprocSettings

PREFLIGHT_TIMEOUT = 5.0


def _target(broker: StreamprocSettings | str) -> StreamprocSettings:
    """A bare bootstrap address means a plaintext listener."""
    if isinstance(broker, StreamprocSettings):
        return broker
    return StreamprocSettings(bootstrap_servers=broker, kafka_security_protocol="PLAINTEXT")


def cluster_id(broker: StreamprocSettings | str, timeout: float = 1.0) -> str | None:
    """The cluster id of the broker answering (its settings, or a plaintext bootstrap address), or None
    when none answers in time. Gives up early once librdkafka reports every bootstrap server down."""
    down: list[KafkaError] = []
    client = admin(_target(broker), error_cb=down.append)  # while probing, failures are expected
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            metadata = client.list_topics(timeout=max(min(left, 0.25), 0.01))
        except Exception:
            client.poll(0)  # serves error_cb
            if left <= 0.25 or any(e.code() == KafkaError._ALL_BROKERS_DOWN for e in down):
                return None
            continue
        return str(metadata.cluster_id or "")  # answered; an old broker may not say its cluster id


def broker_answers(broker: StreamprocSettings | str, timeout: float = 1.0) -> bool:
    """True when a metadata request to ``broker`` is answered within ``timeout`` seconds."""
    return cluster_id(broker, timeout) is not None


def admitted(settings: StreamprocSettings, timeout: float = 10.0) -> None:
    """Raise KafkaSecurityError when the cluster refuses these credentials or its certificate is not
    trusted; a broker that is merely not answering yet is left to the caller."""
    with contextlib.suppress(BrokerUnavailableError):
        check_access(settings, timeout)


def require_broker(broker: StreamprocSettings | str, who: str, timeout: float = PREFLIGHT_TIMEOUT) -> None:
    """Raise one clear line (KafkaSecurityError, or BrokerUnavailableError saying which address and what
    to start) unless the broker answers with these settings."""
    target = _target(broker)
    if target.kafka_security_protocol != "PLAINTEXT":
        admitted(target)
    if cluster_id(target, timeout) is None:
        raise BrokerUnavailableError(no_broker_message(target.bootstrap_servers, who))


def no_broker_message(bootstrap: str, who: str) -> str:
    """The one line an operator sees when ``who`` (a command, or '' when the caller says it) finds none."""
    return (
        f"{who + ': ' if who else ''}no Kafka broker answers at {bootstrap}; start one with "
        "`streamproc kafka start` (or `make run`), or set STREAMPROC_BOOTSTRAP_SERVERS to a running broker"
    )


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
