"""Slow request heads are closed: a connection must send its request line and headers within a deadline.

aiohttp times out idle keep-alive connections and (in the REST bridge) slow bodies, but nothing bounds
how long a client may take to send the head of its first request, so a slowloris client trickling a
byte at a time holds a connection open forever. ``HeaderDeadlineSite`` wraps each connection's aiohttp
protocol in ``HeaderDeadline``, which answers 408 and closes the connection when no complete request head
(a blank line) has arrived ``timeout`` seconds after it opened. Later requests on a keep-alive connection
are bounded by aiohttp's own keep-alive timeout, which closes a connection waiting for a whole request.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
HEAD_ENDS = (b"\n\r\n", b"\n\n")  # the blank line after the headers (CRLF, or the bare LF parsers accept)


class HeaderDeadline(asyncio.Protocol):
    """Forwards every protocol event to aiohttp's handler and closes a connection whose head is late."""

    def __init__(self, inner: Any, timeout: float) -> None:
        self._inner = inner
        self._timeout = timeout
        self._timer: asyncio.TimerHandle | None = None
        self._tail = b""  # the last bytes seen, to find a blank line split across reads

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._inner.connection_made(transport)
        self._timer = asyncio.get_running_loop().call_later(self._timeout, self._late, transport)

    def data_received(self, data: bytes) -> None:
        if self._timer is not None:
            seen = self._tail + data
            if any(end in seen for end in HEAD_ENDS):
                self._stop_timer()
            else:
                self._tail = seen[-2:]
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()  # type: ignore[no-any-return]

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _late(self, transport: asyncio.BaseTransport) -> None:
        self._timer = None
        if isinstance(transport, asyncio.WriteTransport) and not transport.is_closing():
            transport.write(TIMED_OUT)
        transport.close()


class HeaderDeadlineSite(web.TCPSite):
    """A TCPSite whose connections must send their first request head within ``header_timeout`` s."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, header_timeout: float) -> None:
        super().__init__(runner, host, port)
        self.header_timeout = header_timeout

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner; TCPSite.start would listen
        server = self._runner.server
        assert server is not None

        def protocol() -> asyncio.Protocol:
            return HeaderDeadline(server(), self.header_timeout)

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(protocol, self._host, self._port, backlog=self._backlog)
        self._bound_port = self._server.sockets[0].getsockname()[1]
