"""Run the stock ``zerorpc`` client (gevent-based) in a subprocess, away from the test's asyncio loop."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

CLIENT_SCRIPT = """
import json, sys
import zerorpc
endpoint, heartbeat, call_timeout = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
calls, header = json.loads(sys.argv[4]), json.loads(sys.argv[5])

class Header:  # zerorpc middleware: extra fields in every request's header (e.g. traceparent)
    def client_before_request(self, event):
        event.header.update(header)

context = zerorpc.Context()
context.register_middleware(Header())
client = zerorpc.Client(endpoint, heartbeat=heartbeat, timeout=call_timeout, context=context)
print("connected", flush=True)
for method, args in calls:
    try:
        print(json.dumps({"ok": getattr(client, method)(*args)}), flush=True)
    except zerorpc.RemoteError as exc:
        print(json.dumps({"error": [exc.name, exc.msg]}), flush=True)
    except Exception as exc:
        print(json.dumps({"client_error": [type(exc).__name__, str(exc)]}), flush=True)
"""

ZERORPC_CLI = Path(sys.executable).parent / "zerorpc"

Calls = list[tuple[str, list[Any]]]


async def start_client(
    endpoint: str,
    calls: Calls,
    heartbeat: float = 5.0,
    call_timeout: float = 15.0,
    header: dict[str, str] | None = None,
) -> asyncio.subprocess.Process:
    """Start a client process making ``calls`` in order (``header``: added to each request's event header);
    it prints one JSON line per call."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CLIENT_SCRIPT,
        endpoint,
        str(heartbeat),
        str(call_timeout),
        json.dumps(calls),
        json.dumps(header or {}),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run_client(
    endpoint: str,
    calls: Calls,
    heartbeat: float = 5.0,
    call_timeout: float = 15.0,
    header: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Make ``calls`` with the stock client; ``{"ok": result}`` or ``{"error": [name, msg]}`` per call."""
    proc = await start_client(endpoint, calls, heartbeat, call_timeout, header)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=call_timeout * (len(calls) + 1) + 10)
    assert proc.returncode == 0, stderr.decode()
    lines = stdout.decode().splitlines()
    assert lines[0] == "connected", stderr.decode()
    return [json.loads(line) for line in lines[1:]]


async def run_cli(*args: str, within: float = 20.0) -> str:
    """Run the ``zerorpc`` command line tool; return what it printed."""
    proc = await asyncio.create_subprocess_exec(
        str(ZERORPC_CLI), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=within)
    assert proc.returncode == 0, stderr.decode()
    return stdout.decode()
