"""The ``streamproc`` command. Settings are built here once and handed to every subcommand."""

from __future__ import annotations

import importlib
import logging
import sys
from importlib.util import find_spec
from typing import Any

import click

from streamproc.errors import StreamprocError

# subcommand name -> ("module:attribute", one-line help). Imported only when run, so that `streamproc --help`
# and a one-line `send` do not pay for every library (tests/cli/test_cli_startup.py keeps the help true).
SUBCOMMANDS = {
    "kafka": (
        "streamproc.cli.kafka:kafka",
        "A local single-node Apache Kafka broker (KRaft) run from Maven Central jars.",
    ),
    "topics": ("streamproc.cli.topics:topics", "Kafka topics of the topology's models."),
    "send": (
        "streamproc.cli.send:send",
        "Send JSON lines to MODEL's inputs topic, Avro-encoded (or raw JSON with --json).",
    ),
    "receive": (
        "streamproc.cli.receive:receive",
        "Print MODEL's predictions (or error records) as JSON lines.",
    ),
    "replay": (
        "streamproc.cli.replay:replay",
        "Re-send the original inputs of MODEL's error records (those that exist now) to its inputs topic.",
    ),
    "serve": (
        "streamproc.cli.serve:serve",
        "Run a bridge: REST, WebSocket (with the web UI) or RPC (ZeroRPC protocol).",
    ),
    "openapi": (
        "streamproc.cli.serve:openapi",
        "Write the REST bridge's OpenAPI document for the models in the catalog.",
    ),
    "schemas": (
        "streamproc.cli.schemas:schemas",
        "Avro schemas generated from the models' pydantic schemas (the wire's source of truth).",
    ),
    "train": (
        "streamproc.cli.train:train",
        "Train iris_model and diabetes_model on scikit-learn's bundled data sets.",
    ),
    "run": (
        "streamproc.cli.run:run",
        "Broker (a local one if none answers), topics, worker and bridges; Ctrl-C stops them all.",
    ),
    "bench": (
        "streamproc.cli.bench:bench",
        "Start a broker (unless STREAMPROC_BOOTSTRAP_SERVERS is set), a worker, the bridges and the "
        "baselines, and measure stream throughput, REST/WebSocket/RPC request-reply and peak memory.",
    ),
}


# subcommands without the broker preflight of cli.common (send, receive, replay and serve run it): with Kafka
# security on, they first check that the cluster admits them
SECURED_CHECK = {"topics"}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, (target, _) in SUBCOMMANDS.items() if find_spec(target.split(":")[0]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return None
        module, attribute = SUBCOMMANDS[cmd_name][0].split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table above, without importing any command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(name, _shorten(SUBCOMMANDS[name][1], limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + "..."


@click.group(cls=LazyGroup)
@click.option("--bootstrap-servers", envvar="STREAMPROC_BOOTSTRAP_SERVERS", help="Kafka bootstrap servers.")
@click.option("--topology", envvar="STREAMPROC_TOPOLOGY", help="Topology YAML file.")
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
@click.pass_context
def cli(ctx: click.Context, bootstrap_servers: str | None, topology: str | None, verbose: bool) -> None:
    """streamproc: ML models as Kafka stream processors, reachable over REST, WebSocket and RPC."""
    from streamproc.settings import StreamprocSettings  # pydantic-settings: imported when a command runs
    from streamproc.telemetry.logs import configure_logging

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
