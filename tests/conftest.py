"""Session fixtures: one real Kafka broker for the whole run, fresh topics per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.brokers import provide_broker
from tests.support.topics import create_topic, unique_name


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with provide_broker(tmp_path_factory.mktemp("kafka")) as bootstrap:
        yield bootstrap


@pytest.fixture
def topic_factory(kafka_bootstrap: str) -> Callable[..., str]:
    def make(partitions: int = 1, stem: str = "t") -> str:
        return create_topic(kafka_bootstrap, unique_name(stem), partitions)

    return make
