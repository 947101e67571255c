"""The Faust app, for ``faust -A streamproc.app worker -l info``.

This module is an entry point: it builds the settings once (``STREAMPROC_*``), loads the topology
and its models, and exposes ``app``. A model that cannot load, or no broker answering, stops the worker
here with one line.
"""

from __future__ import annotations

import sys

from streamproc.errors import StreamprocError
from streamproc.kafka.probe import require_broker
from streamproc.settings import StreamprocSettings
from streamproc.telemetry.tracing import setup_tracing
from streamproc.wire.codec_factory import Codecs
from streamproc.worker.faust_app import build_app
from streamproc.worker.hosting import host_topology
from streamproc.worker.topology import load_topology

settings = StreamprocSettings()
setup_tracing("streamproc-worker")
codecs = Codecs(settings)
try:
    hosted = host_topology(settings, load_topology(settings.topology), codecs)
    if "worker" in sys.argv[1:]:  # `faust -A streamproc.app worker`; other faust commands need no broker
        require_broker(settings, who="")
except StreamprocError as exc:
    sys.stderr.write(f"streamproc worker cannot start: {exc}\n")
    raise SystemExit(2) from exc

app = build_app(settings, hosted, codecs)
