"""Percentiles and medians of bench samples."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of already sorted values, nearest-rank; 0 when empty."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, int(round(q / 100 * len(sorted_values) + 0.5)) - 1))
    return float(sorted_values[rank])


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max of latencies given in seconds, in milliseconds."""
    ordered = sorted(seconds)
    return {f"p{q}_ms": round(percentile(ordered, q) * 1000, 3) for q in (50, 95, 99)} | {
        "max_ms": round((ordered[-1] if ordered else 0.0) * 1000, 3)
    }


def median_of(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per numeric key, the median over runs; the runs are kept under ``runs`` when there are several."""
    keys = [k for k, v in runs[0].items() if isinstance(v, int | float) and not isinstance(v, bool)]
    merged: dict[str, Any] = {k: round(statistics.median(run[k] for run in runs), 3) for k in keys}
    merged.update({k: v for k, v in runs[0].items() if k not in merged})
    if len(runs) > 1:
        merged["runs"] = list(runs)
    return merged
