"""No broker reachable: each entry point says one line (which address, what to start), exits non-zero."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.brokers import free_port

BIN = Path(sys.executable).parent
ENTRY_POINTS = {
    "send": [str(BIN / "streamproc"), "send", "iris_model"],
    "receive": [str(BIN / "streamproc"), "receive", "iris_model"],
    "serve rest": [str(BIN / "streamproc"), "serve", "rest", "--port", "0"],
    "serve websocket": [str(BIN / "streamproc"), "serve", "websocket", "--port", "0"],
    "serve rpc": [str(BIN / "streamproc"), "serve", "rpc", "--port", "0"],
    "worker": [str(BIN / "faust"), "-A", "streamproc.app", "worker", "--without-web"],
}


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_no_broker_is_one_line_naming_the_address_and_what_to_start(name: str) -> None:
    nobody = f"127.0.0.1:{free_port()}"
    env = {**os.environ, "STREAMPROC_BOOTSTRAP_SERVERS": nobody}
    result = subprocess.run(
        ENTRY_POINTS[name], input="{}\n", capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"no Kafka broker answers at {nobody}" in lines[0]
    assert "start one with `streamproc kafka start`" in lines[0]


def test_librdkafka_retries_after_a_broker_start_stay_off_the_terminal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from streamproc.kafka.clients import _librdkafka_log

    with caplog.at_level(logging.WARNING, logger=_librdkafka_log.name):
        _librdkafka_log.warning(
            "%s [%s] %s",
            "GETPID",
            "rdkafka#producer-1",
            "Failed to acquire idempotence PID from broker: Broker: Coordinator load in progress: retrying",
        )
        _librdkafka_log.error("%s [%s] %s", "FAIL", "rdkafka#producer-1", "Connect failed: refused")
    assert [r.getMessage().split()[0] for r in caplog.records] == ["FAIL"]
