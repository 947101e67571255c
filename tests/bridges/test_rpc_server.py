"""The asyncio ZeroRPC server against the stock ``zerorpc`` client and CLI, each in its own process.

The client is gevent-based, so it never shares a process with the server's asyncio loop.
The table here is plain Python methods: these tests are about the protocol, nothing crosses Kafka.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bridges.rpc import RemoteCallError, RpcServer
from tests.support.rpc_client import Calls, run_cli, run_client, start_client

HEARTBEAT = 0.5  # seconds, on both sides; the stock client gives up after two silent intervals
CALL_TIMEOUT = 20.0


class Table:
    """A calculator with a slow method, a failing method and a rendezvous for concurrency tests."""

    def __init__(self, parties: int = 8) -> None:
        self.cancelled = 0
        self._parties = parties
        self._arrived = 0
        self._all_arrived = asyncio.Event()

    def names(self) -> list[str]:
        return list(self.describe())

    def describe(self) -> dict[str, dict[str, Any]]:
        return {
            "add": {"args": ["a", "b"], "doc": "Add two numbers.\n\nLonger text."},
            "echo": {"args": ["value"], "doc": "Return the value unchanged."},
            "slow": {"args": ["seconds"], "doc": "Answer after a while."},
            "fail": {"args": [], "doc": "Always fails."},
            "rendezvous": {"args": ["tag"], "doc": None},
        }

    async def call(self, name: str, args: list[Any]) -> Any:
        if name == "add":
            return args[0] + args[1]
        if name == "echo":
            return args[0]
        if name == "slow":
            try:
                await asyncio.sleep(args[0])
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
            return "done"
        if name == "rendezvous":
            return await self._rendezvous(args[0])
        raise RemoteCallError("ValueError", "this method always fails")

    async def _rendezvous(self, tag: int) -> int:
        """Answer only once every party's call is in flight at the same time."""
        self._arrived += 1
        if self._arrived == self._parties:
            self._all_arrived.set()
        await asyncio.wait_for(self._all_arrived.wait(), timeout=CALL_TIMEOUT)
        return tag


@pytest.fixture
def table() -> Table:
    return Table()


@pytest.fixture
async def server(table: Table) -> AsyncIterator[RpcServer]:
    rpc = RpcServer(table, "127.0.0.1", 0, name="Calculator", heartbeat=HEARTBEAT)
    await rpc.start()
    yield rpc
    await rpc.stop()


async def call(server: RpcServer, calls: Calls) -> list[dict[str, Any]]:
    return await run_client(server.endpoint, calls, heartbeat=HEARTBEAT, call_timeout=CALL_TIMEOUT)


async def wait_until(condition: Callable[[], bool], within: float) -> None:
    """Poll a condition on the server until true, failing after ``within`` seconds."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the server exposes a counter, not an event
            await asyncio.sleep(0.05)


async def test_call_returns_result(server: RpcServer) -> None:
    nested = {"a": [1, 2.5, "x", None, True], "b": {"c": "é"}}
    results = await call(server, [("add", [2, 3]), ("echo", [nested])])
    assert results == [{"ok": 5}, {"ok": nested}]
    assert server.channel_count == 0


async def test_introspection_lists_every_method_and_docstring(server: RpcServer) -> None:
    [inspected] = await call(server, [("_zerorpc_inspect", [])])
    assert inspected["ok"]["name"] == "Calculator"
    assert inspected["ok"]["methods"]["add"] == {
        "args": [{"name": "a"}, {"name": "b"}],
        "doc": "Add two numbers.\n\nLonger text.",
    }
    assert set(inspected["ok"]["methods"]) == {"add", "echo", "slow", "fail", "rendezvous"}


async def test_zerorpc_cli_prints_methods_and_docstrings(server: RpcServer) -> None:
    printed = await run_cli(server.endpoint)
    lines = [line.split(None, 1) for line in printed.splitlines()]
    assert lines[0] == ["[Calculator]"]
    assert dict(lines[1:]) == {
        "add": "Add two numbers.",
        "echo": "Return the value unchanged.",
        "slow": "Answer after a while.",
        "fail": "Always fails.",
        "rendezvous": "<undocumented>",
    }


async def test_remote_errors_carry_their_name(server: RpcServer) -> None:
    results = await call(server, [("fail", []), ("no_such_method", [1]), ("add", [1])])
    assert results[0] == {"error": ["ValueError", "this method always fails"]}
    assert results[1] == {"error": ["NameError", "no_such_method"]}  # what a zerorpc server answers
    assert results[2]["error"][0] == "TypeError"


async def test_slow_call_outlives_heartbeat_interval(server: RpcServer) -> None:
    # 5 heartbeat intervals: without heartbeats the client would give up after 2
    results = await call(server, [("slow", [HEARTBEAT * 5]), ("add", [1, 1])])
    assert results == [{"ok": "done"}, {"ok": 2}]


async def test_eight_concurrent_clients(server: RpcServer) -> None:
    # each client's first call only returns once all eight are in flight together
    clients = [call(server, [("rendezvous", [i]), ("add", [i, i])]) for i in range(8)]
    results = await asyncio.gather(*clients)
    assert results == [[{"ok": i}, {"ok": 2 * i}] for i in range(8)]
    assert server.channel_count == 0


async def test_killed_client_frees_its_channel_and_disturbs_no_one(server: RpcServer, table: Table) -> None:
    doomed = await start_client(server.endpoint, [("slow", [60])], heartbeat=HEARTBEAT)
    try:
        await wait_until(lambda: server.channel_count == 1, within=CALL_TIMEOUT)
        doomed.kill()
        await asyncio.wait_for(doomed.wait(), timeout=10)

        assert await call(server, [("add", [20, 22])]) == [{"ok": 42}]

        # expiry after two silent heartbeat intervals (+ one of grace and one of ticking); the bound is
        # generous for a loaded machine, and still far below the 60 s the doomed call would otherwise hold
        await wait_until(lambda: server.channel_count == 0, within=HEARTBEAT * 20)
        assert table.cancelled == 1
    finally:
        if doomed.returncode is None:
            doomed.kill()
            await doomed.wait()


async def test_start_and_stop_are_idempotent(table: Table) -> None:
    rpc = RpcServer(table, "127.0.0.1", 0)
    await rpc.start()
    port = rpc.port
    await rpc.start()
    assert rpc.port == port != 0
    await rpc.stop()
    await rpc.stop()


async def test_busy_port_fails_loudly(server: RpcServer, table: Table) -> None:
    with pytest.raises(OSError, match="cannot bind"):
        await RpcServer(table, "127.0.0.1", server.port).start()


async def test_oversize_request_gets_an_error_not_silence(table: Table) -> None:
    async with RpcServer(table, "127.0.0.1", 0, max_message_bytes=1000, heartbeat=HEARTBEAT) as rpc:
        results = await call(rpc, [("echo", ["x" * 5000]), ("echo", ["small"])])
    assert results[0]["error"][0] == "ValueError"
    assert "over the 1000-byte limit" in results[0]["error"][1]
    assert results[1] == {"ok": "small"}
