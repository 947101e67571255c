"""The RPC bridge process: ``rpc_bridge(settings)`` is a ``Bridge`` serving the ZeroRPC model service."""

from __future__ import annotations

from bridges.access import rpc_curve
from bridges.catalog import ModelCatalog
from bridges.dataplane import DataPlane
from bridges.lifecycle import Bridge
from bridges.requestreply.requester import Requester
from bridges.rpc.model_methods import SERVICE_NAME, ModelMethods
from bridges.rpc.server import RpcServer
from streamproc.settings import StreamprocSettings


def build_rpc_server(settings: StreamprocSettings, catalog: ModelCatalog, requester: Requester) -> RpcServer:
    """The model service's ZeroRPC server on ``settings.rpc_host:rpc_port`` (not started)."""
    methods = ModelMethods(DataPlane(settings, catalog, requester))
    return RpcServer(
        methods,
        settings.rpc_host,
        settings.rpc_port,
        name=SERVICE_NAME,
        max_message_bytes=settings.max_body_bytes,
        guard=rpc_curve(settings),
    )


class RpcTransport:
    def __init__(self, settings: StreamprocSettings) -> None:
        self._settings = settings
        self._server: RpcServer | None = None

    async def open(self, bridge: Bridge) -> str:
        self._server = build_rpc_server(self._settings, bridge.catalog, bridge.requester)
        await self._server.start()
        return self._server.endpoint

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.stop()


def rpc_bridge(settings: StreamprocSettings) -> Bridge:
    return Bridge(settings, RpcTransport(settings), "RPC bridge")
