"""Throughput of ``streamproc run --no-bridges --workers N`` (one consumer group) on a 6-partition topic.

``python -m streamproc.dev.bench.scaling [INPUTS] [ROUNDS] [COUNTS]`` (defaults 60000, 2, ``1,2``) starts a
local broker on free ports, then per round and worker count: the stack, once it printed ``Ready.``,
gets INPUTS iris inputs and is rated on the span of its outputs' timestamps. Prints medians per count.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from streamproc.dev.bench.data import observe_outputs, produce_inputs
from streamproc.dev.bench.procs import free_port
from streamproc.dev.localkafka import LocalKafka
from streamproc.dev.processes import command
from streamproc.settings import StreamprocSettings
from streamproc.wire.codec_factory import Codecs
from streamproc.worker.hosting import host_topology
from streamproc.worker.topology import load_topology

PARTITIONS = 6
SETTLE = 3.0  # seconds after Ready. for the last rebalance to finish before the load starts


def one_run(bootstrap: str, work: Path, topology: Path, workers: int, inputs: int) -> float:
    prefix = f"scale{uuid.uuid4().hex[:6]}"
    settings = StreamprocSettings(
        bootstrap_servers=bootstrap, topic_prefix=prefix, topology=topology, state_dir=work / prefix
    )
    env = {**os.environ, **settings.environment(), "STREAMPROC_WORKER_WEB_PORT": str(free_port())}
    log = work / f"{prefix}.log"
    with log.open("w") as out:
        run = subprocess.Popen(
            command("streamproc", "run", "--no-bridges", "--workers", workers),
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while "Ready." not in log.read_text():
            if run.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamproc run did not get ready:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)  # polling the log for the real readiness line
        time.sleep(SETTLE)
        hosted = host_topology(settings, load_topology(topology), Codecs(settings))[0]
        produce_inputs(bootstrap, hosted.topics.inputs, inputs, hosted.processor._input_codec.encode)
        span = observe_outputs(bootstrap, hosted.topics.outputs, inputs, timeout=600)
        return span.rate
    finally:
        os.killpg(run.pid, signal.SIGINT)
        run.wait(60)


def main() -> None:
    inputs = int(sys.argv[1]) if len(sys.argv) > 1 else 60_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    counts = [int(c) for c in (sys.argv[3] if len(sys.argv) > 3 else "1,2").split(",")]
    work = Path(tempfile.mkdtemp(prefix="streamproc-scaling-"))
    base = StreamprocSettings()
    broker = LocalKafka(
        base.state_dir.resolve(), base.kafka_version, port=free_port(), controller_port=free_port(),
        data_dir=work / "kafka",
    )  # fmt: skip
    topology = work / "topology.yaml"
    topology.write_text(
        "models:\n  - class_path: streamproc.reference_models.iris.IrisModel\n"
        f"    topics: {{partitions: {PARTITIONS}}}\n"
    )
    rates: dict[int, list[float]] = {c: [] for c in counts}
    broker.start()
    try:
        for round_index in range(rounds):
            for workers in counts:  # interleaved: every count once per round
                rates[workers].append(one_run(broker.bootstrap, work, topology, workers, inputs))
                print(f"round {round_index + 1}: {workers} worker(s) {rates[workers][-1]:,.0f}/s", flush=True)
    finally:
        broker.stop()
    for workers, values in rates.items():
        runs = ", ".join(f"{v:,.0f}" for v in values)
        print(f"{workers} worker(s): median {statistics.median(values):,.0f}/s ({runs})")


if __name__ == "__main__":
    main()
