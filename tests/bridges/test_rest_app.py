"""The REST app's HTTP behaviour over an in-memory catalog and a function requester (no Kafka).

The same behaviour against the real broker and worker is in tests/test_rest_bridge.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bridges.rest.app import METRICS_KEY, build_rest_app
from streamproc.errors import BrokerUnavailableError, FieldIssue, ModelError, ReplyTimeoutError, SchemaError
from streamproc.settings import StreamprocSettings
from tests.support.rest_fakes import FunctionRequester, MemoryCatalog, flower_entry, value_entry

SETTINGS = StreamprocSettings(max_body_bytes=2048, request_timeout=1.5)
GOOD = {"sepal_length": 5.1, "petal_width": 0.2}


class Scripted:
    """Answers predictions with ``result``, or raises it when it is an exception."""

    def __init__(self) -> None:
        self.result: Any = {"species": "red", "score": 0.9}

    async def __call__(self, qualified_name: str, payload: dict[str, Any]) -> dict[str, Any]:
        if isinstance(self.result, Exception):
            raise self.result
        return dict(self.result)


@pytest.fixture
def script() -> Scripted:
    return Scripted()


@pytest.fixture
def requester(script: Scripted) -> FunctionRequester:
    return FunctionRequester(script)


@pytest.fixture
def catalog() -> MemoryCatalog:
    return MemoryCatalog([flower_entry(), value_entry()])


@pytest.fixture
async def client(catalog: MemoryCatalog, requester: FunctionRequester) -> AsyncIterator[TestClient]:
    app = build_rest_app(SETTINGS, catalog, requester)  # type: ignore[arg-type]
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def test_root_redirects_to_docs(client: TestClient) -> None:
    response = await client.get("/", allow_redirects=False)
    assert response.status == 307
    assert response.headers["Location"] == "/docs"


async def test_docs_page_uses_local_swagger_ui(client: TestClient) -> None:
    page = await (await client.get("/docs")).text()
    assert "/docs/static/swagger-ui-bundle.js" in page and "/openapi.json" in page
    assert "http" not in page.split("<body>")[1]  # nothing fetched from elsewhere
    script = await client.get("/docs/static/swagger-ui-bundle.js")
    assert script.status == 200
    assert "SwaggerUIBundle" in await script.text()


async def test_openapi_lists_catalogued_models(client: TestClient) -> None:
    document = await (await client.get("/openapi.json")).json()
    assert "/api/models/flower_model/prediction" in document["paths"]
    assert "/api/models/value_model/prediction" in document["paths"]


async def test_models_and_metadata_bodies(client: TestClient) -> None:
    models = await (await client.get("/api/models")).json()
    assert models == {
        "models": [
            {
                "display_name": "Flower Model",
                "qualified_name": "flower_model",
                "description": "The flower_model test model.",
                "version": "0.1.0",
            },
            {
                "display_name": "Value Model",
                "qualified_name": "value_model",
                "description": "The value_model test model.",
                "version": "1.2.3",
            },
        ]
    }
    metadata = await (await client.get("/api/models/value_model/metadata")).json()
    assert list(metadata) == [
        "display_name",
        "qualified_name",
        "description",
        "version",
        "input_schema",
        "output_schema",
    ]
    assert metadata["input_schema"] == value_entry().input_schema


async def test_unknown_model_is_404(client: TestClient) -> None:
    for response in (
        await client.get("/api/models/nope/metadata"),
        await client.post("/api/models/nope/prediction", json=GOOD),
    ):
        assert response.status == 404
        assert await response.json() == {"type": "NotFoundError", "messages": ["Model 'nope' not found."]}


async def test_prediction_goes_through_requester(client: TestClient, requester: FunctionRequester) -> None:
    response = await client.post("/api/models/flower_model/prediction", json=GOOD)
    assert response.status == 200
    assert await response.json() == {"species": "red", "score": 0.9}
    assert requester.calls == [("flower_model", GOOD, 1.5)]


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'{"x": NaN}', b"\xff\xfe", b"[" * 900 + b"]" * 900]
)
async def test_undecodable_bodies_are_400_and_never_sent(
    client: TestClient, requester: FunctionRequester, body: bytes
) -> None:
    response = await client.post(
        "/api/models/flower_model/prediction", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    answer = await response.json()
    assert answer["type"] == "ValidationError" and answer["messages"]
    assert "Error" not in answer["messages"][0] and "0x" not in answer["messages"][0]  # no Python internals
    assert requester.calls == []


async def test_body_over_limit_is_413(client: TestClient, requester: FunctionRequester) -> None:
    response = await client.post(
        "/api/models/flower_model/prediction", json={**GOOD, "padding": "x" * SETTINGS.max_body_bytes}
    )
    assert response.status == 413
    assert (await response.json())["type"] == "PayloadTooLargeError"
    assert requester.calls == []


@pytest.mark.parametrize(
    ("failure", "status", "error_type", "messages"),
    [
        (BrokerUnavailableError("Kafka broker unreachable."), 503, "ServiceUnavailableError", None),
        (ReplyTimeoutError("No reply within 1.5 s."), 504, "TimeoutError", None),
        (ModelError("model exploded"), 500, "ServiceError", ["model exploded"]),
        (
            SchemaError("bad", [FieldIssue("sepal_length", "must be sensible")]),
            400,
            "ValidationError",
            ["Field 'sepal_length' has error: must be sensible"],
        ),
        (RuntimeError("secret"), 500, "ServiceError", ["Internal server error."]),
    ],
)
async def test_requester_failures_map_through_the_table(
    client: TestClient, script: Scripted, failure: Exception, status: int, error_type: str, messages: Any
) -> None:
    script.result = failure
    response = await client.post("/api/models/flower_model/prediction", json=GOOD)
    assert response.status == status
    body = await response.json()
    assert body["type"] == error_type
    assert body["messages"] == (messages or [str(failure)])


async def test_health_follows_broker_and_catalog(
    client: TestClient, catalog: MemoryCatalog, requester: FunctionRequester
) -> None:
    async def bodies() -> list[tuple[int, dict[str, str]]]:
        paths = ("/api/health", "/api/health/ready", "/api/health/startup")
        return [((r := await client.get(path)).status, await r.json()) for path in paths]

    assert await bodies() == [
        (200, {"health_status": "HEALTHY"}),
        (200, {"readiness_status": "ACCEPTING_TRAFFIC"}),
        (200, {"startup_status": "STARTED"}),
    ]
    requester.connected = False
    catalog.ready = False
    assert await bodies() == [
        (503, {"health_status": "NOT_HEALTHY"}),
        (503, {"readiness_status": "REFUSING_TRAFFIC"}),
        (503, {"startup_status": "NOT_STARTED"}),
    ]


async def test_model_health_tells_broker_unreachable_from_model_unpublished(
    client: TestClient, catalog: MemoryCatalog, requester: FunctionRequester
) -> None:
    async def answer(name: str) -> tuple[int, dict[str, str]]:
        response = await client.get(f"/api/health/models/{name}")
        return response.status, await response.json()

    assert await answer("flower_model") == (200, {"health_status": "HEALTHY"})
    unpublished = {"health_status": "NOT_HEALTHY", "reason": "no worker has published this model"}
    assert await answer("churn_model") == (503, unpublished)
    requester.connected = False
    assert await answer("flower_model") == (
        503,
        {"health_status": "NOT_HEALTHY", "reason": "broker unreachable"},
    )


async def test_unknown_route_and_method_use_error_shape(client: TestClient) -> None:
    response = await client.get("/api/nothing")
    assert response.status == 404
    assert (await response.json())["type"] == "NotFoundError"
    response = await client.delete("/api/models")
    assert response.status == 405
    assert "GET" in response.headers["Allow"]


async def test_metrics_count_requests_per_app(
    client: TestClient, script: Scripted, requester: FunctionRequester
) -> None:
    requester.pending.counters.late = 2
    await client.post("/api/models/flower_model/prediction", json=GOOD)
    script.result = ReplyTimeoutError("late")
    await client.post("/api/models/flower_model/prediction", json=GOOD)
    text = await (await client.get("/metrics")).text()
    assert (
        'streamproc_rest_requests_total{endpoint="prediction",model="flower_model",status="200"} 1.0' in text
    )
    assert 'streamproc_rest_reply_timeouts_total{model="flower_model"} 1.0' in text
    assert "streamproc_rest_pending_replies 0.0" in text
    assert "streamproc_rest_late_replies_total 2.0" in text
    other = build_rest_app(SETTINGS, MemoryCatalog([]), FunctionRequester(script))  # type: ignore[arg-type]
    assert other[METRICS_KEY].registry is not client.app[METRICS_KEY].registry  # type: ignore[index]
