"""The whole stack on one machine, for ``make run``: broker (if none answers), topics, worker, bridges.

Children run as subprocesses with logs in ``{state_dir}/logs``; readiness is probed for real (the
catalog lists the models, HTTP health answers, the RPC bridge printed its bound address).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from streamproc.dev.localkafka import LocalKafka
from streamproc.dev.processes import Children
from streamproc.errors import BrokerUnavailableError
from streamproc.kafka.probe import broker_answers
from streamproc.settings import StreamprocSettings


@dataclass
class Stack:
    settings: StreamprocSettings
    broker: LocalKafka | None = None
    children: Children = field(init=False)

    def __post_init__(self) -> None:
        self.children = Children((self.settings.state_dir / "logs").resolve())

    def ensure_broker(self) -> str:
        bootstrap = self.settings.bootstrap_servers
        if broker_answers(bootstrap, timeout=2):
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
        return self.children.log(name)

    def wait_until(self, name: str, ready: Callable[[], bool], what: str, timeout: float = 120) -> None:
        self.children.wait_until(name, ready, what, timeout)

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
