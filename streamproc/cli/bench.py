"""``streamproc bench``: throughput, latency and memory of the stack, each beside its baseline."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from streamproc.settings import StreamprocSettings


@click.command()
@click.option("--quick", "size", flag_value="quick", help="A shorter run (at most 3 minutes).")
@click.option("--smoke", "size", flag_value="smoke", help="A tiny run that checks the bench itself works.")
@click.option("--full", "size", flag_value="full", default=True, help="The full run (default, ~6 minutes).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the JSON here.")
@click.option(
    "--results-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench-results"),
    show_default=True,
    help="Where bench.json, bench.md and the charts go.",
)
@click.option(
    "--peers",
    is_flag=True,
    help="Also measure Quix Streams and MLServer (Kafka, REST), installed once with pip into venvs under "
    "the state dir's peers/ (needs the package index).",
)
@click.option("--keep-logs", is_flag=True, help="Keep the children's logs of a run that succeeded too.")
@click.pass_obj
def bench(
    settings: StreamprocSettings,
    size: str,
    output: Path | None,
    results_dir: Path,
    peers: bool,
    keep_logs: bool,
) -> None:
    """Start a broker (unless STREAMPROC_BOOTSTRAP_SERVERS is set), a worker, the bridges and the baselines,
    and measure stream throughput, REST/WebSocket/RPC request-reply and peak memory."""
    from streamproc.dev.bench.plan import PLANS
    from streamproc.dev.bench.report import markdown, write_all
    from streamproc.dev.bench.runner import BenchFailed, run_bench

    command = "streamproc " + shlex.join(sys.argv[1:])
    configured = "bootstrap_servers" in settings.model_fields_set

    def say(line: str) -> None:
        click.echo(f"[bench] {line}", err=True)

    try:
        results = run_bench(
            settings,
            PLANS[size],
            configured_broker=configured,
            command=command,
            say=say,
            peers=peers,
            keep_logs=keep_logs,
        )
    except BenchFailed as exc:
        raise click.ClickException(str(exc)) from exc
    written = write_all(results, results_dir, output)
    click.echo(markdown(results))
    click.echo("wrote " + ", ".join(str(path) for path in written))
