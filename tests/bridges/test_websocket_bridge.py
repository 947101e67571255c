"""The WebSocket bridge over the real broker and worker: Socket.IO requests, errors, live subscriptions.

Also the per-client buffers (``bridges.websocket.fanout``) on their own: a slow client loses its oldest
events, counted, and never holds up the others.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import socketio
from confluent_kafka import Producer

from bridges.catalog import ModelCatalog
from bridges.feed import PredictionFeed
from bridges.lifecycle import running_app, serve
from bridges.requestreply.requester import Requester
from bridges.websocket.app import build_websocket_app
from bridges.websocket.fanout import ClientBuffer, Fanout
from bridges.websocket.service import websocket_bridge
from streamproc.settings import StreamprocSettings
from streamproc.wire.headers import CONTENT_TYPE, CONTENT_TYPE_JSON, CORRELATION_ID
from tests.support.catalog import publish_unserved

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VERSICOLOR = {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 4.2, "petal_width": 1.5}
VIRGINICA = {"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}
EXPECTED = [(SETOSA, "setosa"), (VERSICOLOR, "versicolor"), (VIRGINICA, "virginica")]
WAIT = 30.0


class Inbox:
    """Every event a Socket.IO client receives, with a way to await the ones a test is waiting for."""

    def __init__(self, client: socketio.AsyncClient, events: tuple[str, ...]) -> None:
        self.events: list[tuple[str, Any]] = []
        self._changed = asyncio.Condition()
        for name in events:
            client.on(name, self._handler(name))

    def _handler(self, name: str) -> Any:
        async def handle(data: Any) -> None:
            async with self._changed:
                self.events.append((name, data))
                self._changed.notify_all()

        return handle

    async def wait_for(self, predicate: Any, within: float = WAIT) -> list[tuple[str, Any]]:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self.events)), within)
            return list(self.events)

    async def reply_to(self, correlation_id: str) -> tuple[str, dict[str, Any]]:
        def answered(events: list[tuple[str, Any]]) -> bool:
            return any(data.get("correlation_id") == correlation_id for _, data in events)

        events = await self.wait_for(answered)
        return next((name, data) for name, data in events if data.get("correlation_id") == correlation_id)


@pytest_asyncio.fixture(loop_scope="session")
async def client(websocket_url: str) -> AsyncIterator[socketio.AsyncClient]:
    sio = socketio.AsyncClient()
    await sio.connect(websocket_url, transports=["websocket"], wait_timeout=10)
    yield sio
    await sio.disconnect()


async def request(client: socketio.AsyncClient, inbox: Inbox, qn: str, input_data: Any) -> tuple[str, dict]:
    correlation_id = str(uuid.uuid4())
    payload = {"model_qualified_name": qn, "input_data": input_data, "correlation_id": correlation_id}
    await client.emit("prediction_request", payload)
    return await inbox.reply_to(correlation_id)


# --- requests and replies -------------------------------------------------------------------------------


@pytest.mark.broker
async def test_prediction_request_is_answered_with_the_prediction(client: socketio.AsyncClient) -> None:
    inbox = Inbox(client, ("prediction_response", "prediction_error"))
    name, reply = await request(client, inbox, "iris_model", SETOSA)
    assert name == "prediction_response"
    assert reply["model_qualified_name"] == "iris_model"
    assert reply["prediction"] == {"species": "setosa"}


@pytest.mark.broker
async def test_request_without_correlation_id_gets_the_original_reply_shape(
    client: socketio.AsyncClient,
) -> None:
    inbox = Inbox(client, ("prediction_response", "prediction_error"))
    await client.emit("prediction_request", {"model_qualified_name": "iris_model", "input_data": VIRGINICA})
    events = await inbox.wait_for(lambda events: len(events) >= 1)
    assert events[0] == (
        "prediction_response",
        {"model_qualified_name": "iris_model", "prediction": {"species": "virginica"}},
    )


@pytest.mark.broker
async def test_fifty_concurrent_requests_on_one_connection_are_matched_by_correlation_id(
    client: socketio.AsyncClient,
) -> None:
    inbox = Inbox(client, ("prediction_response", "prediction_error"))
    expected = {str(uuid.uuid4()): EXPECTED[i % 3] for i in range(50)}
    await asyncio.gather(
        *(
            client.emit(
                "prediction_request",
                {"model_qualified_name": "iris_model", "input_data": data, "correlation_id": cid},
            )
            for cid, (data, _) in expected.items()
        )
    )
    events = await inbox.wait_for(lambda events: len(events) >= 50)
    answers = {data["correlation_id"]: (name, data) for name, data in events}
    assert answers.keys() == expected.keys()
    for cid, (name, data) in answers.items():
        assert name == "prediction_response", data
        assert data["prediction"] == {"species": expected[cid][1]}


@pytest.mark.broker
async def test_call_gets_the_reply_as_acknowledgement(client: socketio.AsyncClient) -> None:
    reply = await client.call(
        "prediction_request", {"model_qualified_name": "iris_model", "input_data": VERSICOLOR}, timeout=WAIT
    )
    assert reply == {"model_qualified_name": "iris_model", "prediction": {"species": "versicolor"}}


# --- errors -----------------------------------------------------------------------------------------------


@pytest.mark.broker
async def test_out_of_range_input_is_a_schema_error_naming_the_field(client: socketio.AsyncClient) -> None:
    inbox = Inbox(client, ("prediction_response", "prediction_error"))
    name, reply = await request(client, inbox, "iris_model", {**SETOSA, "sepal_length": 50.0})
    assert name == "prediction_error"
    assert reply["type"] == "SCHEMA_ERROR"
    assert reply["model_qualified_name"] == "iris_model"
    assert "sepal_length" in reply["message"]


@pytest.mark.broker
async def test_unknown_model_is_an_error_listing_the_models(client: socketio.AsyncClient) -> None:
    inbox = Inbox(client, ("prediction_response", "prediction_error"))
    name, reply = await request(client, inbox, "no_such_model", SETOSA)
    assert name == "prediction_error"
    assert reply["type"] == "ERROR"
    assert "no_such_model" in reply["message"] and "not found" in reply["message"]
    assert "iris_model" in reply["message"]


@pytest.mark.broker
@pytest.mark.parametrize(
    "payload",
    [
        {"model_qualified_name": "iris_model", "input_data": [5.1, 3.5, 1.4, 0.2]},
        {"model_qualified_name": "iris_model", "input_data": "5.1,3.5,1.4,0.2"},
        {"model_qualified_name": "iris_model"},
        {"input_data": SETOSA},
    ],
    ids=["input-list", "input-string", "no-input", "no-model"],
)
async def test_unreadable_request_is_a_deserialization_error(
    client: socketio.AsyncClient, payload: dict
) -> None:
    inbox = Inbox(client, ("prediction_response", "prediction_error"))
    correlation_id = str(uuid.uuid4())
    await client.emit("prediction_request", {**payload, "correlation_id": correlation_id})
    name, reply = await inbox.reply_to(correlation_id)
    assert name == "prediction_error"
    assert reply["type"] == "DESERIALIZATION_ERROR"
    assert reply["message"]


@pytest.mark.broker
async def test_request_that_is_not_json_is_a_deserialization_error(client: socketio.AsyncClient) -> None:
    reply = await client.call("prediction_request", "{not json", timeout=WAIT)
    assert reply["type"] == "DESERIALIZATION_ERROR"
    assert "JSON" in reply["message"]


@pytest.mark.broker
async def test_model_nobody_serves_times_out(
    stack_settings: StreamprocSettings, catalog: ModelCatalog
) -> None:
    settings = stack_settings.model_copy(
        update={"topic_prefix": f"ws_unserved_{uuid.uuid4().hex[:8]}", "request_timeout": 1.0}
    )
    await asyncio.to_thread(publish_unserved, settings, catalog.get("iris_model"), "ghost_model")
    ghost_catalog = ModelCatalog(settings)
    ghost_requester = Requester(settings, ghost_catalog)
    ghost_feed = PredictionFeed(settings, ghost_catalog)
    await ghost_catalog.start()
    assert await ghost_catalog.wait_ready(WAIT)
    assert ghost_catalog.get("ghost_model").topics.inputs.startswith(settings.topic_prefix)
    await ghost_requester.start()
    await ghost_feed.start()
    try:
        app = build_websocket_app(settings, ghost_catalog, ghost_requester, ghost_feed)
        async with running_app(app, "127.0.0.1", 0) as url:
            sio = socketio.AsyncClient()
            await sio.connect(url, transports=["websocket"], wait_timeout=10)
            try:
                started = asyncio.get_running_loop().time()
                reply = await sio.call(
                    "prediction_request",
                    {"model_qualified_name": "ghost_model", "input_data": SETOSA, "correlation_id": "t-1"},
                    timeout=WAIT,
                )
                elapsed = asyncio.get_running_loop().time() - started
            finally:
                await sio.disconnect()
    finally:
        await ghost_feed.stop()
        await ghost_requester.stop()
        await ghost_catalog.stop()
    assert reply["type"] == "TIMEOUT", reply
    assert reply["correlation_id"] == "t-1"
    assert 0.9 <= elapsed < 10


# --- live subscriptions -----------------------------------------------------------------------------------


def _send_with_cli(settings: StreamprocSettings, qn: str, inputs: list[dict[str, Any]]) -> None:
    env = {
        **os.environ,
        "STREAMPROC_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
        "STREAMPROC_TOPIC_PREFIX": settings.topic_prefix,
    }
    lines = "".join(json.dumps(item) + "\n" for item in inputs)
    cli = [str(Path(sys.executable).with_name("streamproc")), "send", qn]
    done = subprocess.run(cli, input=lines, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.broker
async def test_subscription_receives_predictions_of_inputs_sent_with_the_cli(
    client: socketio.AsyncClient, stack_settings: StreamprocSettings
) -> None:
    inbox = Inbox(client, ("prediction",))
    ack = await client.call("subscribe", {"model_qualified_name": "iris_model"}, timeout=WAIT)
    assert ack == {"ok": True, "model_qualified_name": "iris_model"}
    inputs = [SETOSA, SETOSA, VERSICOLOR, VIRGINICA, VIRGINICA, VIRGINICA]
    await asyncio.to_thread(_send_with_cli, stack_settings, "iris_model", inputs)

    wanted = Counter({"setosa": 2, "versicolor": 1, "virginica": 3})

    def species(events: list[tuple[str, Any]]) -> Counter[str]:
        return Counter(data["prediction"]["species"] for _, data in events)

    events = await inbox.wait_for(lambda events: not wanted - species(events))
    for _, data in events:
        assert data["model_qualified_name"] == "iris_model"
        assert set(data) == {"model_qualified_name", "prediction", "correlation_id", "key", "timestamp"}
        assert isinstance(data["timestamp"], int) and data["timestamp"] > 1_600_000_000_000


def _produce_json(
    settings: StreamprocSettings, topic: str, data: dict[str, Any], correlation_id: str
) -> None:
    producer = Producer({"bootstrap.servers": settings.bootstrap_servers})
    headers: list[tuple[str, str | bytes | None]] = [
        (CONTENT_TYPE, CONTENT_TYPE_JSON),
        (CORRELATION_ID, correlation_id),
    ]
    producer.produce(topic, json.dumps(data).encode(), headers=headers)
    assert producer.flush(WAIT) == 0


@pytest.mark.broker
async def test_only_subscribers_of_a_model_get_its_predictions(
    websocket_url: str,
    client: socketio.AsyncClient,
    stack_settings: StreamprocSettings,
    catalog: ModelCatalog,
) -> None:
    inputs_topic = catalog.get("iris_model").topics.inputs
    other = socketio.AsyncClient()
    await other.connect(websocket_url, transports=["websocket"], wait_timeout=10)
    try:
        subscribed = Inbox(client, ("prediction",))
        other_inbox = Inbox(other, ("prediction",))
        await client.call("subscribe", {"model_qualified_name": "iris_model"}, timeout=WAIT)
        await other.call("subscribe", {"model_qualified_name": "diabetes_model"}, timeout=WAIT)
        first = f"first-{uuid.uuid4()}"
        await asyncio.to_thread(_produce_json, stack_settings, inputs_topic, SETOSA, first)
        # the producer's correlation id travels with the prediction
        events = await subscribed.wait_for(
            lambda events: any(d["correlation_id"] == first for _, d in events)
        )
        assert next(d for _, d in events if d["correlation_id"] == first)["prediction"] == {
            "species": "setosa"
        }
        assert not any(data["model_qualified_name"] == "iris_model" for _, data in other_inbox.events)

        await client.call("unsubscribe", {"model_qualified_name": "iris_model"}, timeout=WAIT)
        await other.call("subscribe", {"model_qualified_name": "iris_model"}, timeout=WAIT)
        seen = len(subscribed.events)
        second = f"second-{uuid.uuid4()}"
        await asyncio.to_thread(_produce_json, stack_settings, inputs_topic, VIRGINICA, second)
        await other_inbox.wait_for(lambda events: any(d["correlation_id"] == second for _, d in events))
        assert not any(data["correlation_id"] == second for _, data in subscribed.events[seen:])
    finally:
        await other.disconnect()


@pytest.mark.broker
async def test_subscribing_to_an_unknown_model_is_refused(client: socketio.AsyncClient) -> None:
    ack = await client.call("subscribe", {"model_qualified_name": "no_such_model"}, timeout=WAIT)
    assert ack["ok"] is False and "no_such_model" in ack["message"]


@pytest.mark.broker
async def test_model_routes_are_served_for_the_ui(websocket_url: str) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(f"{websocket_url}/api/models") as response:
            models = (await response.json())["models"]
        async with session.get(f"{websocket_url}/api/models/iris_model/metadata") as response:
            metadata = await response.json()
        async with session.get(f"{websocket_url}/") as response:
            index = await response.text()
    assert {"iris_model", "diabetes_model"} <= {m["qualified_name"] for m in models}
    assert set(metadata["input_schema"]["properties"]) == {
        "sepal_length",
        "sepal_width",
        "petal_length",
        "petal_width",
    }
    assert "/static/vendor/socket.io.min.js" in index


@pytest.mark.broker
async def test_serve_websocket_runs_the_bridge_until_cancelled(
    worker: Any, stack_settings: StreamprocSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    bridge = websocket_bridge(stack_settings, "127.0.0.1", 0)
    service = asyncio.create_task(serve(bridge, on_ready=ready.set_result))
    try:
        url = await asyncio.wait_for(asyncio.shield(ready), WAIT)
        assert f"listening on {url}" in capsys.readouterr().out
        sio = socketio.AsyncClient()
        await sio.connect(url, transports=["websocket"], wait_timeout=10)
        try:
            reply = await sio.call(
                "prediction_request",
                {"model_qualified_name": "iris_model", "input_data": SETOSA},
                timeout=WAIT,
            )
        finally:
            await sio.disconnect()
        assert reply.get("prediction") == {"species": "setosa"}, reply
    finally:
        service.cancel()
        await asyncio.gather(service, return_exceptions=True)
    assert service.cancelled()


# --- per-client buffers (no broker) ---------------------------------------------------------------------


async def run_until(condition: Any, steps: int = 10_000) -> None:
    """Let other tasks run until ``condition()`` holds (bounded in loop turns)."""
    for _ in range(steps):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")


async def test_a_slow_client_drops_its_oldest_events_and_does_not_stall_the_others() -> None:
    release = asyncio.Event()
    delivered: dict[str, list[int]] = {"fast": [], "slow": []}
    drops: list[str] = []

    async def send(sid: str, event: str, payload: dict[str, Any]) -> None:
        if sid == "slow":
            await release.wait()
        delivered[sid].append(payload["n"])

    fanout = Fanout(send, buffer_size=10, on_drop=drops.append)
    fanout.add_client("fast")
    fanout.add_client("slow")
    try:
        for n in range(100):
            assert fanout.publish(["fast", "slow"], "iris_model", "prediction", {"n": n}) == 2
            await asyncio.sleep(0)  # let the senders run between events, as the feed's loop does
        await run_until(lambda: len(delivered["fast"]) == 100)
        assert delivered["fast"] == list(range(100))
        slow = fanout.client("slow")
        assert slow is not None and slow.dropped == 100 - 1 - 10
        release.set()
        await run_until(lambda: len(delivered["slow"]) == 11)
        # the first event was already being sent; the buffer kept the newest ten
        assert delivered["slow"][-10:] == list(range(90, 100))
        assert len(drops) == slow.dropped == 100 - 1 - 10
        assert set(drops) == {"iris_model"}
    finally:
        await fanout.close()


async def test_a_failing_send_does_not_stop_the_client_stream() -> None:
    got: list[int] = []

    async def send(sid: str, event: str, payload: dict[str, Any]) -> None:
        if payload["n"] == 1:
            raise ConnectionResetError("gone for a moment")
        got.append(payload["n"])

    buffer = ClientBuffer("sid", send, maxsize=5)
    buffer.start()
    try:
        for n in range(3):
            buffer.offer("iris_model", "prediction", {"n": n})
        await run_until(lambda: len(got) == 2)
        assert got == [0, 2]
    finally:
        await buffer.close()
