"""Everything works against a SASL_SSL (SCRAM-SHA-512) broker, and a refused login is one clear line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio
from pydantic import SecretStr

from bridges.catalog import ModelCatalog
from bridges.lifecycle import running_app
from bridges.rest.app import build_rest_app
from bridges.rpc.service import build_rpc_server
from bridges.websocket.app import build_websocket_app
from streamproc.dev import processes
from streamproc.dev.localkafka.certificates import LocalAuthority
from streamproc.settings import REPO_ROOT, StreamprocSettings
from tests.support.rpc_client import run_client
from tests.support.secured import run_cli, run_kafka_tool

pytestmark = pytest.mark.broker
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.3, "sepal_width": 3.3, "petal_length": 6.0, "petal_width": 2.5}


def test_settings_show_the_password_masked(secured: StreamprocSettings) -> None:
    password = secured.kafka_sasl_password
    assert password is not None and password.get_secret_value() not in repr(secured)
    assert secured.environment()["STREAMPROC_KAFKA_SASL_PASSWORD"] == password.get_secret_value()


def test_worker_publishes_the_catalog_over_sasl_ssl(secured_catalog: ModelCatalog) -> None:
    assert {"iris_model", "diabetes_model"} <= {entry.qualified_name for entry in secured_catalog.entries()}


def test_cli_topics_send_receive_and_replay(secured: StreamprocSettings, secured_worker: Any) -> None:
    created = run_cli(secured, "topics", "create")
    assert created.returncode == 0, created.stderr
    assert (
        f"{secured.topic_prefix}.iris_model.0.1.errors" in run_cli(secured, "topics", "list").stdout.split()
    )

    # other tests use the same worker: read (and commit) what is on the outputs topic so far
    drained = run_cli(
        secured, "receive", "iris_model", "--stream", "outputs", "--max", "10000", "--timeout", "5"
    )
    assert "no record on" in drained.stderr, drained.stderr  # it stops after 5 s without one
    sent = run_cli(secured, "send", "iris_model", stdin=json.dumps(VIRGINICA) + "\n")
    assert sent.returncode == 0, sent.stderr
    received = run_cli(
        secured, "receive", "iris_model", "--stream", "outputs", "--max", "1", "--timeout", "60"
    )
    assert received.returncode == 0, received.stderr
    assert json.loads(received.stdout) == {"species": "virginica"}

    bad = {**SETOSA, "petal_length": -7}
    assert run_cli(secured, "send", "iris_model", "--json", stdin=json.dumps(bad) + "\n").returncode == 0
    errors = run_cli(secured, "receive", "iris_model", "--stream", "errors", "--max", "1", "--timeout", "60")
    assert errors.returncode == 0 and errors.stdout.strip(), errors.stderr
    replayed = run_cli(secured, "replay", "iris_model", "--timeout", "5")
    assert replayed.returncode == 0, replayed.stderr
    assert "replayed 1 input(s)" in replayed.stderr


def test_kafka_own_tools_log_in_with_the_streamproc_settings(
    secured: StreamprocSettings, secured_worker: Any
) -> None:
    groups = run_kafka_tool(secured, "consumer-groups", "--list")
    assert groups.returncode == 0, groups.stderr
    assert f"{secured.topic_prefix}.worker.iris_model" in groups.stdout.split()
    config = REPO_ROOT / ".streamproc" / "tool-client" / "client.properties"
    assert config.stat().st_mode & 0o077 == 0, "the properties file holds the password: owner only"

    wrong = secured.model_copy(update={"kafka_sasl_password": SecretStr("wrong")})
    refused = run_kafka_tool(wrong, "topics", "--list")
    assert refused.returncode != 0
    assert "authentication" in (refused.stdout + refused.stderr).lower()


async def test_rest_bridge_predicts_over_sasl_ssl(
    secured: StreamprocSettings, secured_catalog: Any, secured_requester: Any
) -> None:
    app = build_rest_app(
        secured.model_copy(update={"request_timeout": 30.0}), secured_catalog, secured_requester
    )
    async with (
        running_app(app, "127.0.0.1", 0) as url,
        aiohttp.ClientSession() as http,
        http.post(f"{url}/api/models/iris_model/prediction", json=SETOSA) as response,
    ):
        assert response.status == 200, await response.text()
        assert await response.json() == {"species": "setosa"}


async def test_websocket_bridge_predicts_over_sasl_ssl(
    secured: StreamprocSettings, secured_catalog: Any, secured_requester: Any, secured_feed: Any
) -> None:
    app = build_websocket_app(secured, secured_catalog, secured_requester, secured_feed)
    async with running_app(app, "127.0.0.1", 0) as url:
        sio = socketio.AsyncClient()
        await sio.connect(url, transports=["websocket"], wait_timeout=10)
        try:
            request = {"model_qualified_name": "iris_model", "input_data": SETOSA, "correlation_id": "sec-1"}
            reply = await sio.call("prediction_request", request, timeout=30)
        finally:
            await sio.disconnect()
    assert reply["prediction"] == {"species": "setosa"}


async def test_rpc_bridge_predicts_over_sasl_ssl(
    secured: StreamprocSettings, secured_catalog: Any, secured_requester: Any
) -> None:
    server = build_rpc_server(secured.model_copy(update={"rpc_port": 0}), secured_catalog, secured_requester)
    await server.start()
    try:
        results = await run_client(server.endpoint, [("iris_model_predict", [VIRGINICA])])
    finally:
        await server.stop()
    assert results == [{"ok": {"species": "virginica"}}]


def _one_line(completed: subprocess.CompletedProcess[str]) -> str:
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode != 0 and len(lines) == 1, completed.stderr
    return lines[0]


def test_a_wrong_password_is_one_clear_line_for_the_cli(secured: StreamprocSettings) -> None:
    wrong = secured.model_copy(update={"kafka_sasl_password": SecretStr("not-the-password")})
    for args in (("topics", "list"), ("receive", "iris_model", "--timeout", "5")):
        line = _one_line(run_cli(wrong, *args))
        assert "SASL authentication error" in line and "invalid credentials" in line, line


def test_an_untrusted_ca_is_one_clear_line_for_the_cli(secured: StreamprocSettings, tmp_path: Path) -> None:
    stranger = LocalAuthority(tmp_path / "other-ca").ensure()
    line = _one_line(
        run_cli(secured.model_copy(update={"kafka_ssl_ca_file": stranger.ca_file}), "send", "iris_model")
    )
    assert "not signed by STREAMPROC_KAFKA_SSL_CA_FILE's CA" in line, line


def test_a_wrong_password_stops_the_worker_with_one_clear_line(
    secured: StreamprocSettings, tmp_path: Path
) -> None:
    wrong = secured.model_copy(update={"kafka_sasl_password": SecretStr("not-the-password")})
    log = tmp_path / "worker.log"
    worker = processes.spawn(processes.worker_command("--without-web"), wrong.environment(), log)
    try:
        assert worker.wait(timeout=60) != 0
    finally:
        processes.terminate(worker)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert len(lines) == 1 and "SASL authentication error" in lines[0], "\n".join(lines)
