"""The README's Socket.IO and ZeroRPC client snippets run as written (only the addresses differ)."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bridges.rpc.server import RpcServer
from bridges.rpc.service import build_rpc_server
from streamproc.settings import REPO_ROOT

pytestmark = pytest.mark.broker


def readme_client_snippet() -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    return next(block for block in blocks if "socketio" in block and "zerorpc" in block)


@pytest.fixture
async def rpc(worker: Any, stack_settings: Any, catalog: Any, requester: Any) -> AsyncIterator[RpcServer]:
    server = build_rpc_server(stack_settings.model_copy(update={"rpc_port": 0}), catalog, requester)
    async with server:
        yield server


async def test_the_readme_client_snippets_run(websocket_url: str, rpc: RpcServer) -> None:
    snippet = readme_client_snippet()
    assert 'transports=["websocket"]' in snippet and "sio.call(" in snippet  # waits for its reply
    code = snippet.replace("http://127.0.0.1:8080", websocket_url).replace(
        "tcp://127.0.0.1:4242", rpc.endpoint
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()
    lines = stdout.decode().splitlines()
    assert "'prediction': {'species': 'setosa'}" in lines[0] and "'correlation_id': '1'" in lines[0]
    assert lines[1] == "{'species': 'setosa'}"
