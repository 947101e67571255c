"""The whole stack on one machine, for ``make run``: broker (if none answers), topics, worker, bridges.

Children run as subprocesses with logs in ``{state_dir}/logs``; readiness is probed for real (the
catalog lists the models, HTTP health answers, the RPC bridge printed its bound address). A child that
dies is started again after a backoff (1 s, doubling up to 30 s; reset once it has run for a minute).
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from streamproc.dev.localkafka import LocalKafka
from streamproc.dev.processes import Children
from streamproc.errors import BrokerUnavailableError
from streamproc.kafka.probe import broker_answers
from streamproc.settings import StreamprocSettings

RESTART_FIRST, RESTART_MAX, HEALTHY_AFTER = 1.0, 30.0, 60.0  # seconds


@dataclass
class Restarts:
    """Supervision state of one child: when it started, how often it failed to stay up, when to retry."""

    argv: list[str]
    started: float = field(default_factory=time.monotonic)
    restarts: int = 0  # consecutive restarts of a child that did not stay up
    restart_at: float | None = None


@dataclass
class Stack:
    settings: StreamprocSettings
    broker: LocalKafka | None = None
    children: Children = field(init=False)
    _restarts: dict[str, Restarts] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.children = Children((self.settings.state_dir / "logs").resolve())

    def ensure_broker(self) -> str:
        bootstrap = self.settings.bootstrap_servers
        if broker_answers(self.settings, timeout=2):
            return f"{bootstrap} (already running)"
        local = f"127.0.0.1:{self.settings.kafka_port}"
        if bootstrap not in (local, f"localhost:{self.settings.kafka_port}"):
            raise BrokerUnavailableError(f"STREAMPROC_BOOTSTRAP_SERVERS={bootstrap} does not answer")
        self.broker = LocalKafka(
            self.settings.state_dir,
            self.settings.kafka_version,
            self.settings.kafka_port,
            self.settings.kafka_controller_port,
        )
        status = self.broker.start()
        return f"{status.bootstrap} (local Apache Kafka {self.settings.kafka_version}, pid {status.pid})"

    def spawn(self, name: str, argv: list[str]) -> Path:
        """Start a child with these settings in its environment; returns its log file."""
        self.children.spawn(name, argv, self.settings.environment())
        self._restarts[name] = Restarts(argv)
        return self.children.log(name)

    def wait_until(self, name: str, ready: Callable[[], bool], what: str, timeout: float = 120) -> None:
        self.children.wait_until(name, ready, what, timeout)

    def supervise(self) -> list[str]:
        """Schedule a restart of each child that died, and restart those whose backoff is over; say so."""
        now, said = time.monotonic(), []
        for name, state in self._restarts.items():
            process = self.children.running[name]
            if process.poll() is None:
                continue
            if state.restart_at is None:
                ran = now - state.started
                state.restarts = 0 if ran > HEALTHY_AFTER else state.restarts + 1
                delay = min(RESTART_FIRST * 2 ** max(state.restarts - 1, 0), RESTART_MAX)
                state.restart_at = now + delay
                said.append(
                    f"{name} exited ({process.returncode}) after {ran:.0f} s;"
                    f" restarting in {delay:.0f} s (log {self.children.log(name)})"
                )
            elif now >= state.restart_at:
                restarted = self.children.spawn(name, state.argv, self.settings.environment())
                state.started, state.restart_at = now, None
                said.append(f"{name} restarted (pid {restarted.pid})")
        return said

    def stop(self) -> None:
        self.children.stop_all()
        if self.broker is not None:
            self.broker.stop()
            self.broker = None


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def log_mentions(log: Path, text: str) -> bool:
    return log.exists() and text in log.read_text(errors="replace")
