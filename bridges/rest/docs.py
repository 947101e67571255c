"""Interactive API docs: Swagger UI served from the files the ``swagger-ui-bundle`` package ships.

No CDN: the page and every script and stylesheet come from this server.
"""

from __future__ import annotations

import html
from pathlib import Path

from aiohttp import web
from swagger_ui_bundle import swagger_ui_path

DOCS_PATH = "/docs"
STATIC_PATH = "/docs/static"
OPENAPI_PATH = "/openapi.json"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="{static}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{static}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{static}/swagger-ui-bundle.js"></script>
  <script src="{static}/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{spec}",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    }});
  </script>
</body>
</html>
"""


def swagger_ui_dir() -> Path:
    """Directory of the bundled Swagger UI distribution."""
    return Path(swagger_ui_path)


def docs_page(title: str) -> str:
    return _PAGE.format(title=html.escape(title), static=STATIC_PATH, spec=OPENAPI_PATH)


def docs_routes(title: str) -> list[web.AbstractRouteDef]:
    """``GET /docs`` (the page) and ``/docs/static/*`` (Swagger UI's own files)."""
    page = docs_page(title)

    async def docs(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    return [
        web.get(DOCS_PATH, docs, name="docs"),
        web.static(STATIC_PATH, swagger_ui_dir(), name="docs_static"),
    ]
