"""Slowloris: a connection that trickles its request head is answered 408 and closed by the deadline,
while normal requests (and a head sent in pieces, but in time) are served."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from bridges.lifecycle import running_app

DEADLINE = 1.0
SLOW_HEAD = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 60  # ~8 s at a byte per 0.1 s


async def hello(_request: web.Request) -> web.Response:
    return web.Response(text="hello")


@pytest.fixture
async def url() -> AsyncIterator[URL]:
    app = web.Application()
    app.router.add_get("/", hello)
    async with running_app(app, "127.0.0.1", 0, header_timeout=DEADLINE) as base:
        yield URL(base)


async def test_a_connection_trickling_its_request_line_is_closed_within_the_deadline(url: URL) -> None:
    reader, writer = await asyncio.open_connection(url.host, url.port)
    opened = time.monotonic()
    try:
        answer = b""
        for byte in SLOW_HEAD:  # a slowloris: one byte at a time, never the blank line
            writer.write(bytes([byte]))
            await writer.drain()
            try:  # read(n) keeps what it has not returned when the wait times out (read() would lose it)
                answer = await asyncio.wait_for(reader.read(1024), 0.1)
                break
            except TimeoutError:
                continue
        closed_after = time.monotonic() - opened
        answer += await asyncio.wait_for(reader.read(), 5)  # then the server closes the connection
    finally:
        writer.close()
    assert reader.at_eof()
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert DEADLINE * 0.9 <= closed_after < DEADLINE + 1.5


async def test_a_head_sent_in_pieces_within_the_deadline_is_served_and_the_connection_kept(url: URL) -> None:
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        for piece in (b"GET / HT", b"TP/1.1\r\nHost: x\r", b"\n\r\n"):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(DEADLINE / 4)  # slow, but the whole head arrives in time
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 200"), head
        assert await asyncio.wait_for(reader.readexactly(5), 5) == b"hello"
        await asyncio.sleep(DEADLINE * 1.5)  # past the deadline: a connection that sent its head stays open
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 200"), head
    finally:
        writer.close()


async def test_an_ordinary_client_is_served(url: URL) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            async with session.get(url) as response:
                assert response.status == 200
                assert await response.text() == "hello"
