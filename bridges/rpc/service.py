"""The RPC bridge process: catalog + requester + ZeroRPC server, run until cancelled."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bridges.access import rpc_curve
from bridges.catalog import ModelCatalog
from bridges.requestreply.requester import Requester
from bridges.rpc.model_methods import SERVICE_NAME, ModelMethods
from bridges.rpc.server import RpcServer
from streamproc.settings import StreamprocSettings

logger = logging.getLogger(__name__)


def build_rpc_server(settings: StreamprocSettings, catalog: ModelCatalog, requester: Requester) -> RpcServer:
    """The model service's ZeroRPC server on ``settings.rpc_host:rpc_port`` (not started)."""
    methods = ModelMethods(catalog, requester, timeout=settings.request_timeout)
    return RpcServer(
        methods,
        settings.rpc_host,
        settings.rpc_port,
        name=SERVICE_NAME,
        max_message_bytes=settings.max_body_bytes,
        guard=rpc_curve(settings),
    )


async def serve_rpc(settings: StreamprocSettings) -> None:
    """Start catalog, requester and server; serve until cancelled, then stop all three in reverse."""
    async with contextlib.AsyncExitStack() as stack:
        catalog = ModelCatalog(settings)
        await catalog.start()
        stack.push_async_callback(catalog.stop)
        requester = Requester(settings, catalog)
        await requester.start()
        stack.push_async_callback(requester.stop)
        server = build_rpc_server(settings, catalog, requester)
        await server.start()
        stack.push_async_callback(server.stop)
        print(f"RPC bridge listening on {server.endpoint} (ZeroRPC protocol)", flush=True)
        logger.info("rpc bridge serving endpoint=%s", server.endpoint)
        await asyncio.Event().wait()  # until cancelled
