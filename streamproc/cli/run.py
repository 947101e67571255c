"""``streamproc run`` (what ``make run`` calls): the whole stack until Ctrl-C, restarting what dies."""

from __future__ import annotations

import signal
import time
from functools import partial

import click

from streamproc.dev.processes import command, worker_command
from streamproc.dev.stack import Stack, http_ok, log_mentions
from streamproc.errors import StreamprocError
from streamproc.kafka.admin import ensure_topics
from streamproc.settings import StreamprocSettings


@click.command()
@click.option("--bridges/--no-bridges", default=True, help="Also start the REST, WebSocket and RPC bridges.")
@click.option(
    "--with-prometheus", is_flag=True, help="Also start Prometheus scraping the worker and bridges."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes, one consumer group: the models' partitions are shared among them.",
)
@click.pass_obj
def run(settings: StreamprocSettings, bridges: bool, with_prometheus: bool, workers: int) -> None:
    """Broker (a local one if none answers), topics, worker and bridges; Ctrl-C stops them all."""
    stack = Stack(settings)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started from a shell that ignores SIGINT
    try:
        _start(stack, settings, bridges, workers)
        if with_prometheus:
            _start_prometheus(stack, settings)
        click.echo("Ready. Ctrl-C stops everything.")
        while True:  # restart whatever dies, until Ctrl-C
            for line in stack.supervise():
                click.echo(line)
            time.sleep(0.5)  # supervision interval, not a readiness wait
    except KeyboardInterrupt:
        click.echo("\nstopping ...")
    except StreamprocError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not abandon the clean-up
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        click.echo("stopped.")


def _start(stack: Stack, settings: StreamprocSettings, bridges: bool, workers: int = 1) -> None:
    from bridges.catalog import read_catalog
    from streamproc.wire.codec_factory import Codecs
    from streamproc.worker.hosting import host_topology
    from streamproc.worker.provisioning import topology_topic_specs
    from streamproc.worker.topology import load_topology

    click.echo(f"Kafka      {stack.ensure_broker()}")
    hosted = host_topology(settings, load_topology(settings.topology), Codecs(settings))
    ensure_topics(settings, topology_topic_specs(settings, hosted))
    names = {h.model.qualified_name for h in hosted}
    worker_log = stack.spawn("worker", worker_command())  # its web server: /metrics, /livez, /readyz
    stack.wait_until(
        "worker", lambda: names <= set(read_catalog(settings, timeout=5)), "models in the catalog"
    )
    listing = ", ".join(f"{h.model.qualified_name} {h.model.version}" for h in hosted)
    click.echo(f"Worker     {listing}   (log {worker_log})")
    for number in range(2, workers + 1):  # the same consumer group: partitions are rebalanced over them
        log = stack.spawn(f"worker-{number}", worker_command("--without-web"))
        stack.wait_until(f"worker-{number}", partial(log_mentions, log, "[^Worker]: Ready"), "Ready")
        click.echo(f"Worker {number}   (log {log})")
    if not bridges:
        return
    rest_url = f"http://{settings.rest_host}:{settings.rest_port}"
    stack.spawn("rest", command("streamproc", "serve", "rest"))
    ws_url = f"http://{settings.websocket_host}:{settings.websocket_port}"
    stack.spawn("websocket", command("streamproc", "serve", "websocket"))
    rpc_log = stack.spawn("rpc", command("streamproc", "serve", "rpc"))
    stack.wait_until("rest", lambda: http_ok(f"{rest_url}/api/health/ready"), "GET /api/health/ready")
    click.echo(f"REST       {rest_url}   (docs {rest_url}/docs)")
    stack.wait_until("websocket", lambda: http_ok(f"{ws_url}/"), "GET /")
    click.echo(f"WebSocket  {ws_url}   (web UI and live dashboards)")
    rpc_url = f"tcp://{settings.rpc_host}:{settings.rpc_port}"
    stack.wait_until("rpc", lambda: log_mentions(rpc_log, "RPC bridge listening on"), "listening")
    click.echo(f"RPC        {rpc_url}   (ZeroRPC protocol: zerorpc {rpc_url})")


def _start_prometheus(stack: Stack, settings: StreamprocSettings) -> None:
    from streamproc.dev.prometheus import prometheus_command, prometheus_url

    url = prometheus_url(settings)
    stack.spawn("prometheus", prometheus_command(settings))
    stack.wait_until("prometheus", lambda: http_ok(f"{url}/-/ready"), "GET /-/ready")
    click.echo(f"Prometheus {url}   (scraping the worker and the bridges)")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
