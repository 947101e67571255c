"""Run a whole bench: a broker (configured, or a local one on free ports), then each phase, then the report.

Every child is stopped on the way out, whatever happened. The work directory (child logs, topology,
baseline config, broker data) is removed after a successful run and kept, and named, after a failure.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from streamproc.dev.bench.context import BenchContext
from streamproc.dev.bench.environment import environment
from streamproc.dev.bench.idle_bridge import idle_bridge_figures
from streamproc.dev.bench.memory import peak_rss_mib
from streamproc.dev.bench.plan import BenchPlan
from streamproc.dev.bench.preflight import MissingBenchDependencyError, preflight
from streamproc.dev.bench.procs import free_port
from streamproc.dev.bench.ratios import ratios, targets
from streamproc.dev.bench.requestreply import bridge_figures, rest_figures, start_services
from streamproc.dev.bench.rest_baseline import NAME as BASELINE
from streamproc.dev.bench.rest_baseline import baseline_python, installed_version
from streamproc.dev.bench.stream import WORKER, run_stream
from streamproc.dev.localkafka import LocalKafka
from streamproc.dev.processes import Children
from streamproc.errors import BrokerUnavailableError
from streamproc.kafka.probe import broker_answers
from streamproc.settings import StreamprocSettings

MEMORY_OF = {
    "worker": WORKER,
    "rest_bridge": "rest",
    "websocket_bridge": "websocket",
    "rpc_bridge": "rpc",
    "rest_model_service": BASELINE,
}


class BenchFailed(RuntimeError):
    pass


@contextmanager
def bench_broker(
    settings: StreamprocSettings, configured: bool, workdir: Path, say: Callable[[str], None]
) -> Iterator[tuple[str, str]]:
    """(bootstrap, description): the configured broker, or a fresh local one stopped afterwards."""
    if configured:
        if not broker_answers(settings, timeout=5):
            raise BrokerUnavailableError(
                f"STREAMPROC_BOOTSTRAP_SERVERS={settings.bootstrap_servers} does not answer"
            )
        yield settings.bootstrap_servers, f"configured ({settings.bootstrap_servers})"
        return
    broker = LocalKafka(
        settings.state_dir.resolve(),
        settings.kafka_version,
        port=free_port(),
        controller_port=free_port(),
        data_dir=workdir / "kafka",
    )
    say(f"starting a local Apache Kafka {settings.kafka_version} broker at {broker.bootstrap} ...")
    broker.start()
    try:
        yield broker.bootstrap, f"local Apache Kafka {settings.kafka_version} (single node, KRaft)"
    finally:
        broker.stop()


def run_bench(
    settings: StreamprocSettings,
    plan: BenchPlan,
    *,
    configured_broker: bool,
    command: str,
    say: Callable[[str], None] = print,
    peers: bool = False,
    keep_logs: bool = False,
) -> dict[str, Any]:
    """Run every phase of ``plan``; returns the results (figures, environment, ratios, targets)."""
    try:
        peer_pythons = preflight(settings.state_dir, peers, say)
    except MissingBenchDependencyError as exc:
        raise BenchFailed(str(exc)) from exc
    workdir = Path(tempfile.mkdtemp(prefix="streamproc-bench-"))
    children = Children(workdir / "logs")
    started = time.monotonic()
    try:
        with bench_broker(settings, configured_broker, workdir, say) as (bootstrap, broker):
            ctx = BenchContext(plan, bootstrap, workdir, children, settings, say, peer_pythons)
            say(f"stream: {plan.messages:,} inputs x {plan.stream_repeats} repeat(s) ...")
            stream, worker_settings = run_stream(ctx)
            say("request-reply: starting the REST, WebSocket and RPC bridges and rest_model_service ...")
            urls = start_services(ctx, worker_settings)
            rest = rest_figures(ctx, urls)
            bridges = bridge_figures(ctx, urls, worker_settings)
            say(f"idle bridge: {plan.idle_burst:,} inputs while the REST bridge waits for requests ...")
            idle_bridge = idle_bridge_figures(ctx, worker_settings)
            memory = {label: peak_rss_mib(children.pid(name)) for label, name in MEMORY_OF.items()}
            children.stop_all()  # before the broker, so no child logs a vanished broker on its way out
    except Exception as exc:
        children.stop_all()
        raise BenchFailed(f"bench failed: {exc}\n(child logs kept in {workdir / 'logs'})") from exc
    if keep_logs:
        say(f"child logs kept in {workdir / 'logs'}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    results: dict[str, Any] = {
        "mode": plan.name,
        "command": command,
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "duration_s": round(time.monotonic() - started, 1),
        "environment": environment(broker)
        | {"baseline": installed_version(baseline_python(settings.state_dir))},
        "plan": plan.as_dict(),
        "stream": stream,
        "rest": rest,
        **bridges,
        "idle_bridge": idle_bridge,
        "memory_mib": memory,
    }
    results["ratios"] = ratios(results)
    results["targets"] = targets(results["ratios"])
    return results
