"""`streamproc run` (what `make run` starts): every service answers, Ctrl-C stops them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.brokers import free_port
from tests.support.stack import unique_settings

pytestmark = pytest.mark.broker
STREAMPROC = str(Path(sys.executable).parent / "streamproc")


def read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if marker in line:
            return lines
    raise AssertionError(f"never printed {marker!r}; got {lines}")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().split(")")[-1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


def test_run_brings_up_worker_and_bridges_and_ctrl_c_stops_them(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = unique_settings(kafka_bootstrap, tmp_path)
    ports = {
        "REST": free_port(),
        "WEBSOCKET": free_port(),
        "RPC": free_port(),
        "RPC_METRICS": free_port(),
        "WORKER_WEB": free_port(),
    }
    env = {
        **os.environ,
        **settings.environment(),
        **{f"STREAMPROC_{k}_PORT": str(v) for k, v in ports.items()},
    }
    run = subprocess.Popen(
        [STREAMPROC, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        lines = read_until(run, "Ready. Ctrl-C stops everything.", timeout=180)
        children = children_of(run.pid)
        assert len(children) == 4, lines  # worker, rest, websocket, rpc
        printed = "\n".join(lines)
        assert f"http://127.0.0.1:{ports['REST']}" in printed and f"tcp://127.0.0.1:{ports['RPC']}" in printed
        request = urllib.request.Request(
            f"http://127.0.0.1:{ports['REST']}/api/models/iris_model/prediction",
            data=b'{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}',
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read()) == {"species": "setosa"}
        with urllib.request.urlopen(f"http://127.0.0.1:{ports['WEBSOCKET']}/", timeout=10) as response:
            assert b"<html" in response.read().lower()
    finally:
        run.send_signal(signal.SIGINT)
        out, _ = run.communicate(timeout=60)
    assert run.returncode == 0, out
    assert out.rstrip().endswith("stopped.")
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()], "a service outlived Ctrl-C"
