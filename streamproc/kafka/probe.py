"""Is a Kafka broker answering? A real metadata request, never a port check or a sleep.

``require_broker`` is the one preflight every entry point (send, receive, bridges, worker) runs first,
so that no broker means one clear line (which address, what to start) instead of client noise.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from confluent_kafka import KafkaError
from confluent_kafka.admin import AdminClient

from streamproc.errors import BrokerUnavailableError

# librdkafka logs every refused connection while we probe; those lines say nothing to an operator.
_quiet = logging.getLogger("streamproc.kafka.probe.librdkafka")
_quiet.propagate = False
_quiet.addHandler(logging.NullHandler())

PREFLIGHT_TIMEOUT = 5.0


def broker_answers(bootstrap: str, timeout: float = 1.0) -> bool:
    """True when a metadata request to ``bootstrap`` is answered within ``timeout`` seconds."""
    return cluster_id(bootstrap, timeout) is not None


def cluster_id(bootstrap: str, timeout: float = 1.0) -> str | None:
    """The cluster id of the broker answering at ``bootstrap``, or None when none answers in time.

    Gives up early once librdkafka reports every bootstrap server down (connection refused).
    """
    down: list[KafkaError] = []
    config: dict[str, Any] = {
        "bootstrap.servers": bootstrap,
        "logger": _quiet,
        "error_cb": down.append,
    }
    client = AdminClient(config)
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


def require_broker(bootstrap: str, who: str, timeout: float = PREFLIGHT_TIMEOUT) -> None:
    """Raise BrokerUnavailableError with one line saying which address and what to start."""
    if cluster_id(bootstrap, timeout) is None:
        raise BrokerUnavailableError(no_broker_message(bootstrap, who))


def no_broker_message(bootstrap: str, who: str) -> str:
    """The one line an operator sees when ``who`` (a command, or '' when the caller says it) finds none."""
    return (
        f"{who + ': ' if who else ''}no Kafka broker answers at {bootstrap}; start one with "
        "`streamproc kafka start` (or `make run`), or set STREAMPROC_BOOTSTRAP_SERVERS to a running broker"
    )
