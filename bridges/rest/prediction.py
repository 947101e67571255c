"""``POST /api/models/{qualified_name}/prediction``: the body goes to the data plane as it came.

The data plane judges it with the worker's rules and sends it; errors are raised as streamproc errors
and the app's error middleware turns them into answers.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bridges.dataplane import DataPlane
from bridges.rest.metrics import MODEL_KEY, RestMetrics

PREDICTION_PATH = "/api/models/{qualified_name}/prediction"
BODY_TIMEOUT = 15.0  # seconds a client has to send its whole body (a slow body is closed with 408)


def prediction_routes(plane: DataPlane, metrics: RestMetrics) -> list[web.RouteDef]:
    """The prediction route of every catalogued model (one pattern; the catalog decides what exists)."""

    async def predict(request: web.Request) -> web.Response:
        qualified_name = request.match_info["qualified_name"]
        request[MODEL_KEY] = plane.model_label(qualified_name)
        try:
            body = await asyncio.wait_for(request.read(), BODY_TIMEOUT)
        except TimeoutError:
            raise web.HTTPRequestTimeout(text=f"The body did not arrive within {BODY_TIMEOUT:g} s.") from None
        metrics.pending.inc()
        try:
            prediction = await plane.predict(qualified_name, body)
        finally:
            metrics.pending.dec()
        return web.json_response(prediction)

    return [web.post(PREDICTION_PATH, predict, name="prediction")]
