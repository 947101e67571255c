"""The RPC bridge process: ``rpc_bridge(settings)`` is a ``Bridge`` serving the ZeroRPC model service,
and its metrics and health over HTTP on ``STREAMPROC_RPC_METRICS_PORT`` (0: none)."""

from __future__ import annotations

import contextlib
import logging

from bridges.access import rpc_curve
from bridges.catalog import ModelCatalog
from bridges.dataplane import DataPlane
from bridges.lifecycle import Bridge, running_app
from bridges.requestreply.requester import Requester
from bridges.rpc.metrics import RpcMetrics, metrics_app
from bridges.rpc.model_methods import SERVICE_NAME, ModelMethods
from bridges.rpc.server import RpcServer
from streamproc.settings import StreamprocSettings

log = logging.getLogger(__name__)


def build_rpc_server(
    settings: StreamprocSettings,
    catalog: ModelCatalog,
    requester: Requester,
    metrics: RpcMetrics | None = None,
) -> RpcServer:
    """The model service's ZeroRPC server on ``settings.rpc_host:rpc_port`` (not started)."""
    methods = ModelMethods(DataPlane(settings, catalog, requester))
    return RpcServer(
        methods,
        settings.rpc_host,
        settings.rpc_port,
        name=SERVICE_NAME,
        max_message_bytes=settings.max_body_bytes,
        guard=rpc_curve(settings),
        observer=None if metrics is None else metrics.observe,
    )


class RpcTransport:
    def __init__(self, settings: StreamprocSettings) -> None:
        self._settings = settings
        self._stack: contextlib.AsyncExitStack | None = None
        self.metrics_url: str | None = None  # http://host:port of /metrics and the health routes, once open

    async def open(self, bridge: Bridge) -> str:
        settings = self._settings
        metrics = RpcMetrics(bridge.plane)
        server = build_rpc_server(settings, bridge.catalog, bridge.requester, metrics)
        metrics.in_flight.set_function(lambda: server.channel_count)
        async with contextlib.AsyncExitStack() as stack:
            await server.start()
            stack.push_async_callback(server.stop)
            if settings.rpc_metrics_port:
                app = metrics_app(settings, metrics, bridge.catalog, bridge.requester)
                running = running_app(app, settings.rpc_host, settings.rpc_metrics_port)
                self.metrics_url = await stack.enter_async_context(running)
                log.info("RPC bridge metrics on %s/metrics", self.metrics_url)
            self._stack = stack.pop_all()
        return server.endpoint

    async def close(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()


def rpc_bridge(settings: StreamprocSettings) -> Bridge:
    return Bridge(settings, RpcTransport(settings), "RPC bridge")
