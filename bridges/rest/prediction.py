"""``POST /api/models/{qualified_name}/prediction``: validate, send to the model's topic, await the reply.

The body is checked against the catalog entry's input schema first, so a bad request never reaches Kafka.
Errors are raised as streamproc errors; the app's error middleware turns them into answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bridges.rest.metrics import MODEL_KEY, RestMetrics
from bridges.rest.validation import parse_json_body, validate_input

if TYPE_CHECKING:
    from bridges.catalog import ModelCatalog
    from bridges.requestreply.requester import Requester

PREDICTION_PATH = "/api/models/{qualified_name}/prediction"


def prediction_routes(
    catalog: ModelCatalog, requester: Requester, metrics: RestMetrics, timeout: float
) -> list[web.RouteDef]:
    """The prediction route of every catalogued model (one pattern; the catalog decides what exists)."""

    async def predict(request: web.Request) -> web.Response:
        qualified_name = request.match_info["qualified_name"]
        entry = catalog.get(qualified_name)
        request[MODEL_KEY] = qualified_name
        payload = parse_json_body(await request.read())
        validate_input(qualified_name, entry.input_schema, payload)
        metrics.pending.inc()
        try:
            prediction = await requester.predict(qualified_name, payload, timeout=timeout)
        finally:
            metrics.pending.dec()
        return web.json_response(prediction)

    return [web.post(PREDICTION_PATH, predict, name="prediction")]
