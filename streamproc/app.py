"""The Faust app, for ``faust -A streamproc.app worker -l info``.

This module is an entry point: it builds the settings once (``STREAMPROC_*``), loads the topology
and its models, and exposes ``app``. A model that cannot load stops the worker here, loudly.
"""

from __future__ import annotations

import sys

from streamproc.errors import StreamprocError
from streamproc.hosted import Codecs, host_topology
from streamproc.settings import StreamprocSettings
from streamproc.topology import load_topology
from streamproc.worker import build_app

settings = StreamprocSettings()
codecs = Codecs(settings)
try:
    hosted = host_topology(settings, load_topology(settings.topology), codecs)
except StreamprocError as exc:
    sys.stderr.write(f"streamproc worker cannot start: {exc}\n")
    raise SystemExit(2) from exc

app = build_app(settings, hosted, codecs)
