"""Session fixtures: one real Kafka broker for the whole run, a real worker, fresh topics per test."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from bridges.catalog import ModelCatalog
from bridges.feed import PredictionFeed
from bridges.requestreply.requester import Requester
from streamproc.reference_models import DiabetesModel, IrisModel
from streamproc.reference_models.training import train_all
from streamproc.settings import REPO_ROOT, StreamprocSettings
from streamproc.wire.avro.store import SchemaStore
from tests.support.brokers import provide_broker, report_through
from tests.support.stack import running_worker, unique_settings
from tests.support.topics import create_topic, unique_name


@pytest.hookimpl(trylast=True)  # after the terminal reporter is registered
def pytest_configure(config: pytest.Config) -> None:
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if terminal is None or capture is None:
        return

    def write(line: str) -> None:
        with capture.global_and_fixture_disabled():  # fixtures run while output is being captured
            terminal.write_line(f"\n{line}", bold=True)

    report_through(write)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with provide_broker(tmp_path_factory.mktemp("kafka")) as bootstrap:
        yield bootstrap


@pytest.fixture
def topic_factory(kafka_bootstrap: str) -> Callable[..., str]:
    def make(partitions: int = 1, stem: str = "t") -> str:
        return create_topic(kafka_bootstrap, unique_name(stem), partitions)

    return make


@pytest.fixture(scope="session")
def stack_settings(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> StreamprocSettings:
    """Settings of the shared worker: a unique topic prefix on the session broker."""
    return unique_settings(kafka_bootstrap, tmp_path_factory.mktemp("state"))


@pytest.fixture(scope="session")
def worker(
    stack_settings: StreamprocSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `faust -A streamproc.app worker` serving both reference models, ready (in the catalog)."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with running_worker(stack_settings, log) as proc:
        yield proc


@pytest.fixture(scope="session")
async def catalog(
    worker: subprocess.Popen[bytes], stack_settings: StreamprocSettings
) -> AsyncIterator[ModelCatalog]:
    model_catalog = ModelCatalog(stack_settings)
    await model_catalog.start()
    assert await model_catalog.wait_ready(30), "the catalog topic could not be read"
    yield model_catalog
    await model_catalog.stop()


@pytest.fixture(scope="session")
async def requester(catalog: ModelCatalog, stack_settings: StreamprocSettings) -> AsyncIterator[Requester]:
    instance = Requester(stack_settings, catalog)
    await instance.start()
    yield instance
    await instance.stop()


@pytest.fixture(scope="session")
async def feed(catalog: ModelCatalog, stack_settings: StreamprocSettings) -> AsyncIterator[PredictionFeed]:
    """A started PredictionFeed that already follows both reference models' outputs."""
    prediction_feed = PredictionFeed(stack_settings, catalog)
    await prediction_feed.start()
    for model in ("iris_model", "diabetes_model"):
        prediction_feed.follow(model)
        assert await prediction_feed.wait_following(model, 30), f"the feed never followed {model}"
    yield prediction_feed
    await prediction_feed.stop()


@pytest.fixture(scope="session")
async def websocket_url(
    stack_settings: StreamprocSettings, catalog: ModelCatalog, requester: Requester, feed: PredictionFeed
) -> AsyncIterator[str]:
    """A WebSocket bridge (Socket.IO and the UI) on a free port, over the shared worker."""
    from bridges.lifecycle import running_app
    from bridges.websocket.app import build_websocket_app

    app = build_websocket_app(stack_settings, catalog, requester, feed)
    async with running_app(app, "127.0.0.1", 0) as url:
        yield url


# Reference models trained into a temporary directory (fast, no downloads).
@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("artifacts")
    train_all(directory)
    return directory


@pytest.fixture(scope="session")
def iris_model(artifacts_dir: Path) -> IrisModel:
    return IrisModel(model_path=artifacts_dir / "iris_model.joblib")


@pytest.fixture(scope="session")
def diabetes_model(artifacts_dir: Path) -> DiabetesModel:
    return DiabetesModel(model_path=artifacts_dir / "diabetes_model.joblib")


@pytest.fixture()
def committed_store() -> SchemaStore:
    return SchemaStore.from_directory(REPO_ROOT / "schemas")
