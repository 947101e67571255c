"""The worker's own pages on Faust's web server: ``/metrics`` (Prometheus), ``/livez`` and ``/readyz``.

Live: the process answers. Ready: every hosted model's consumer has joined its group and is polling.
"""

from __future__ import annotations

from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST

from streamproc.worker.metrics import BatchHooks, WorkerMetrics

METRICS_PATH = "/metrics"
LIVE_PATH = "/livez"
READY_PATH = "/readyz"


def add_pages(app: faust.App, metrics: WorkerMetrics | None, models: list[BatchHooks]) -> None:
    """Register the pages; without ``metrics`` (metrics off) ``/metrics`` answers 404."""

    @app.page(METRICS_PATH, name="streamproc_metrics")
    async def metrics_page(view: faust.web.View, request: Any) -> Any:
        if metrics is None:
            return view.text("metrics are off (STREAMPROC_WORKER_METRICS=false)\n", status=404)
        return view.bytes(metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    @app.page(LIVE_PATH, name="streamproc_live")
    async def live_page(view: faust.web.View, request: Any) -> Any:
        return view.json({"status": "alive"})

    @app.page(READY_PATH, name="streamproc_ready")
    async def ready_page(view: faust.web.View, request: Any) -> Any:
        consuming = {model.name: model.consuming() for model in models}
        ready = bool(consuming) and all(consuming.values())
        body = {"status": "ready" if ready else "not ready", "models": consuming}
        return view.json(body, status=200 if ready else 503)
