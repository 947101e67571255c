"""Prometheus metrics of one WebSocket bridge app, in its own registry (served on ``/metrics``).

Model labels only ever name catalogued models (anything else is counted under ``unknown``).
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest


class WebSocketMetrics:
    """Prometheus metrics of one WebSocket bridge app, in its own registry (served on ``/metrics``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "streamproc_websocket_requests",
            "Socket.IO prediction requests by model and outcome (OK or the prediction_error type).",
            ["model", "outcome"],
            registry=self.registry,
        )
        self.dropped = Counter(
            "streamproc_websocket_dropped_events",
            "Live prediction events dropped because a client's buffer was full.",
            ["model"],
            registry=self.registry,
        )
        self.sent = Counter(
            "streamproc_websocket_sent_events",
            "Live prediction events handed to clients.",
            ["model"],
            registry=self.registry,
        )
        self.clients = Gauge(
            "streamproc_websocket_clients", "Connected Socket.IO clients.", registry=self.registry
        )

    def count_drop(self, model: str) -> None:
        self.dropped.labels(model=model).inc()

    def count_sent(self, model: str) -> None:
        self.sent.labels(model=model).inc()

    async def handle(self, request: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(self.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )
