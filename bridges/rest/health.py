"""Health endpoints with rest_model_service's bodies; 200 when good, 503 otherwise.

- ``/api/health``: the Kafka broker answers (the requester's last metadata probe succeeded).
- ``/api/health/ready``: broker reachable and the catalog caught up, so requests can be served.
- ``/api/health/startup``: the catalog has caught up with its topic at least once.
- ``/api/health/models/{name}``: one model can be served; a 503 says why (broker unreachable, catalog not
  read yet, or no worker has published this model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bridges.catalog import ModelCatalog
    from bridges.requestreply.requester import Requester

HEALTH_PATH = "/api/health"
READY_PATH = "/api/health/ready"
STARTUP_PATH = "/api/health/startup"
MODEL_HEALTH_PATH = "/api/health/models/{model_qualified_name}"


def _status(field: str, good: bool, good_value: str, bad_value: str) -> web.Response:
    return web.json_response({field: good_value if good else bad_value}, status=200 if good else 503)


def health_routes(catalog: ModelCatalog, requester: Requester) -> list[web.RouteDef]:
    """The three health routes over ``catalog`` and ``requester``."""

    async def health_check(request: web.Request) -> web.Response:
        return _status("health_status", requester.broker_connected(), "HEALTHY", "NOT_HEALTHY")

    async def readiness_check(request: web.Request) -> web.Response:
        ready = catalog.ready and requester.broker_connected()
        return _status("readiness_status", ready, "ACCEPTING_TRAFFIC", "REFUSING_TRAFFIC")

    async def startup_check(request: web.Request) -> web.Response:
        return _status("startup_status", catalog.ready, "STARTED", "NOT_STARTED")

    async def model_check(request: web.Request) -> web.Response:
        name = request.match_info["model_qualified_name"]
        if not requester.broker_connected():
            reason = "broker unreachable"
        elif not catalog.ready:
            reason = "the model catalog has not been read yet"
        elif name not in {entry.qualified_name for entry in catalog.entries()}:
            reason = "no worker has published this model"
        else:
            return web.json_response({"health_status": "HEALTHY"})
        return web.json_response({"health_status": "NOT_HEALTHY", "reason": reason}, status=503)

    return [
        web.get(MODEL_HEALTH_PATH, model_check, name="model_health_check"),
        web.get(HEALTH_PATH, health_check, name="health_check"),
        web.get(READY_PATH, readiness_check, name="readiness_check"),
        web.get(STARTUP_PATH, startup_check, name="startup_check"),
    ]
