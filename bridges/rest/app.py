"""The REST bridge application: rest_model_service's API over the model topics.

``build_rest_app`` wires routes and middlewares; it does no I/O. The catalog and requester are started
and stopped by whoever owns them (``bridges.lifecycle.Bridge`` or a test fixture).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import ClientPayloadError, web

from bridges.access import BridgeAccess
from bridges.dataplane import DataPlane
from bridges.rest.docs import DOCS_PATH, OPENAPI_PATH, docs_routes
from bridges.rest.errors import answer_for_status, error_response
from bridges.rest.health import health_routes
from bridges.rest.metrics import METRICS_PATH, MODEL_KEY, RestMetrics
from bridges.rest.models import model_routes
from bridges.rest.openapi import DEFAULT_TITLE, build_openapi
from bridges.rest.prediction import prediction_routes
from streamproc.errors import StreamprocError
from streamproc.settings import StreamprocSettings

if TYPE_CHECKING:
    from bridges.catalog import ModelCatalog
    from bridges.requestreply.requester import Requester

log = logging.getLogger(__name__)

CLIENT_CLOSED = 499  # the status nginx logs for a client that closed its connection first
METRICS_KEY = web.AppKey("rest_metrics", RestMetrics)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _http_error(exc: web.HTTPException) -> web.Response:
    text = exc.text or exc.reason
    prefix = f"{exc.status}: "
    answer = answer_for_status(exc.status, text[len(prefix) :] if text.startswith(prefix) else text)
    kept = {k: v for k, v in exc.headers.items() if k.lower() not in ("content-type", "content-length")}
    return web.json_response(answer.body(), status=answer.status, headers=kept)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes ``{"type", "messages"}`` with the status of the one error table."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _http_error(exc)
    except StreamprocError as exc:
        return error_response(exc)
    except (ConnectionResetError, ClientPayloadError):  # the client went away mid-request: not our error
        log.info("client disconnected path=%s", request.path)
        return web.Response(status=CLIENT_CLOSED, reason="Client Closed Request")
    except Exception as exc:
        log.exception("unexpected error path=%s model=%s", request.path, request.get(MODEL_KEY, ""))
        return error_response(exc)


def _openapi_handler(catalog: ModelCatalog, title: str) -> Handler:
    cache: dict[tuple[Any, ...], dict[str, Any]] = {}

    async def openapi(request: web.Request) -> web.Response:
        entries = catalog.entries()
        key = tuple((e.qualified_name, e.version, e.updated_at) for e in entries)
        if key not in cache:
            cache.clear()
            cache[key] = build_openapi(entries, title=title)
        return web.json_response(cache[key])

    return openapi


async def _root(request: web.Request) -> web.Response:
    raise web.HTTPTemporaryRedirect(DOCS_PATH)


def build_rest_app(
    settings: StreamprocSettings, catalog: ModelCatalog, requester: Requester, *, title: str = DEFAULT_TITLE
) -> web.Application:
    """The aiohttp application of one REST bridge over a started ``catalog`` and ``requester``."""
    metrics = RestMetrics(requester)
    access = BridgeAccess.from_settings(settings)  # tokens, CORS, JSON-only bodies
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[*access.middlewares(), metrics.middleware, error_middleware],
    )
    app[METRICS_KEY] = metrics
    app.add_routes(
        [
            web.get("/", _root, name="root"),
            *health_routes(catalog, requester),
            *model_routes(catalog),
            *prediction_routes(DataPlane(settings, catalog, requester), metrics),
            web.get(OPENAPI_PATH, _openapi_handler(catalog, title), name="openapi"),
            *docs_routes(title),
            web.get(METRICS_PATH, metrics.handle_metrics, name="metrics"),
        ]
    )
    return app
