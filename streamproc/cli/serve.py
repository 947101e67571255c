"""``streamproc serve rest|websocket|rpc`` and ``streamproc openapi``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import click

from streamproc.cli.common import preflight
from streamproc.errors import StreamprocError
from streamproc.settings import StreamprocSettings
from streamproc.telemetry.tracing import setup_tracing


def _run(service: Coroutine[Any, Any, None]) -> None:
    try:
        asyncio.run(service)
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # typically: the port is taken
        raise click.ClickException(str(exc)) from exc


@click.group()
def serve() -> None:
    """Run a bridge: REST, WebSocket (with the web UI) or RPC (ZeroRPC protocol)."""


@serve.command()
@click.option("--host", help="Bind address (default STREAMPROC_REST_HOST, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default STREAMPROC_REST_PORT, 8000).")
@click.pass_obj
def rest(settings: StreamprocSettings, host: str | None, port: int | None) -> None:
    """The REST bridge, compatible with rest_model_service 0.6, with OpenAPI docs at /docs."""
    preflight(settings)
    from bridges.lifecycle import serve
    from bridges.rest.service import rest_bridge

    setup_tracing("streamproc-rest")
    _run(serve(rest_bridge(settings, host, port)))


@serve.command()
@click.option("--host", help="Bind address (default STREAMPROC_WEBSOCKET_HOST, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default STREAMPROC_WEBSOCKET_PORT, 8080).")
@click.pass_obj
def websocket(settings: StreamprocSettings, host: str | None, port: int | None) -> None:
    """The Socket.IO bridge and the browser UI (models, predict form, live dashboards)."""
    preflight(settings)
    from bridges.lifecycle import serve
    from bridges.websocket.service import websocket_bridge

    setup_tracing("streamproc-websocket")
    _run(serve(websocket_bridge(settings, host, port)))


@serve.command()
@click.option("--host", help="Bind address (default STREAMPROC_RPC_HOST, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default STREAMPROC_RPC_PORT, 4242).")
@click.pass_obj
def rpc(settings: StreamprocSettings, host: str | None, port: int | None) -> None:
    """The RPC bridge speaking the ZeroRPC protocol (the stock zerorpc client works)."""
    preflight(settings)
    from bridges.lifecycle import serve
    from bridges.rpc.service import rpc_bridge

    updates = {k: v for k, v in {"rpc_host": host, "rpc_port": port}.items() if v is not None}
    setup_tracing("streamproc-rpc")
    _run(serve(rpc_bridge(settings.model_copy(update=updates))))


@click.command()
@click.option(
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the document (.json, or .yaml / .yml).",
)
@click.pass_obj
def openapi(settings: StreamprocSettings, output_file: Path) -> None:
    """Write the REST bridge's OpenAPI document for the models in the catalog."""
    from bridges.catalog import read_catalog
    from bridges.rest.openapi import build_openapi

    try:
        entries = read_catalog(settings)
    except StreamprocError as exc:
        raise click.ClickException(str(exc)) from exc
    document = build_openapi(entries.values())
    if output_file.suffix in (".yaml", ".yml"):
        import yaml

        output_file.write_text(yaml.safe_dump(document, sort_keys=False))
    else:
        output_file.write_text(json.dumps(document, indent=2) + "\n")
    click.echo(f"wrote {output_file} ({len(entries)} model(s))")
