"""One SASL_SSL (SCRAM-SHA-512) broker and one worker on it for the security tests; bridges' parts on it."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Iterator

import pytest

from bridges.catalog import ModelCatalog
from bridges.feed import PredictionFeed
from bridges.requestreply.requester import Requester
from streamproc.dev.localkafka import LocalKafka
from streamproc.settings import StreamprocSettings
from tests.support.secured import secured_broker
from tests.support.stack import running_worker, unique_settings


@pytest.fixture(scope="session")
def sasl_ssl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    with secured_broker("sasl_ssl", tmp_path_factory.mktemp("kafka-sasl-ssl")) as broker:
        yield broker


@pytest.fixture(scope="session")
def secured(sasl_ssl_broker: LocalKafka, tmp_path_factory: pytest.TempPathFactory) -> StreamprocSettings:
    """Client settings of the SASL_SSL broker, with a unique topic prefix."""
    client = sasl_ssl_broker.client
    security = {
        name: value
        for name, value in client
        if name.startswith(("kafka_security", "kafka_sasl", "kafka_ssl"))
    }
    return unique_settings(client.bootstrap_servers, tmp_path_factory.mktemp("secured-state"), **security)


@pytest.fixture(scope="session")
def secured_worker(
    secured: StreamprocSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[subprocess.Popen[bytes]]:
    with running_worker(secured, tmp_path_factory.mktemp("secured-worker") / "worker.log") as proc:
        yield proc


@pytest.fixture(scope="session")
async def secured_catalog(
    secured_worker: subprocess.Popen[bytes], secured: StreamprocSettings
) -> AsyncIterator[ModelCatalog]:
    catalog = ModelCatalog(secured)
    await catalog.start()
    assert await catalog.wait_ready(30), "the catalog topic could not be read over SASL_SSL"
    yield catalog
    await catalog.stop()


@pytest.fixture(scope="session")
async def secured_requester(
    secured_catalog: ModelCatalog, secured: StreamprocSettings
) -> AsyncIterator[Requester]:
    requester = Requester(secured, secured_catalog)
    await requester.start()
    yield requester
    await requester.stop()


@pytest.fixture(scope="session")
async def secured_feed(
    secured_catalog: ModelCatalog, secured: StreamprocSettings
) -> AsyncIterator[PredictionFeed]:
    feed = PredictionFeed(secured, secured_catalog)
    await feed.start()
    feed.follow("iris_model")  # the feed reads a model only while followed
    assert await feed.wait_following("iris_model", 30), "the feed never followed iris_model over SASL_SSL"
    yield feed
    await feed.stop()
