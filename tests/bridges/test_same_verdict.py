"""REST, Socket.IO and RPC give the same verdict for the same input: accepted, or the same error class with
the same field issues (one data plane, and the field-level judgement is the worker's own)."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio
from aiohttp.test_utils import TestClient, TestServer

from bridges.rest.app import build_rest_app
from bridges.rpc.service import build_rpc_server
from tests.support.rpc_client import run_client

pytestmark = pytest.mark.broker
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


INPUTS: list[tuple[str, Any]] = [
    ("valid", SETOSA),
    ("integers", {"sepal_length": 5, "sepal_width": 3, "petal_length": 1, "petal_width": 1}),
    ("extra-field", {**SETOSA, "colour": "blue"}),
    ("numeric-string", {**SETOSA, "sepal_length": "5.1"}),
    ("word-string", {**SETOSA, "sepal_length": "long"}),
    ("boolean", {**SETOSA, "sepal_length": True}),
    ("null-field", {**SETOSA, "sepal_length": None}),
    ("negative", {**SETOSA, "petal_width": -1}),
    ("zero", {**SETOSA, "petal_width": 0}),
    ("over-bound", {**SETOSA, "sepal_width": 11.0}),
    ("missing-one", {k: v for k, v in SETOSA.items() if k != "petal_width"}),
    ("empty-object", {}),
    ("array-field", {**SETOSA, "sepal_length": [5.1]}),
    ("object-field", {**SETOSA, "sepal_length": {"v": 5.1}}),
    ("two-bad-fields", {**SETOSA, "sepal_length": "x", "petal_width": 99}),
    ("nan", {**SETOSA, "sepal_length": math.nan}),
    ("infinity", {**SETOSA, "sepal_length": math.inf}),
    ("array-input", [5.1, 3.5, 1.4, 0.2]),
    ("string-input", "5.1,3.5,1.4,0.2"),
    ("number-input", 5.1),
    ("null-input", None),
    ("deep-nesting", {**SETOSA, "extra": nested(200)}),
    ("unicode-extra", {**SETOSA, "note": "🌸 ünïcode"}),
]


def verdict(kind: str, lines: list[str]) -> tuple[str, tuple[str, ...]]:
    """``(kind, field lines)``: ``ok``, or ``invalid`` with each ``Field 'x' has error: ...`` line."""
    return kind, tuple(sorted(line for line in lines if line.startswith("Field '")))


@pytest.fixture
async def rest(worker: Any, stack_settings: Any, catalog: Any, requester: Any) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_rest_app(stack_settings, catalog, requester))) as client:
        yield client


async def rest_verdicts(rest: TestClient) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for _, data in INPUTS:
        body = json.dumps(data).encode()  # NaN and Infinity as Python writes them: not JSON
        response = await rest.post(
            "/api/models/iris_model/prediction", data=body, headers={"Content-Type": "application/json"}
        )
        answer = await response.json()
        assert response.status in (200, 400), answer
        out.append(verdict("ok", []) if response.status == 200 else verdict("invalid", answer["messages"]))
    return out


async def socketio_verdicts(url: str) -> list[tuple[str, tuple[str, ...]]]:
    client = socketio.AsyncClient()
    await client.connect(url, transports=["websocket"], wait_timeout=10)
    out = []
    try:
        for _, data in INPUTS:
            request = {"model_qualified_name": "iris_model", "input_data": data}
            reply = await client.call("prediction_request", request, timeout=30)
            if "prediction" in reply:
                out.append(verdict("ok", []))
            else:
                assert reply["type"] in ("SCHEMA_ERROR", "DESERIALIZATION_ERROR"), reply
                out.append(verdict("invalid", reply["message"].split("; ")))
    finally:
        await client.disconnect()
    return out


async def rpc_verdicts(
    stack_settings: Any, catalog: Any, requester: Any
) -> list[tuple[str, tuple[str, ...]]]:
    server = build_rpc_server(stack_settings.model_copy(update={"rpc_port": 0}), catalog, requester)
    async with server:
        results = await run_client(server.endpoint, [("iris_model_predict", [data]) for _, data in INPUTS])
    out = []
    for result in results:
        if "ok" in result:
            out.append(verdict("ok", []))
        else:
            name, message = result["error"]
            assert name == "MLModelSchemaValidationException", result
            out.append(verdict("invalid", message.split("; ")))
    return out


async def test_rest_socketio_and_rpc_give_the_same_verdict_for_every_input(
    rest: TestClient, websocket_url: str, stack_settings: Any, catalog: Any, requester: Any
) -> None:
    by_rest = await rest_verdicts(rest)
    by_socketio = await socketio_verdicts(websocket_url)
    by_rpc = await rpc_verdicts(stack_settings, catalog, requester)
    for (name, _), a, b, c in zip(INPUTS, by_rest, by_socketio, by_rpc, strict=True):
        assert a == b == c, f"{name}: REST {a}, Socket.IO {b}, RPC {c}"
    verdicts = dict(zip((name for name, _ in INPUTS), by_rest, strict=True))
    assert verdicts["valid"] == ("ok", ())
    assert verdicts["over-bound"][0] == "invalid" and "sepal_width" in verdicts["over-bound"][1][0]
    assert len(verdicts["two-bad-fields"][1]) == 2
    assert {kind for kind, _ in verdicts.values()} == {"ok", "invalid"}
