"""Create uniquely named topics for a test and wait until the broker knows them."""

from __future__ import annotations

import time
import uuid

from confluent_kafka.admin import AdminClient, NewTopic


def unique_name(stem: str = "t") -> str:
    return f"test.{stem}.{uuid.uuid4().hex[:10]}"


def create_topic(bootstrap: str, name: str, partitions: int = 1, timeout: float = 30.0) -> str:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
    futures[name].result(timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # metadata propagates asynchronously after creation
        topic = admin.list_topics(topic=name, timeout=5).topics.get(name)
        if topic is not None and topic.error is None and len(topic.partitions) == partitions:
            return name
    raise TimeoutError(f"topic {name} was created but never appeared in metadata")
