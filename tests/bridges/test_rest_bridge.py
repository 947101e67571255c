"""The REST bridge end to end: HTTP client → bridge → Kafka → real worker → reply.

Bodies are compared with what rest_model_service 0.6 answers for the same models (see
/work/notes/rest_model_service.md); predictions with the same model called in-process.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sklearn.datasets import load_diabetes, load_iris

from bridges.catalog import ModelCatalog
from bridges.requestreply.requester import Requester
from bridges.rest.app import build_rest_app
from bridges.rest.service import rest_bridge
from streamproc.reference_models.diabetes import DiabetesModel
from streamproc.reference_models.iris import IrisModel
from streamproc.settings import StreamprocSettings
from tests.support.catalog import publish_unserved
from tests.support.rest_fuzz import fuzz

pytestmark = pytest.mark.broker

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
IRIS_PATH = "/api/models/iris_model/prediction"
DIABETES_PATH = "/api/models/diabetes_model/prediction"
DIABETES_FIELDS = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")


@asynccontextmanager
async def served(app: web.Application) -> AsyncIterator[TestClient]:
    """The app on a real socket at 127.0.0.1:<free port>, with a client for it."""
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


@pytest.fixture
async def rest(worker: Any, stack_settings: StreamprocSettings, catalog: Any, requester: Any):
    settings = stack_settings.model_copy(update={"request_timeout": 30.0})
    async with served(build_rest_app(settings, catalog, requester)) as client:
        yield client


def iris_inputs() -> list[dict[str, float]]:
    names = ("sepal_length", "sepal_width", "petal_length", "petal_width")
    return [dict(zip(names, map(float, row), strict=True)) for row in load_iris().data]


def diabetes_inputs() -> list[dict[str, float | int]]:
    rows = load_diabetes(scaled=False).data
    return [
        {
            name: (int(value) if name == "sex" else float(value))
            for name, value in zip(DIABETES_FIELDS, row, strict=True)
        }
        for row in rows
    ]


def expected_metadata(model: Any) -> dict[str, Any]:
    """What rest_model_service 0.6 answers on GET /api/models/{qn}/metadata for this model."""
    return {
        "display_name": model.display_name,
        "qualified_name": model.qualified_name,
        "description": model.description,
        "version": model.version,
        "input_schema": model.input_schema.model_json_schema(),
        "output_schema": model.output_schema.model_json_schema(),
    }


async def test_iris_prediction_is_setosa(rest: TestClient) -> None:
    response = await rest.post(IRIS_PATH, json=SETOSA)
    assert response.status == 200
    assert await response.json() == {"species": "setosa"}


async def test_models_and_metadata_bodies_match_rest_model_service(rest: TestClient) -> None:
    models = (await (await rest.get("/api/models")).json())["models"]
    by_name = {model["qualified_name"]: model for model in models}
    for model in (IrisModel, DiabetesModel):
        expected = expected_metadata(model)
        details = {key: expected[key] for key in ("display_name", "qualified_name", "description", "version")}
        assert by_name[model.qualified_name] == details
        assert list(by_name[model.qualified_name]) == list(details)  # same key order
        response = await rest.get(f"/api/models/{model.qualified_name}/metadata")
        assert response.status == 200
        assert await response.json() == expected


async def test_bad_bodies_are_400_naming_each_field(rest: TestClient) -> None:
    missing = {k: v for k, v in SETOSA.items() if k != "petal_width"}
    cases = [
        (missing, ["Field 'petal_width' has error: Field required"]),
        (
            {**SETOSA, "sepal_length": "long"},
            ["Field 'sepal_length' has error: Input should be a valid number"],
        ),
        (
            {**SETOSA, "sepal_width": 11.0},
            ["Field 'sepal_width' has error: Input should be less than or equal to 10"],
        ),
    ]
    for body, messages in cases:
        response = await rest.post(IRIS_PATH, json=body)
        assert response.status == 400
        body = await response.json()
        assert body["type"] == "ValidationError"
        assert len(body["messages"]) == 1
        assert body["messages"][0].startswith(messages[0])  # the bound may print as 10 or 10.0


async def test_unknown_model_is_404(rest: TestClient) -> None:
    for response in (
        await rest.post("/api/models/nope/prediction", json=SETOSA),
        await rest.get("/api/models/nope/metadata"),
    ):
        assert response.status == 404
        assert await response.json() == {"type": "NotFoundError", "messages": ["Model 'nope' not found."]}


async def test_body_over_the_limit_is_413(rest: TestClient, stack_settings: StreamprocSettings) -> None:
    response = await rest.post(IRIS_PATH, json={**SETOSA, "pad": "x" * stack_settings.max_body_bytes})
    assert response.status == 413
    assert (await response.json())["type"] == "PayloadTooLargeError"


async def test_health_reflects_broker_and_catalog(rest: TestClient) -> None:
    for path, body in (
        ("/api/health", {"health_status": "HEALTHY"}),
        ("/api/health/ready", {"readiness_status": "ACCEPTING_TRAFFIC"}),
        ("/api/health/startup", {"startup_status": "STARTED"}),
    ):
        response = await rest.get(path)
        assert (response.status, await response.json()) == (200, body)


async def test_unreachable_broker_is_503_within_the_timeout(
    worker: Any, stack_settings: StreamprocSettings, catalog: Any
) -> None:
    settings = stack_settings.model_copy(update={"bootstrap_servers": "127.0.0.1:1", "request_timeout": 3.0})
    requester = Requester(settings, catalog)
    await requester.start()
    try:
        async with served(build_rest_app(settings, catalog, requester)) as client:
            started = time.monotonic()
            response = await client.post(IRIS_PATH, json=SETOSA)
            elapsed = time.monotonic() - started
            assert response.status == 503
            assert (await response.json())["type"] == "ServiceUnavailableError"
            assert elapsed < settings.request_timeout + 1.0
            health = await client.get("/api/health")
            assert (health.status, await health.json()) == (503, {"health_status": "NOT_HEALTHY"})
            ready = await client.get("/api/health/ready")
            assert (ready.status, await ready.json()) == (503, {"readiness_status": "REFUSING_TRAFFIC"})
            model = await client.get("/api/health/models/iris_model")
            assert (await model.json())["reason"] == "broker unreachable"
    finally:
        await requester.stop()


async def test_no_worker_is_504_after_the_timeout(
    worker: Any, stack_settings: StreamprocSettings, catalog: Any
) -> None:
    # Own prefix: the orphan must not appear in the catalog other tests share.
    settings = stack_settings.model_copy(
        update={"topic_prefix": f"rest504_{uuid.uuid4().hex[:8]}", "request_timeout": 1.0}
    )
    await asyncio.to_thread(publish_unserved, settings, catalog.get("iris_model"), "orphan_model")
    orphan_catalog = ModelCatalog(settings)
    seen = asyncio.Event()
    orphan_catalog.add_listener(lambda entry: seen.set() if entry.qualified_name == "orphan_model" else None)
    await orphan_catalog.start()
    requester = Requester(settings, orphan_catalog)
    try:
        await asyncio.wait_for(seen.wait(), 30)
        await requester.start()
        async with served(build_rest_app(settings, orphan_catalog, requester)) as client:
            started = time.monotonic()
            response = await client.post("/api/models/orphan_model/prediction", json=SETOSA)
            elapsed = time.monotonic() - started
            assert response.status == 504
            assert (await response.json())["type"] == "TimeoutError"
            assert settings.request_timeout <= elapsed < settings.request_timeout + 2.0
            metrics = await (await client.get("/metrics")).text()
            assert 'streamproc_rest_reply_timeouts_total{model="orphan_model"} 1.0' in metrics
    finally:
        await requester.stop()
        await orphan_catalog.stop()


def in_process_answers() -> tuple[list[tuple[str, dict[str, Any]]], list[dict[str, Any]]]:
    """200 requests across both models, and what each model answers when called directly."""
    iris, diabetes = IrisModel(), DiabetesModel()
    requests = [(IRIS_PATH, body) for body in iris_inputs()[::3][:50] + iris_inputs()[1::3][:50]]
    requests += [(DIABETES_PATH, body) for body in diabetes_inputs()[:100]]
    expected = [
        (iris if path == IRIS_PATH else diabetes).predict(body).model_dump(mode="json")
        for path, body in requests
    ]
    return requests, expected


async def answers(client: TestClient, requests: list[tuple[str, dict[str, Any]]]) -> list[tuple[int, Any]]:
    async def one(path: str, body: dict[str, Any]) -> tuple[int, Any]:
        response = await client.post(path, json=body)
        return response.status, await response.json()

    return await asyncio.gather(*(one(path, body) for path, body in requests))


def assert_same(got: list[tuple[int, Any]], expected: list[dict[str, Any]]) -> None:
    assert [status for status, _ in got] == [200] * len(expected)
    for (_, body), want in zip(got, expected, strict=True):
        if "disease_progression" in want:
            assert body["disease_progression"] == pytest.approx(want["disease_progression"], rel=1e-9)
        else:
            assert body == want


async def test_200_concurrent_requests_match_the_model_in_process(rest: TestClient) -> None:
    requests, expected = await asyncio.to_thread(in_process_answers)
    assert len(requests) == 200
    assert_same(await answers(rest, requests), expected)


async def test_two_bridge_instances_each_get_their_own_replies(
    rest: TestClient, stack_settings: StreamprocSettings, catalog: Any
) -> None:
    requests, expected = await asyncio.to_thread(in_process_answers)
    settings = stack_settings.model_copy(update={"request_timeout": 30.0})
    second = Requester(settings, catalog)
    await second.start()
    try:
        async with served(build_rest_app(settings, catalog, second)) as other:
            first_half, second_half = await asyncio.gather(
                answers(rest, requests[::2]), answers(other, requests[1::2])
            )
        assert_same(first_half, expected[::2])
        assert_same(second_half, expected[1::2])
    finally:
        await second.stop()


async def test_schemathesis_finds_no_server_errors(rest: TestClient) -> None:
    document = await (await rest.get("/openapi.json")).json()
    assert {"/api/models/iris_model/prediction", "/api/models/diabetes_model/prediction"} <= set(
        document["paths"]
    )
    base_url = str(rest.make_url("")).rstrip("/")
    failures = await asyncio.to_thread(fuzz, document, base_url, 50)
    assert failures == []
    metrics = await (await rest.get("/metrics")).text()
    answered = {
        line.split("} ")[0] + "}": float(line.split("} ")[1])
        for line in metrics.splitlines()
        if line.startswith('streamproc_rest_requests_total{endpoint="prediction"')
    }
    assert sum(answered.values()) >= 100  # the fuzzer really exercised both models
    assert not [labels for labels in answered if 'status="5' in labels]


async def test_rest_bridge_service_starts_its_own_parts_and_stops(
    worker: Any, stack_settings: StreamprocSettings
) -> None:
    bridge = rest_bridge(stack_settings, "127.0.0.1", 0)
    url = await bridge.start()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert await bridge.catalog.wait_ready(30)
        async with aiohttp.ClientSession() as session:
            async with session.post(url + IRIS_PATH, json=SETOSA) as response:
                assert (response.status, await response.json()) == (200, {"species": "setosa"})
            async with session.get(url + "/", allow_redirects=False) as response:
                assert (response.status, response.headers["Location"]) == (307, "/docs")
    finally:
        await bridge.stop()
