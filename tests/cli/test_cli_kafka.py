"""`streamproc kafka start|status|stop`: a real probe, a clean stop, no JVM left, never a stranger's broker.

Taken ports are refused before a JVM starts; a stale pid record is removed and nothing is signalled.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from confluent_kafka.admin import AdminClient

from streamproc.dev.localkafka import LocalKafka
from streamproc.kafka.probe import cluster_id
from streamproc.settings import REPO_ROOT
from tests.support.brokers import free_port

STREAMPROC = str(Path(sys.executable).parent / "streamproc")


def cli(
    *args: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STREAMPROC_STATE_DIR": str(REPO_ROOT / ".streamproc"), **(env or {})}
    return subprocess.run([STREAMPROC, *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_start_prints_a_listable_bootstrap_then_stop_leaves_no_jvm(tmp_path: Path) -> None:
    port, data_dir = str(free_port()), str(tmp_path / "broker")
    started = cli("kafka", "start", "--port", port, "--data-dir", data_dir)
    assert started.returncode == 0, started.stderr
    bootstrap = started.stdout.strip()
    assert bootstrap == f"127.0.0.1:{port}"
    pid = int(started.stderr.split("pid ")[1].split(")")[0])
    try:
        metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10)
        assert metadata.brokers, "the broker answered a metadata request with no brokers"
        again = cli("kafka", "start", "--port", port, "--data-dir", data_dir)
        assert again.stdout.strip() == bootstrap and "already running" in again.stderr
        status = cli("kafka", "status", "--port", port, "--data-dir", data_dir)
        assert status.returncode == 0 and "answering" in status.stdout
    finally:
        stopped = cli("kafka", "stop", "--port", port, "--data-dir", data_dir)
    assert stopped.stdout.strip() == "stopped"
    assert _gone(pid)
    after = cli("kafka", "status", "--port", port, "--data-dir", data_dir)
    assert after.returncode == 1 and after.stdout.strip() == "not running"


def test_a_jvm_that_dies_at_start_is_reported_from_its_own_log(tmp_path: Path) -> None:
    port, data_dir = str(free_port()), tmp_path / "broker"
    assert cli("kafka", "start", "--port", port, "--data-dir", str(data_dir)).returncode == 0
    cli("kafka", "stop", "--data-dir", str(data_dir))
    meta = data_dir / "data" / "meta.properties"
    meta.write_text(meta.read_text().replace("node.id=1", "node.id=2"))
    failed = cli("kafka", "start", "--port", port, "--data-dir", str(data_dir))
    assert failed.returncode != 0 and "started" not in failed.stderr
    assert "the broker JVM" in failed.stderr and "exited" in failed.stderr
    assert "Stored node id 2 doesn't match" in failed.stderr  # the JVM's own words
    assert not (data_dir / "broker.json").exists()


def test_missing_java_is_one_clear_sentence(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent), "STREAMPROC_STATE_DIR": str(tmp_path)}
    result = subprocess.run(
        [STREAMPROC, "kafka", "start", "--port", str(free_port()), "--data-dir", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode != 0
    assert "'java' was not found: install Java 17" in result.stderr


@contextmanager
def listening(port: int) -> Iterator[socket.socket]:
    """Hold 127.0.0.1:port open, as a stranger's server would."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        yield sock


def test_starting_on_a_taken_port_refuses_in_one_line_naming_the_holder(tmp_path: Path) -> None:
    port = free_port()
    with listening(port):
        result = cli("kafka", "start", "--port", str(port), "--data-dir", str(tmp_path / "b"))
    assert result.returncode != 0 and "started" not in result.stderr
    assert f"the broker port 127.0.0.1:{port} is already in use by pid {os.getpid()}" in result.stderr
    assert not (tmp_path / "b" / "broker.json").exists()


def test_a_taken_configured_controller_port_refuses_never_started(tmp_path: Path) -> None:
    controller = free_port()
    with listening(controller):
        result = cli(
            "kafka",
            "start",
            "--data-dir",
            str(tmp_path / "b"),
            env={
                "STREAMPROC_KAFKA_PORT": str(free_port()),
                "STREAMPROC_KAFKA_CONTROLLER_PORT": str(controller),
            },
        )
    assert result.returncode != 0 and "started" not in result.stderr
    assert (
        f"the controller port 127.0.0.1:{controller} is already in use by pid {os.getpid()}" in result.stderr
    )


def test_stop_and_status_with_a_stale_record_signal_nothing_and_say_so(tmp_path: Path) -> None:
    stranger = subprocess.Popen(["sleep", "60"])
    try:
        for command in ("status", "stop"):
            home = tmp_path / command
            home.mkdir()
            record = {
                "pid": stranger.pid,
                "bootstrap": "127.0.0.1:1",
                "config": str(home / "server.properties"),
            }
            (home / "broker.json").write_text(json.dumps(record))
            result = cli("kafka", command, "--data-dir", str(home))
            assert (
                "stale record" in result.stdout and f"pid {stranger.pid} is not this broker" in result.stdout
            )
            assert not (home / "broker.json").exists(), "the stale record was kept"
            assert stranger.poll() is None, f"`kafka {command}` signalled an unrelated process"
        assert "nothing was signalled" in result.stdout
    finally:
        stranger.kill()
        stranger.wait()


def test_two_brokers_side_by_side_each_stopped_by_its_own_stop(tmp_path: Path) -> None:
    """The second broker's default controller port (port + 1) is taken: it picks another one."""
    first, second = str(free_port()), str(free_port())
    homes = {first: str(tmp_path / "first"), second: str(tmp_path / "second")}
    pids = {}
    try:
        for port, home in homes.items():
            with listening(int(port) + 1):  # the default controller port of this broker is taken
                started = cli("kafka", "start", "--port", port, "--data-dir", home)
            assert started.returncode == 0, started.stderr
            pids[port] = int(started.stderr.split("pid ")[1].split(")")[0])
        clusters = {port: cluster_id(f"127.0.0.1:{port}", timeout=10) for port in homes}
        assert None not in clusters.values() and clusters[first] != clusters[second]
        stopped = cli("kafka", "stop", "--data-dir", homes[first])
        assert stopped.stdout.strip() == "stopped"
        assert _gone(pids[first]) and not _gone(pids[second])
        assert cluster_id(f"127.0.0.1:{second}", timeout=10) == clusters[second]
        _a_stranger_answering_is_never_taken_for_our_broker(int(second), tmp_path)
    finally:
        for home in homes.values():
            cli("kafka", "stop", "--data-dir", home)
    assert all(_gone(pid) for pid in pids.values())


def _a_stranger_answering_is_never_taken_for_our_broker(port: int, tmp_path: Path) -> None:
    """Readiness waits for OUR cluster id: a live JVM of ours while another broker answers is a failure."""
    ours = subprocess.Popen(["sleep", "60"])  # stands in for a JVM of ours that has not bound yet
    try:
        broker = LocalKafka(REPO_ROOT / ".streamproc", "4.2.0", port=port, data_dir=tmp_path / "third")
        problem = broker._await_own_broker(ours, expected="our-own-cluster-id", timeout=20)
    finally:
        ours.kill()
        ours.wait()
    assert problem is not None and "another broker (cluster " in problem and "not the one started" in problem


def _gone(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split(")")[-1].split()[0] == "Z"


def test_streamproc_run_refuses_a_taken_broker_port_before_starting_anything(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "STREAMPROC_BOOTSTRAP_SERVERS": f"127.0.0.1:{port}",
        "STREAMPROC_KAFKA_PORT": str(port),
        "STREAMPROC_STATE_DIR": str(tmp_path / "state"),
    }
    with listening(port):  # something that is not a Kafka broker holds the port
        result = cli("run", env=env, timeout=60)
    assert result.returncode != 0
    assert f"the broker port 127.0.0.1:{port} is already in use by pid {os.getpid()}" in result.stderr
    assert not (tmp_path / "state" / "kafka" / "broker.json").exists()
