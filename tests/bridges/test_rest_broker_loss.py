"""The REST bridge on a broker of its own: models appear without a restart; a stopped broker is 503."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bridges.catalog import ModelCatalog
from bridges.requestreply.requester import Requester
from bridges.rest.app import build_rest_app
from streamproc.dev.localkafka import LocalKafka
from streamproc.settings import REPO_ROOT, StreamprocSettings
from tests.support.brokers import free_port
from tests.support.catalog import publish_unserved

pytestmark = pytest.mark.broker
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


async def until(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "condition never held"
        await asyncio.sleep(0.2)  # polling interval between real HTTP probes


async def test_models_appear_live_and_a_stopped_broker_answers_503(
    tmp_path: Path, stack_settings: StreamprocSettings, catalog: ModelCatalog
) -> None:
    template = catalog.get("iris_model")
    broker = LocalKafka(REPO_ROOT / ".streamproc", stack_settings.kafka_version, free_port(), free_port(),
                        data_dir=tmp_path / "broker")  # fmt: skip
    bootstrap = (await asyncio.to_thread(broker.start)).bootstrap
    assert bootstrap is not None
    settings = stack_settings.model_copy(update={"bootstrap_servers": bootstrap, "request_timeout": 3.0})
    own_catalog = ModelCatalog(settings)
    requester = Requester(settings, own_catalog)
    try:
        await asyncio.to_thread(publish_unserved, settings, template, "first_model")
        await own_catalog.start()
        assert await own_catalog.wait_ready(30)
        await requester.start()
        async with TestClient(TestServer(build_rest_app(settings, own_catalog, requester))) as client:

            async def listed() -> set[str]:
                body = await (await client.get("/api/models")).json()
                return {model["qualified_name"] for model in body["models"]}

            assert await listed() == {"first_model"}
            await asyncio.to_thread(publish_unserved, settings, template, "second_model")

            async def second_listed() -> bool:
                return await listed() == {"first_model", "second_model"}

            await until(second_listed, 30)
            metadata = await client.get("/api/models/second_model/metadata")
            assert metadata.status == 200 and (await metadata.json())["display_name"] == "Second Model"

            await asyncio.to_thread(broker.stop)
            started = time.monotonic()
            response = await client.post("/api/models/first_model/prediction", json=SETOSA)
            elapsed = time.monotonic() - started
            assert response.status == 503, await response.text()
            body = await response.json()
            assert body["type"] == "ServiceUnavailableError" and body["messages"]
            assert elapsed < settings.request_timeout + 1.0

            async def unhealthy() -> bool:
                return (await client.get("/api/health")).status == 503

            await until(unhealthy, 10)
    finally:
        await requester.stop()
        await own_catalog.stop()
        await asyncio.to_thread(broker.stop)
