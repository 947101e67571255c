"""Prometheus metrics of one REST bridge app, in its own ``CollectorRegistry``.

Two apps in one process (tests, several bridges) never clash. Exposed on ``GET /metrics``:
requests by endpoint, model and status; latency histogram; predictions awaiting a reply; reply timeouts;
and the requester's late replies (replies that arrived after their request had given up).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

METRICS_PATH = "/metrics"
# Set by a handler once it knows the (catalogued) model, so unknown names never become label values.
MODEL_KEY = web.RequestKey("streamproc_model", str)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _LateReplies(Collector):
    """Reads the requester's count of replies that came after their request gave up."""

    def __init__(self, requester: Any) -> None:
        self._requester = requester

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "streamproc_rest_late_replies", "Replies that arrived after their request timed out."
        )
        counters = getattr(getattr(self._requester, "pending", None), "counters", None)
        family.add_metric([], float(getattr(counters, "late", 0)))
        yield family


class RestMetrics:
    """The metric objects of one app and the middleware that feeds them."""

    def __init__(self, requester: Any = None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "streamproc_rest_requests",
            "HTTP requests answered, by endpoint, model and status.",
            ["endpoint", "model", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "streamproc_rest_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["endpoint", "model"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.pending = Gauge(
            "streamproc_rest_pending_replies", "Prediction requests awaiting a reply.", registry=self.registry
        )
        self.timeouts = Counter(
            "streamproc_rest_reply_timeouts",
            "Predictions answered 504 (no reply in time).",
            ["model"],
            registry=self.registry,
        )
        if requester is not None:
            self.registry.register(_LateReplies(requester))

    def observe(self, endpoint: str, model: str, status: int, seconds: float) -> None:
        self.requests.labels(endpoint, model, str(status)).inc()
        self.latency.labels(endpoint, model).observe(seconds)
        if status == 504:
            self.timeouts.labels(model).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Outermost middleware: sees the final status of every request."""
        if request.path == METRICS_PATH:
            return await handler(request)
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            route = request.match_info.route
            endpoint = route.name or (route.resource.canonical if route.resource else "unmatched")
            self.observe(endpoint, request.get(MODEL_KEY, ""), status, time.perf_counter() - started)

    async def handle_metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=self.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})
