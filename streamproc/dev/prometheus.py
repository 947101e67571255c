"""A Prometheus of our own for development and tests: Debian's `prometheus`, our config and data dir.

It scrapes the worker's and the bridges' ``/metrics`` on 127.0.0.1 and listens on 127.0.0.1 itself.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from streamproc.errors import StreamprocError
from streamproc.settings import StreamprocSettings

BINARY = "prometheus"


def scrape_targets(settings: StreamprocSettings) -> dict[str, str]:
    """Job name → ``host:port`` of every process with a ``/metrics`` page."""
    targets = {
        "worker": f"{settings.worker_web_host}:{settings.worker_web_port}",
        "rest": f"{settings.rest_host}:{settings.rest_port}",
        "websocket": f"{settings.websocket_host}:{settings.websocket_port}",
    }
    if settings.rpc_metrics_port:
        targets["rpc"] = f"{settings.rpc_host}:{settings.rpc_metrics_port}"
    return targets


def write_config(directory: Path, targets: dict[str, str], interval: float) -> Path:
    """``prometheus.yml`` scraping ``targets`` every ``interval`` seconds; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    config = {
        "global": {"scrape_interval": f"{interval:g}s", "evaluation_interval": f"{interval:g}s"},
        "scrape_configs": [
            {"job_name": job, "metrics_path": "/metrics", "static_configs": [{"targets": [target]}]}
            for job, target in targets.items()
        ],
    }
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def prometheus_command(settings: StreamprocSettings) -> list[str]:
    """The command line of a Prometheus for this stack (config and data under the state dir)."""
    binary = shutil.which(BINARY)
    if binary is None:
        raise StreamprocError("prometheus is not installed: apt-get install prometheus (Debian's package)")
    directory = (settings.state_dir / "prometheus").resolve()
    config = write_config(directory, scrape_targets(settings), settings.prometheus_scrape_interval)
    return [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={directory / 'data'}",
        f"--web.listen-address=127.0.0.1:{settings.prometheus_port}",
        "--log.level=warn",
    ]


def prometheus_url(settings: StreamprocSettings) -> str:
    return f"http://127.0.0.1:{settings.prometheus_port}"


def query(url: str, promql: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    """An instant query's result vector (``[{"metric": {...}, "value": [t, "v"]}, ...]``)."""
    address = f"{url}/api/v1/query?{urllib.parse.urlencode({'query': promql})}"
    with urllib.request.urlopen(address, timeout=timeout) as response:
        body = json.loads(response.read())
    if body.get("status") != "success":
        raise StreamprocError(f"prometheus query {promql!r} failed: {body}")
    return list(body["data"]["result"])
