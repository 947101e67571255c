"""Model list and model metadata: rest_model_service's bodies, read from the catalog.

``model_routes(catalog)`` is reused by the WebSocket bridge, so these handlers know nothing else of the
REST app; an unknown model is answered 404 with the shared error body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bridges.rest.errors import error_response
from streamproc.errors import UnknownModelError

if TYPE_CHECKING:
    from bridges.catalog import ModelCatalog

MODELS_PATH = "/api/models"
METADATA_PATH = "/api/models/{qualified_name}/metadata"


def models_body(catalog: ModelCatalog) -> dict[str, Any]:
    return {"models": [entry.summary() for entry in catalog.entries()]}


def model_routes(catalog: ModelCatalog) -> list[web.RouteDef]:
    """``GET /api/models`` and ``GET /api/models/{qualified_name}/metadata`` over ``catalog``."""

    async def get_models(request: web.Request) -> web.Response:
        return web.json_response(models_body(catalog))

    async def get_model_metadata(request: web.Request) -> web.Response:
        try:
            entry = catalog.get(request.match_info["qualified_name"])
        except UnknownModelError as exc:
            return error_response(exc)
        return web.json_response(entry.metadata())

    return [
        web.get(MODELS_PATH, get_models, name="get_models"),
        web.get(METADATA_PATH, get_model_metadata, name="get_model_metadata"),
    ]
