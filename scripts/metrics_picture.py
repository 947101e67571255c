"""Draw the worker's metrics, as a Prometheus recorded them, into a PNG (the README's picture).

    .venv/bin/python scripts/metrics_picture.py --prometheus http://127.0.0.1:9090 --minutes 5

Four panels over the last ``--minutes``: records per second (inputs, outputs, errors by type), consumer
lag, batch size (p50 / p99) and end-to-end latency (p50 / p99), each from the dashboard's own queries.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

import click
import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402  # after choosing the backend
import matplotlib.pyplot as plt  # noqa: E402

PANELS = {
    "records per second": [
        ("inputs {model}", "sum by (model) (rate(streamproc_worker_inputs_total[30s]))"),
        ("outputs {model}", "sum by (model) (rate(streamproc_worker_outputs_total[30s]))"),
        ("{error_type} {model}", "sum by (model, error_type) (rate(streamproc_worker_errors_total[30s]))"),
    ],
    "consumer lag (records)": [("{model}", "sum by (model) (streamproc_worker_consumer_lag)")],
    "batch size": [
        (
            f"p{q} {{model}}",
            f"histogram_quantile(0.{q}, sum by (le, model) (rate(streamproc_worker_batch_size_bucket[30s])))",
        )
        for q in (50, 99)
    ],
    "end-to-end latency (s)": [
        (
            f"p{q} {{model}}",
            f"histogram_quantile(0.{q}, sum by (le, model) "
            "(rate(streamproc_worker_end_to_end_latency_seconds_bucket[30s])))",
        )
        for q in (50, 99)
    ],
}


def query_range(url: str, promql: str, start: float, end: float, step: float) -> list[dict]:  # type: ignore[type-arg]
    params = urllib.parse.urlencode({"query": promql, "start": start, "end": end, "step": step})
    with urllib.request.urlopen(f"{url}/api/v1/query_range?{params}", timeout=10) as response:
        return list(json.loads(response.read())["data"]["result"])


@click.command()
@click.option("--prometheus", "url", default="http://127.0.0.1:9090", show_default=True)
@click.option("--minutes", default=5.0, show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("docs/metrics.png"))
def main(url: str, minutes: float, output: Path) -> None:
    end = time.time()
    start = end - minutes * 60
    figure, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    for ax, (title, series) in zip(axes.flat, PANELS.items(), strict=True):
        for label, promql in series:
            for result in query_range(url, promql, start, end, step=max(1.0, minutes * 60 / 300)):
                points = [(datetime.fromtimestamp(t), float(v)) for t, v in result["values"] if v != "NaN"]
                if points:
                    ax.plot(*zip(*points, strict=True), label=label.format(**result["metric"]))
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M:%S"))
    figure.suptitle("streamproc worker, as Prometheus scraped it (/metrics)")
    figure.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output, dpi=90)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
