"""``streamproc kafka start|stop|status|fetch|tool``: the local single-node broker and Kafka's own tools."""

from __future__ import annotations

import os
import shlex
import time
from pathlib import Path

import click

from streamproc.dev.localkafka import LocalKafka
from streamproc.dev.localkafka.jars import ensure_jars, ensure_tools, require_tool
from streamproc.dev.localkafka.secured import MODES
from streamproc.dev.localkafka.tools import MAIN_CLASSES, client_config_file, tool_command
from streamproc.errors import StreamprocError
from streamproc.settings import StreamprocSettings

SECURED_PORT = 9094  # the secured broker's default port (its controller: the next one), beside a plain one


def local_kafka(
    settings: StreamprocSettings, port: int | None, data_dir: Path | None, security: str | None = None
) -> LocalKafka:
    if security is not None:  # its own directory and port: a plain broker may run beside it
        port = port or SECURED_PORT
        data_dir = data_dir or settings.state_dir / f"kafka-{security}"
    return LocalKafka(
        settings.state_dir,
        settings.kafka_version,
        port=port or settings.kafka_port,
        controller_port=None if port else settings.kafka_controller_port,
        data_dir=data_dir,
        security=security,
    )


PORT = click.option("--port", type=int, help="Broker port (default STREAMPROC_KAFKA_PORT, 9092).")
DATA_DIR = click.option("--data-dir", type=click.Path(path_type=Path), help="Broker directory.")
SECURITY = click.option(
    "--security",
    type=click.Choice(MODES),
    help=f"A secured listener instead of the plain one (default port {SECURED_PORT}, own directory).",
)


@click.group()
def kafka() -> None:
    """A local single-node Apache Kafka broker (KRaft) run from Maven Central jars."""


@kafka.command()
@PORT
@DATA_DIR
@SECURITY
@click.pass_obj
def start(
    settings: StreamprocSettings, port: int | None, data_dir: Path | None, security: str | None
) -> None:
    """Start the broker (fetching jars and formatting storage if needed); print its bootstrap address, or
    with --security the client settings as STREAMPROC_…=… lines (`set -a; . ./file; set +a` loads them)."""
    broker = local_kafka(settings, port, data_dir, security)
    before = broker.status()
    began = time.monotonic()
    try:
        status = broker.start()
    except StreamprocError as exc:
        raise click.ClickException(str(exc)) from exc
    if before.running:
        click.echo(f"already running (pid {status.pid}) at {status.bootstrap}", err=True)
    else:
        click.echo(f"started (pid {status.pid}) in {time.monotonic() - began:.1f} s", err=True)
    if broker.secured is None:
        click.echo(status.bootstrap)
        return
    for name, value in broker.secured.client_environment(broker.bootstrap).items():
        click.echo(f"{name}={shlex.quote(value)}")


@kafka.command()
@click.pass_obj
def fetch(settings: StreamprocSettings) -> None:
    """Fetch the broker jars and Kafka's command-line tools with Maven (a no-op when they are there)."""
    home = settings.state_dir / f"kafka-{settings.kafka_version}"
    try:
        libs = ensure_jars(home / "libs", settings.kafka_version)
        tools = ensure_tools(home / "tools", settings.kafka_version)
    except StreamprocError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Apache Kafka {settings.kafka_version} jars in {libs}, its tools in {tools}")


@kafka.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("name", type=click.Choice(sorted(MAIN_CLASSES)))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def tool(settings: StreamprocSettings, name: str, args: tuple[str, ...]) -> None:
    """Run Kafka's own NAME tool against the configured bootstrap servers (ARGS go to the tool).

    \b
    streamproc kafka tool console-producer --topic T --property parse.headers=true
    streamproc kafka tool console-consumer --topic T --from-beginning --max-messages 1
    streamproc kafka tool consumer-groups --describe --all-groups      (lag per partition)
    streamproc kafka tool topics --list

    Against a secured cluster (STREAMPROC_KAFKA_SECURITY_PROTOCOL and friends) the tool is given a client
    properties file made from those settings (owner-only, under the state directory's tool-client/).
    """
    try:
        java = require_tool("java", "Java 17 (e.g. `apt-get install openjdk-17-jre-headless`)")
        tools = ensure_tools(
            settings.state_dir / f"kafka-{settings.kafka_version}" / "tools", settings.kafka_version
        )
        config = client_config_file(settings, settings.state_dir.resolve() / "tool-client")
        command = tool_command(java, tools.resolve(), name, list(args), settings.bootstrap_servers, config)
    except StreamprocError as exc:
        raise click.ClickException(str(exc)) from exc
    os.execv(java, command)  # the tool owns the terminal: stdin, Ctrl-C and its exit status


@kafka.command()
@PORT
@DATA_DIR
@SECURITY
@click.pass_obj
def stop(settings: StreamprocSettings, port: int | None, data_dir: Path | None, security: str | None) -> None:
    """Stop the broker: SIGTERM, then SIGKILL after 15 s."""
    broker = local_kafka(settings, port, data_dir, security)
    current = broker.status()
    if current.stale:
        click.echo(f"not running; {current.stale}; nothing was signalled")
    else:
        click.echo("stopped" if broker.stop() else "not running")


@kafka.command()
@PORT
@DATA_DIR
@SECURITY
@click.pass_obj
def status(
    settings: StreamprocSettings, port: int | None, data_dir: Path | None, security: str | None
) -> None:
    """Say whether the broker runs and answers; exit 1 when it does not run."""
    broker = local_kafka(settings, port, data_dir, security)
    current = broker.status()
    if not current.running:
        click.echo(f"not running; {current.stale}" if current.stale else "not running")
        raise SystemExit(1)
    answering = "answering" if broker.answers() else "NOT answering metadata requests"
    click.echo(f"running (pid {current.pid}) at {current.bootstrap}, {answering}")
