"""Start, stop and inspect the local single-node broker. No I/O happens in ``__init__``."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from streamproc.dev.localkafka.jars import ensure_jars, require_tool
from streamproc.dev.localkafka.logs import jvm_failure, log_sizes
from streamproc.dev.localkafka.ports import command_line, describe_taken, free_port, port_is_free
from streamproc.dev.localkafka.properties import server_properties
from streamproc.dev.localkafka.secured import SecuredListener
from streamproc.errors import BrokerUnavailableError, ConfigurationError
from streamproc.kafka.probe import broker_answers, cluster_id
from streamproc.settings import StreamprocSettings

LOG4J2 = Path(__file__).with_name("log4j2.properties")
JVM_OPTS = [
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
    "-Djava.net.preferIPv4Stack=true",
]


@dataclass(frozen=True)
class BrokerStatus:
    running: bool
    pid: int | None = None
    bootstrap: str | None = None
    stale: str | None = None  # why a pid record was found not to be this broker (and was removed)


class LocalKafka:
    """One broker instance, identified by its directory (data, logs, properties, pid file)."""

    def __init__(
        self,
        state_dir: Path,
        kafka_version: str,
        port: int = 9092,
        controller_port: int | None = None,
        data_dir: Path | None = None,
        security: str | None = None,
    ) -> None:
        self.kafka_version = kafka_version
        self.port = port
        self.controller_port = controller_port or port + 1
        self._controller_port_chosen = controller_port is not None
        self.libs_dir = state_dir / f"kafka-{kafka_version}" / "libs"
        self.home = (data_dir or state_dir / "kafka").resolve()
        self.pid_file = self.home / "broker.json"
        self.secured = SecuredListener(security, self.home) if security else None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.home / "server.properties"

    @property
    def client(self) -> StreamprocSettings:
        """Settings of a client of this broker (probes use them too)."""
        if self.secured is None:
            return StreamprocSettings(bootstrap_servers=self.bootstrap, kafka_security_protocol="PLAINTEXT")
        return self.secured.client_settings(self.bootstrap)

    def status(self) -> BrokerStatus:
        """Running only when the recorded pid is alive AND is the JVM started with this directory's config.

        A record that fails that check is stale: it is removed and reported, and its pid is left alone.
        """
        record = self._read_pid_file()
        if record is None:
            return BrokerStatus(running=False)
        pid = int(record["pid"])
        if _alive(pid) and str(self.config_path) in command_line(pid):
            return BrokerStatus(running=True, pid=pid, bootstrap=record["bootstrap"])
        self.pid_file.unlink(missing_ok=True)
        other = command_line(pid) if _alive(pid) else ""
        why = f"pid {pid} is not this broker (it runs: {other[:80]})" if other else f"pid {pid} has exited"
        return BrokerStatus(running=False, stale=f"removed a stale record in {self.pid_file}: {why}")

    def start(self, timeout: float = 90.0) -> BrokerStatus:
        """Start the broker (formatting storage first if needed) and return once THIS JVM answers.

        Refuses before starting when a port is taken; afterwards a broker answering at the port counts
        only if its cluster id is the one this directory was formatted with and our JVM is still alive.
        """
        current = self.status()
        if current.running:
            return current
        self._claim_ports()
        java = require_tool("java", "Java 17 (e.g. `apt-get install openjdk-17-jre-headless`)")
        libs = ensure_jars(self.libs_dir, self.kafka_version)
        if self.secured is not None:
            self.secured.prepare()
        props = self._write_properties()
        classpath = f"{LOG4J2.parent}:{libs}/*"
        if not (self.home / "data" / "meta.properties").exists():
            self._format(java, classpath, props)
        expected_cluster = self._formatted_cluster_id()
        logs_before = log_sizes(self.home / "logs")
        log = (self.home / "logs" / "stdout.log").open("ab")
        cmd = [
            java,
            *JVM_OPTS,
            f"-Dkafka.logs.dir={self.home / 'logs'}",
            f"-Dlog4j2.configurationFile={LOG4J2}",
            "-cp",
            classpath,
            "kafka.Kafka",
            str(props),
        ]
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.pid_file.write_text(
            json.dumps({"pid": proc.pid, "bootstrap": self.bootstrap, "config": str(props)})
        )
        problem = self._await_own_broker(proc, expected_cluster, timeout)
        if problem is not None:
            self.stop()
            failure = jvm_failure(self.home / "logs", logs_before)
            raise BrokerUnavailableError(f"{problem}; see {self.home / 'logs'}:\n{failure}")
        return BrokerStatus(running=True, pid=proc.pid, bootstrap=self.bootstrap)

    def stop(self, grace: float = 15.0) -> bool:
        """SIGTERM, then SIGKILL after ``grace`` seconds. True if this broker was running.

        Only a pid that ``status()`` confirms as this directory's JVM is signalled; a stale record is
        removed without signalling anything.
        """
        current = self.status()
        if not current.running or current.pid is None:
            return False
        pid = current.pid
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while _alive(pid) and time.monotonic() < deadline:
            _wait_pid(pid, 0.2)
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
            _wait_pid(pid, 5.0)
        self.pid_file.unlink(missing_ok=True)
        return True

    def _claim_ports(self) -> None:
        """Refuse a taken broker port; move a defaulted controller port that is taken, refuse a chosen one."""
        if not port_is_free(self.port):
            raise ConfigurationError(describe_taken(self.port, "broker") + "; choose another port")
        if port_is_free(self.controller_port):
            return
        if self._controller_port_chosen:
            raise ConfigurationError(
                describe_taken(self.controller_port, "controller") + "; choose another controller port"
            )
        self.controller_port = free_port()

    def _await_own_broker(self, proc: subprocess.Popen[bytes], expected: str, timeout: float) -> str | None:
        """None once our JVM answers with our cluster id; otherwise what went wrong, in a few words."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return f"the broker JVM (pid {proc.pid}) exited with status {proc.returncode}"
            answered = cluster_id(self.client, timeout=1.0)
            if answered == expected:
                return None
            if answered is not None:
                return (
                    f"another broker (cluster {answered or 'unknown'}) answers at {self.bootstrap}, "
                    f"not the one started (cluster {expected})"
                )
        return f"the broker did not answer at {self.bootstrap} within {timeout:.0f} s"

    def _formatted_cluster_id(self) -> str:
        meta = self.home / "data" / "meta.properties"
        for line in meta.read_text().splitlines():
            if line.startswith("cluster.id="):
                return line.split("=", 1)[1].strip()
        raise ConfigurationError(f"{meta} has no cluster.id; remove {self.home} to start afresh")

    def answers(self) -> bool:
        return broker_answers(self.client)

    def _write_properties(self) -> Path:
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        props = self.config_path
        extra = self.secured.broker_properties(self.port, self.controller_port) if self.secured else None
        props.write_text(server_properties(self.port, self.controller_port, self.home / "data", extra))
        props.chmod(0o600)  # it holds the broker's key and SCRAM password when secured
        return props

    def _format(self, java: str, classpath: str, props: Path) -> None:
        cluster_id = new_cluster_id()
        cmd = [
            java,
            "-Xmx256m",
            f"-Dkafka.logs.dir={self.home / 'logs'}",
            "-cp",
            classpath,
            "kafka.tools.StorageTool",
            "format",
            "-t",
            cluster_id,
            "-c",
            str(props),
            "--ignore-formatted",
            *(self.secured.format_arguments() if self.secured else []),
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise BrokerUnavailableError(f"formatting Kafka storage failed:\n{result.stdout}{result.stderr}")

    def _read_pid_file(self) -> dict | None:
        try:
            return dict(json.loads(self.pid_file.read_text()))
        except (FileNotFoundError, ValueError):
            return None


def new_cluster_id() -> str:
    """URL-safe base64 of a random UUID (22 chars), never with a leading '-' that reads as an option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except (FileNotFoundError, IndexError):
        return False


def _wait_pid(pid: int, timeout: float) -> None:
    """Reap our own child if it is one; otherwise just give it ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child: poll liveness
            if not _alive(pid):
                return
            time.sleep(0.1)
            continue
        if done:
            return
        time.sleep(0.1)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
