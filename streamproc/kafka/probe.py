"""Is a Kafka broker answering? A real metadata request, never a port check or a sleep."""

from __future__ import annotations

import logging
from typing import Any

from confluent_kafka.admin import AdminClient

# librdkafka logs every refused connection while we probe; those lines say nothing to an operator.
_quiet = logging.getLogger("streamproc.kafka.probe.librdkafka")
_quiet.propagate = False
_quiet.addHandler(logging.NullHandler())


def broker_answers(bootstrap: str, timeout: float = 1.0) -> bool:
    """True when a metadata request to ``bootstrap`` is answered within ``timeout`` seconds."""
    return cluster_id(bootstrap, timeout) is not None


def cluster_id(bootstrap: str, timeout: float = 1.0) -> str | None:
    """The cluster id of the broker answering at ``bootstrap``, or None when none answers in time."""
    config: dict[str, Any] = {"bootstrap.servers": bootstrap, "logger": _quiet}
    client = AdminClient(config)
    try:
        metadata = client.list_topics(timeout=timeout)
    except Exception:
        return None
    return str(metadata.cluster_id or "")  # answered; an old broker may not say its cluster id
