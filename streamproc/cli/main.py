"""The ``streamproc`` command. Settings are built here once and handed to every subcommand."""

from __future__ import annotations

import importlib
import logging
import sys
from importlib.util import find_spec
from typing import Any

import click

from streamproc.errors import StreamprocError
from streamproc.settings import StreamprocSettings
from streamproc.telemetry.logs import configure_logging

# subcommand name -> "module:attribute"; imported lazily so `streamproc kafka status` stays fast.
SUBCOMMANDS = {
    "kafka": "streamproc.cli.kafka:kafka",
    "topics": "streamproc.cli.topics:topics",
    "send": "streamproc.cli.send:send",
    "receive": "streamproc.cli.receive:receive",
    "replay": "streamproc.cli.replay:replay",
    "serve": "streamproc.cli.serve:serve",
    "openapi": "streamproc.cli.serve:openapi",
    "schemas": "streamproc.cli.schemas:schemas",
    "train": "streamproc.cli.train:train",
    "run": "streamproc.cli.run:run",
    "bench": "streamproc.cli.bench:bench",
}


# subcommands without the broker preflight of cli.common (send, receive, replay and serve run it): with Kafka
# security on, they first check that the cluster admits them
SECURED_CHECK = {"topics"}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, target in SUBCOMMANDS.items() if find_spec(target.split(":")[0]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup)
@click.option("--bootstrap-servers", envvar="STREAMPROC_BOOTSTRAP_SERVERS", help="Kafka bootstrap servers.")
@click.option("--topology", envvar="STREAMPROC_TOPOLOGY", help="Topology YAML file.")
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
@click.pass_context
def cli(ctx: click.Context, bootstrap_servers: str | None, topology: str | None, verbose: bool) -> None:
    """streamproc: ML models as Kafka stream processors, reachable over REST, WebSocket and RPC."""
    overrides: dict[str, Any] = {"bootstrap_servers": bootstrap_servers, "topology": topology}
    try:
        ctx.obj = StreamprocSettings(**{k: v for k, v in overrides.items() if v is not None})
    except Exception as exc:
        raise click.ClickException(f"invalid settings: {exc}") from exc
    configure_logging(logging.INFO if verbose else logging.WARNING, ctx.obj.log_format)
    if ctx.invoked_subcommand in SECURED_CHECK and ctx.obj.kafka_security_protocol != "PLAINTEXT":
        from streamproc.kafka.clients import check_access

        check_access(ctx.obj)  # one clear line (refused login, untrusted certificate) instead of retries


def main() -> None:
    try:
        cli(standalone_mode=True)
    except StreamprocError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
