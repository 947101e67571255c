"""The reply path before reply topics, as a measuring child: read every record of a model's outputs and
errors topics and keep those whose ``reply_to`` names this reader (none do), as bridges once did.

``python -m streamproc.dev.bench.full_reader BOOTSTRAP OUTPUTS ERRORS COUNT TIMEOUT`` assigns both topics
at their end, prints ``READY``, reads until COUNT records reached OUTPUTS (or TIMEOUT s), and prints its
own CPU seconds over that window (``/proc``, as the bridge's are read) as its BENCH_JSON line.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from typing import Any

from bridges.readers import assign_at_end, poll_batch
from streamproc.dev.bench.procs import cpu_seconds, emit
from streamproc.kafka.clients import reader
from streamproc.settings import StreamprocSettings
from streamproc.wire import headers as h

READY = "READY"
POLL_TIMEOUT = 0.05  # s: the old reply listener's poll


def read_all(bootstrap: str, outputs: str, errors: str, count: int, timeout: float) -> dict[str, float]:
    consumer = reader(StreamprocSettings(bootstrap_servers=bootstrap))
    mine = f"reference-{uuid.uuid4().hex}".encode()  # the reply_to this reader would answer to
    try:
        assign_at_end(consumer, [outputs, errors], timeout=10.0)
        print(READY, flush=True)
        cpu, started = cpu_seconds(os.getpid()), time.monotonic()
        seen = replies = 0
        while seen < count and time.monotonic() - started < timeout:
            for message in poll_batch(consumer, POLL_TIMEOUT):
                if message.error() is not None:
                    continue
                seen += message.topic() == outputs
                headers: Any = message.headers() or ()
                replies += any(name == h.REPLY_TO and value == mine for name, value in headers)
        return {
            "records": seen,
            "replies": replies,
            "cpu_s": round(cpu_seconds(os.getpid()) - cpu, 3),
            "seconds": round(time.monotonic() - started, 2),
        }
    finally:
        consumer.close()


def main(argv: list[str]) -> None:
    bootstrap, outputs, errors, count, timeout = argv
    emit(read_all(bootstrap, outputs, errors, int(count), float(timeout)))


if __name__ == "__main__":
    main(sys.argv[1:])
