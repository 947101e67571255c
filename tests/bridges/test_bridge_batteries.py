"""Hostile and clumsy clients: every malformed request a client can be told about gets an error it can see
(Socket.IO, RPC), slow and vanished REST clients are closed without 5xx, metric labels stay bounded."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgpack
import pytest
import socketio
import zmq
import zmq.asyncio
from aiohttp.test_utils import TestClient, TestServer

import bridges.rest.prediction as rest_prediction
from bridges.rest.app import build_rest_app
from bridges.rpc.protocol import decode_event
from bridges.rpc.server import RpcServer
from bridges.rpc.service import build_rpc_server
from bridges.websocket.wire import ENGINE_HEADROOM

pytestmark = pytest.mark.broker
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
WAIT = 30


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def request(**overrides: Any) -> dict[str, Any]:
    return {"model_qualified_name": "iris_model", "input_data": SETOSA, **overrides}


@pytest.fixture
async def sio(websocket_url: str) -> AsyncIterator[socketio.AsyncClient]:
    client = socketio.AsyncClient()
    await client.connect(websocket_url, transports=["websocket"], wait_timeout=10)
    yield client
    await client.disconnect()


@pytest.mark.parametrize(
    ("args", "expected_type"),
    [
        (None, "DESERIALIZATION_ERROR"),  # no argument
        ((request(), "extra"), "DESERIALIZATION_ERROR"),  # two arguments
        ("[1, 2", "DESERIALIZATION_ERROR"),  # a string that is not JSON
        (request(input_data={**SETOSA, "deep": nested(300)}), "DESERIALIZATION_ERROR"),
        (request(input_data=[1, 2]), "DESERIALIZATION_ERROR"),
        (request(model_qualified_name=12), "DESERIALIZATION_ERROR"),
    ],
    ids=["no-argument", "extra-argument", "bad-json-string", "deep-nesting", "array-input", "bad-model-name"],
)
async def test_malformed_socketio_requests_get_an_error(
    sio: socketio.AsyncClient, args: Any, expected_type: str
) -> None:
    errors: list[dict[str, Any]] = []
    sio.on("prediction_error", errors.append)
    reply = await sio.call("prediction_request", args, timeout=WAIT)
    assert reply["type"] == expected_type, reply
    assert "Error" not in reply["message"] and "0x" not in reply["message"]  # no Python internals
    assert errors == [reply]  # the error event came too


async def test_a_packet_too_deep_for_the_json_parser_still_gets_an_error(sio: socketio.AsyncClient) -> None:
    errors: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sio.on("prediction_error", errors.put_nowait)
    depth = 5000  # deeper than Python's parser can go: the server's codec turns it into a marker
    await sio.eio.send('2["prediction_request",' + "[" * depth + "]" * depth + "]")  # a raw Socket.IO event
    reply = await asyncio.wait_for(errors.get(), WAIT)
    assert reply["type"] == "DESERIALIZATION_ERROR" and "nested too deep" in reply["message"]


async def test_a_json_string_request_is_answered_with_its_model_and_id(sio: socketio.AsyncClient) -> None:
    reply = await sio.call("prediction_request", json.dumps(request(correlation_id="c-1")), timeout=WAIT)
    assert reply == {
        "model_qualified_name": "iris_model",
        "prediction": {"species": "setosa"},
        "correlation_id": "c-1",
    }


async def test_an_oversize_request_gets_an_error_then_the_disconnect(
    websocket_url: str, stack_settings: Any
) -> None:
    client = socketio.AsyncClient()
    disconnected = asyncio.Event()
    client.on("disconnect", lambda *_: disconnected.set())
    await client.connect(websocket_url, transports=["websocket"], wait_timeout=10)
    try:
        padding = "x" * (stack_settings.max_body_bytes + 10)
        reply = await client.call(
            "prediction_request", request(input_data={**SETOSA, "p": padding}), timeout=WAIT
        )
        assert reply["type"] == "ERROR" and "over the size limit" in reply["message"]
        await asyncio.wait_for(disconnected.wait(), WAIT)
    finally:
        await client.disconnect()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_a_request_too_large_for_the_engine_gets_an_error_then_the_disconnect(
    websocket_url: str, stack_settings: Any, transport: str
) -> None:
    client = socketio.AsyncClient()
    errors: list[dict[str, Any]] = []
    answered, disconnected = asyncio.Event(), asyncio.Event()
    client.on("prediction_error", lambda error: (errors.append(error), answered.set()))
    client.on("disconnect", lambda *_: disconnected.set())
    await client.connect(websocket_url, transports=[transport], wait_timeout=10)
    try:
        padding = "x" * (stack_settings.max_body_bytes * ENGINE_HEADROOM + 10)  # the engine reads none of it
        await client.emit("prediction_request", request(input_data={**SETOSA, "p": padding}))
        await asyncio.wait_for(answered.wait(), WAIT)
        limit = stack_settings.max_body_bytes
        assert errors == [
            {
                "model_qualified_name": None,
                "type": "ERROR",
                "message": f"Request of more than {limit * ENGINE_HEADROOM} bytes is over the size limit "
                f"of {limit} bytes.",
            }
        ]
        await asyncio.wait_for(disconnected.wait(), WAIT)
    finally:
        await client.disconnect()


async def test_a_burst_over_the_polling_transport_is_answered_in_full(websocket_url: str) -> None:
    client = socketio.AsyncClient()
    await client.connect(websocket_url, transports=["polling"], wait_timeout=10)
    replies: list[dict[str, Any]] = []
    done = asyncio.Event()

    def collect(reply: dict[str, Any]) -> None:
        replies.append(reply)
        if len(replies) == 60:
            done.set()

    client.on("prediction_response", collect)
    try:
        for n in range(60):  # queued together: the client sends them in as few POSTs as it can
            await client.emit("prediction_request", request(correlation_id=str(n)))
        await asyncio.wait_for(done.wait(), WAIT)
        assert sorted(int(r["correlation_id"]) for r in replies) == list(range(60))
    finally:
        await client.disconnect()


async def test_socketio_metric_labels_name_only_catalogued_models(
    sio: socketio.AsyncClient, websocket_url: str
) -> None:
    import aiohttp

    for _ in range(3):
        await sio.call(
            "prediction_request", request(model_qualified_name=f"ghost-{uuid.uuid4().hex}"), timeout=WAIT
        )
    async with aiohttp.ClientSession() as session, session.get(f"{websocket_url}/metrics") as response:
        text = await response.text()
    assert "ghost-" not in text and 'model="unknown"' in text


@pytest.fixture
async def rpc(worker: Any, stack_settings: Any, catalog: Any, requester: Any) -> AsyncIterator[RpcServer]:
    server = build_rpc_server(stack_settings.model_copy(update={"rpc_port": 0}), catalog, requester)
    async with server:
        yield server


async def raw_rpc(endpoint: str, header: Any, name: Any, args: Any) -> tuple[str, Any]:
    context = zmq.asyncio.Context()
    sock = context.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    try:
        await sock.send_multipart([b"", msgpack.packb([header, name, args], use_bin_type=True)])
        while True:
            frames = await asyncio.wait_for(sock.recv_multipart(), WAIT)
            event = decode_event(frames[-1])
            if event.name != "_zpc_hb":
                return event.name, event.args
    finally:
        sock.close()
        context.term()


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("iris_model_predict", [{1: 5.1, 2: 3.5}], "MLModelSchemaValidationException"),  # integer keys
        ("iris_model_predict", [{**SETOSA, "deep": nested(900)}], "MLModelSchemaValidationException"),
        ("iris_model_predict", [{**SETOSA, "p": "x" * 1_000_000}], "ValueError"),  # over the limit
        (12, [SETOSA], "ProtocolError"),  # a method name that is not a string
    ],
    ids=["integer-keys", "deep-nesting", "oversize", "bad-method-name"],
)
async def test_rpc_answers_every_request_it_can_parse(
    rpc: RpcServer, name: Any, args: Any, expected: str
) -> None:
    header = {"message_id": uuid.uuid4().hex, "v": 3}
    event, reply = await raw_rpc(rpc.endpoint, header, name, args)
    assert event == "ERR"
    assert reply[0] == expected, reply
    assert "Recursion" not in reply[1] and "Traceback" not in reply[1]


@pytest.fixture
async def rest(worker: Any, stack_settings: Any, catalog: Any, requester: Any) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_rest_app(stack_settings, catalog, requester))) as client:
        yield client


async def test_a_slow_body_is_closed_with_408_and_a_vanished_client_is_not_a_5xx(
    rest: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rest_prediction, "BODY_TIMEOUT", 0.5)
    host, port = rest.server.host, rest.server.port
    path = "/api/models/iris_model/prediction"
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(head.encode() + b'{"sepal')  # and then nothing more
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), WAIT)
    assert b" 408 " in status_line
    writer.close()

    reader, writer = await asyncio.open_connection(host, port)
    writer.write(head.encode() + b'{"sepal')
    await writer.drain()
    writer.close()  # gone mid-body
    await writer.wait_closed()
    for _ in range(50):
        metrics = await (await rest.get("/metrics")).text()
        if 'status="499"' in metrics:
            break
        await asyncio.sleep(0.1)  # the server notices the closed connection on its own time
    assert (
        'status="499"' in metrics and 'endpoint="prediction",model="iris_model",status="500"' not in metrics
    )


async def test_a_push_for_a_bridge_request_carries_the_clients_correlation_id(
    sio: socketio.AsyncClient,
) -> None:
    pushes: list[dict[str, Any]] = []
    sio.on("prediction", pushes.append)
    assert (await sio.call("subscribe", {"model_qualified_name": "iris_model"}, timeout=WAIT))["ok"]
    mine = f"mine-{uuid.uuid4().hex}"
    reply = await sio.call("prediction_request", request(correlation_id=mine), timeout=WAIT)
    assert reply["correlation_id"] == mine
    for _ in range(100):
        if any(push["correlation_id"] == mine for push in pushes):
            break
        await asyncio.sleep(0.1)  # the push travels through the feed's own reader
    assert any(push["correlation_id"] == mine for push in pushes)


async def test_the_feed_reads_a_model_only_while_someone_follows_it(
    worker: Any, stack_settings: Any, catalog: Any
) -> None:
    from bridges.feed import PredictionFeed

    feed = PredictionFeed(stack_settings, catalog)
    await feed.start()
    try:
        assert feed.reading() == []
        feed.follow("iris_model")
        feed.follow("iris_model")
        assert await feed.wait_following("iris_model", WAIT)
        assert feed.reading() == ["iris_model"]
        feed.unfollow("iris_model")
        assert feed.reading() == ["iris_model"]  # one follower left
        feed.unfollow("iris_model")
        for _ in range(100):
            if not feed.reading():
                break
            await asyncio.sleep(0.05)  # the reader thread releases the topic on its next turn
        assert feed.reading() == []
    finally:
        await feed.stop()
