"""The RPC bridge's Prometheus metrics, and the small HTTP app that shows them with the health answers.

ZeroRPC has no HTTP side, so the bridge serves ``/metrics`` and the REST bridge's ``/api/health*`` routes
on ``STREAMPROC_RPC_METRICS_PORT`` (of its RPC host). Model labels only ever name catalogued models.
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bridges.access import METRICS_PATH, BridgeAccess
from bridges.catalog import ModelCatalog
from bridges.dataplane import DataPlane
from bridges.requestreply.requester import Requester
from bridges.rest.health import health_routes
from bridges.rpc.model_methods import PREDICT_SUFFIX
from streamproc.settings import StreamprocSettings


class RpcMetrics:
    """Prediction calls by model and outcome, their latency, and the calls in flight (own registry)."""

    def __init__(self, plane: DataPlane) -> None:
        self._plane = plane
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "streamproc_rpc_requests",
            "Prediction calls (<model>_predict) by model and outcome (OK or the remote error's name).",
            ["model", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "streamproc_rpc_request_duration_seconds",
            "Time to answer a prediction call.",
            ["model"],
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "streamproc_rpc_calls_in_flight", "Calls of any method being answered.", registry=self.registry
        )

    def observe(self, method: str, outcome: str, seconds: float) -> None:
        """One answered call (the server's observer); only prediction calls are counted."""
        if not method.endswith(PREDICT_SUFFIX):
            return
        model = self._plane.model_label(method[: -len(PREDICT_SUFFIX)])
        self.requests.labels(model, outcome).inc()
        self.latency.labels(model).observe(seconds)

    async def handle(self, request: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(self.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )


def metrics_app(
    settings: StreamprocSettings, metrics: RpcMetrics, catalog: ModelCatalog, requester: Requester
) -> web.Application:
    """``/metrics`` (behind ``STREAMPROC_BRIDGE_METRICS_TOKENS`` when set) and the open health routes."""
    app = web.Application(middlewares=BridgeAccess.from_settings(settings).middlewares())
    app.router.add_get(METRICS_PATH, metrics.handle)
    app.router.add_routes(health_routes(catalog, requester))
    return app
