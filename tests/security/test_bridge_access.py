"""Bridge access control: bearer tokens (REST, Socket.IO), ZeroMQ CURVE (RPC); browser safety (REST)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import socketio
import zmq.auth
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bridges.access import rpc_curve
from bridges.lifecycle import running_app
from bridges.rest.app import build_rest_app
from bridges.rpc import RpcServer
from bridges.websocket.app import build_websocket_app
from streamproc.settings import StreamprocSettings
from tests.support.rest_fakes import FunctionRequester, MemoryCatalog, flower_entry

GOOD = {"sepal_length": 5.1, "petal_width": 0.2}
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
PREDICT = "/api/models/flower_model/prediction"
TOKEN = "s3cret-token"


async def _answer(qualified_name: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"species": "red", "score": 0.5}


@pytest.fixture
def tokens_file(tmp_path: Path) -> Path:
    path = tmp_path / "tokens"
    path.write_text(f"# bridge callers\n{TOKEN}\nanother-token\n")
    return path


@pytest.fixture
def requester() -> FunctionRequester:
    return FunctionRequester(_answer)


async def _client(settings: StreamprocSettings, requester: FunctionRequester | None = None) -> TestClient:
    requester = requester or FunctionRequester(_answer)
    app = build_rest_app(settings, MemoryCatalog([flower_entry()]), requester)  # type: ignore[arg-type]
    return TestClient(TestServer(app, host="127.0.0.1"))


@pytest.fixture
async def guarded(tokens_file: Path) -> AsyncIterator[TestClient]:
    settings = StreamprocSettings(
        bridge_tokens_file=tokens_file, bridge_metrics_tokens=SecretStr("scrape-me")
    )
    async with await _client(settings) as client:
        yield client


@pytest.fixture
async def open_rest(requester: FunctionRequester) -> AsyncIterator[TestClient]:
    settings = StreamprocSettings(cors_allowed_origins="https://app.example")
    async with await _client(settings, requester) as client:
        yield client


async def test_without_a_token_the_api_is_401_with_the_usual_error_body(guarded: TestClient) -> None:
    for response in (await guarded.post(PREDICT, json=GOOD), await guarded.get("/api/models")):
        assert response.status == 401
        body = await response.json()
        assert body["type"] == "UnauthorizedError" and "bearer token" in body["messages"][0]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = await guarded.post(PREDICT, json=GOOD, headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401


async def test_a_token_from_the_file_or_as_api_key_is_admitted(guarded: TestClient) -> None:
    bearer = await guarded.post(PREDICT, json=GOOD, headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status == 200 and (await bearer.json())["species"] == "red"
    api_key = await guarded.get("/api/models", headers={"X-API-Key": "another-token"})
    assert api_key.status == 200


async def test_health_stays_open_and_metrics_has_its_own_tokens(guarded: TestClient) -> None:
    assert (await guarded.get("/api/health")).status in (200, 503)  # answered, not refused
    assert (await guarded.get("/api/health/ready")).status != 401
    assert (await guarded.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).status == 401
    scraped = await guarded.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert scraped.status == 200


async def test_a_text_plain_post_is_415_and_never_predicted(
    open_rest: TestClient, requester: FunctionRequester
) -> None:
    body = json.dumps(GOOD)
    response = await open_rest.post(PREDICT, data=body, headers={"Content-Type": "text/plain"})
    assert response.status == 415
    assert await response.json() == {
        "type": "UnsupportedMediaTypeError",
        "messages": ["request bodies must be application/json, not text/plain"],
    }
    assert requester.calls == []
    ok = await open_rest.post(PREDICT, data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    assert ok.status == 200


async def test_cors_answers_only_the_allowed_origins(open_rest: TestClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = await open_rest.options(PREDICT, headers={"Origin": "https://app.example", **preflight})
    assert allowed.status == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    stranger = await open_rest.options(PREDICT, headers={"Origin": "https://evil.example", **preflight})
    assert stranger.status == 403 and "Access-Control-Allow-Origin" not in stranger.headers
    simple = await open_rest.get("/api/models", headers={"Origin": "https://evil.example"})
    assert simple.status == 200 and "Access-Control-Allow-Origin" not in simple.headers


async def test_cors_is_off_by_default() -> None:
    async with await _client(StreamprocSettings()) as client:
        response = await client.get("/api/models", headers={"Origin": "https://app.example"})
        assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.broker
async def test_socketio_refuses_a_client_without_a_token_and_says_why(
    secured: StreamprocSettings, secured_catalog: Any, secured_requester: Any, secured_feed: Any
) -> None:
    settings = secured.model_copy(update={"bridge_tokens": SecretStr(TOKEN)})
    app = build_websocket_app(settings, secured_catalog, secured_requester, secured_feed)
    async with running_app(app, "127.0.0.1", 0) as url:
        stranger = socketio.AsyncClient()
        reasons: list[Any] = []
        stranger.on("connect_error", reasons.append)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await stranger.connect(url, transports=["websocket"], wait_timeout=10)
        assert reasons and "unauthorized" in reasons[0]["message"], reasons
        member = socketio.AsyncClient()
        await member.connect(url, transports=["websocket"], wait_timeout=10, auth={"token": TOKEN})
        try:
            request = {"model_qualified_name": "iris_model", "correlation_id": "a-1", "input_data": SETOSA}
            reply = await member.call("prediction_request", request, timeout=30)
        finally:
            await member.disconnect()
    assert reply["prediction"] == {"species": "setosa"}


class Echo:
    """A one-method table: the RPC tests here are about who may connect, not about Kafka."""

    def names(self) -> list[str]:
        return ["echo"]

    def describe(self) -> dict[str, dict[str, Any]]:
        return {"echo": {"args": ["value"], "doc": "Return the value."}}

    async def call(self, name: str, args: list[Any]) -> Any:
        return args[0]


CURVE_CLIENT = """
import json, sys
import zerorpc, zmq.auth
endpoint, server_key, client_secret = sys.argv[1:4]
client = zerorpc.Client(timeout=3, heartbeat=1)
sock = client._events._socket  # the stock client's zmq socket: CURVE options go there before connecting
if client_secret != "-":
    public, secret = zmq.auth.load_certificate(client_secret)
    sock.curve_publickey, sock.curve_secretkey = public, secret
    sock.curve_serverkey = zmq.auth.load_certificate(server_key)[0]
client.connect(endpoint)
try:
    print(json.dumps({"ok": client.echo("hello")}))
except Exception as exc:
    print(json.dumps({"failed": type(exc).__name__}))
"""


async def _curve_call(endpoint: str, server_key: Path, client_secret: Path | None) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CURVE_CLIENT, endpoint, str(server_key), str(client_secret or "-"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()
    return dict(json.loads(stdout.decode().splitlines()[-1]))


@pytest.fixture
def curve_keys(tmp_path: Path) -> dict[str, Path]:
    """Key pairs of the server, an admitted client and a stranger; the admitted public key in its own dir."""
    keys, admitted = tmp_path / "keys", tmp_path / "admitted"
    keys.mkdir()
    admitted.mkdir()
    server_public, server_secret = zmq.auth.create_certificates(keys, "server")
    client_public, client_secret = zmq.auth.create_certificates(keys, "client")
    _, stranger_secret = zmq.auth.create_certificates(keys, "stranger")
    (admitted / "client.key").write_text(Path(client_public).read_text())
    return {
        "server": Path(server_public), "server_secret": Path(server_secret), "admitted": admitted,
        "client_secret": Path(client_secret), "stranger_secret": Path(stranger_secret),
    }  # fmt: skip


async def test_rpc_with_curve_admits_only_known_client_keys(curve_keys: dict[str, Path]) -> None:
    settings = StreamprocSettings(
        rpc_curve_secret_key_file=curve_keys["server_secret"], rpc_curve_clients_dir=curve_keys["admitted"]
    )
    server = RpcServer(Echo(), "127.0.0.1", 0, name="echo", guard=rpc_curve(settings))  # type: ignore[arg-type]
    server_key = curve_keys["server"]
    async with server:
        assert await _curve_call(server.endpoint, server_key, curve_keys["client_secret"]) == {"ok": "hello"}
        assert "failed" in await _curve_call(server.endpoint, server_key, curve_keys["stranger_secret"])
        assert "failed" in await _curve_call(server.endpoint, server_key, None)
