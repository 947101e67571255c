"""What a bench run needs besides streamproc, checked (and the peers' venvs made) before anything starts."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable
from pathlib import Path

from streamproc.dev.bench.peers.envs import MLSERVER, QUIX, PeerSetupError, peer_python
from streamproc.dev.bench.rest_baseline import baseline_python
from streamproc.errors import StreamprocError


class MissingBenchDependencyError(StreamprocError):
    """Something the bench needs is not installed; the message says what to install."""


def preflight(state_dir: Path, peers: bool, say: Callable[[str], None]) -> dict[str, str]:
    """Fail at once, with one message, on a missing dependency; returns the peers' interpreters."""
    missing = []
    if importlib.util.find_spec("matplotlib") is None:
        missing.append("matplotlib (the charts): pip install -e '.[bench]'")
    if missing:
        raise MissingBenchDependencyError("streamproc bench needs " + "; ".join(missing))
    if shutil.which("wrk") is None:
        say("wrk is not installed (apt-get install wrk): REST load comes from an aiohttp client pool instead")
    try:
        baseline_python(state_dir)  # rest_model_service, in a venv of its own unless installed here
        return {name: peer_python(state_dir, name, say) for name in (QUIX, MLSERVER)} if peers else {}
    except (PeerSetupError, OSError) as exc:
        raise MissingBenchDependencyError(
            f"{exc}\n(without network access, run the bench without --peers)"
        ) from exc
