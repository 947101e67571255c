"""The ratios the issue asks for, and the targets they are held against (goals, not test assertions)."""

from __future__ import annotations

from typing import Any

WORKER_MEMORY_BUDGET_MIB = 300.0


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def ratios(results: dict[str, Any]) -> dict[str, float | None]:
    stream, rest = results["stream"], results["rest"]
    ours, base = rest["streamproc"], rest["rest_model_service"]
    out = {
        "stream_vs_naive": _ratio(stream["streamproc"]["rate"], stream["naive"]["rate"]),
        "stream_vs_passthrough": _ratio(stream["streamproc"]["rate"], stream["passthrough"]["rate"]),
        "stream_vs_processor_in_process": _ratio(
            stream["streamproc"]["rate"], stream["processor_in_process"]["rate"]
        ),
    }
    for peer in ("quix", "mlserver_kafka"):
        if peer in stream:
            out[f"stream_vs_{peer}"] = _ratio(stream["streamproc"]["rate"], stream[peer]["rate"])
    if "streamproc_metrics_off" in stream:  # worker rate with its metrics on / off (what they cost)
        out["metrics_on_vs_off"] = _ratio(
            stream["streamproc"]["rate"], stream["streamproc_metrics_off"]["rate"]
        )
    if "streamproc_agent" in stream:
        out["agent_vs_batch"] = _ratio(stream["streamproc_agent"]["rate"], stream["streamproc"]["rate"])
    mlserver = rest.get("mlserver", {}).get("64")
    if mlserver:
        out["rest_rps_vs_mlserver_c64"] = _ratio(ours["64"]["rps"], mlserver["rps"])
        out["rest_p99_vs_mlserver_c64"] = _ratio(ours["64"]["p99_ms"], mlserver["p99_ms"])
    for c in rest["concurrency"]:
        key = str(c)
        out[f"rest_rps_vs_baseline_c{c}"] = _ratio(ours[key]["rps"], base[key]["rps"])
        out[f"rest_p50_vs_baseline_c{c}"] = _ratio(ours[key]["p50_ms"], base[key]["p50_ms"])
        out[f"rest_p99_vs_baseline_c{c}"] = _ratio(ours[key]["p99_ms"], base[key]["p99_ms"])
    idle = results["idle_bridge"]  # 0 s of bridge CPU is a ratio of 0, not a missing one
    if idle["full_reader_cpu_s"]:
        out["bridge_idle_cpu_vs_full_reader"] = round(idle["bridge_cpu_s"] / idle["full_reader_cpu_s"], 3)
    out["worker_memory_vs_budget"] = _ratio(results["memory_mib"].get("worker"), WORKER_MEMORY_BUDGET_MIB)
    return out


TARGETS = (  # (ratio, comparison, goal, what it means); a peer's ratio only when --peers measured it
    ("stream_vs_naive", ">=", 50.0, "stream throughput at least 50x the naive processor"),
    ("stream_vs_passthrough", ">=", 0.30, "stream throughput at least 30% of the pass-through ceiling"),
    ("stream_vs_quix", ">=", 10.0, "stream throughput at least 10x Quix Streams' per-message apply"),
    ("stream_vs_mlserver_kafka", ">=", 30.0, "stream throughput at least 30x MLServer's Kafka server"),
    ("rest_rps_vs_mlserver_c64", ">=", 1.5, "REST requests/s at concurrency 64 at least 1.5x MLServer REST"),
    ("rest_p99_vs_mlserver_c64", "<=", 0.5, "REST p99 at concurrency 64 at most half MLServer REST's"),
    (
        "rest_rps_vs_baseline_c64",
        ">=",
        1.5,
        "REST requests/s at concurrency 64 at least 1.5x rest_model_service",
    ),
    ("rest_p99_vs_baseline_c64", "<=", 1.0, "REST p99 at concurrency 64 no higher than rest_model_service's"),
    ("rest_p50_vs_baseline_c1", "<=", 3.0, "REST p50 at concurrency 1 at most 3x rest_model_service's"),
    (
        "bridge_idle_cpu_vs_full_reader",
        "<=",
        0.10,
        "CPU of a bridge idle on requests during a burst at most 10% of reading every output",
    ),
    ("metrics_on_vs_off", ">=", 0.95, "worker metrics cost under 5% of the worker's stream throughput"),
    ("worker_memory_vs_budget", "<=", 1.0, "worker peak resident memory at most 300 MiB"),
)


def targets(ratio_values: dict[str, float | None]) -> list[dict[str, Any]]:
    rows = []
    for name, comparison, goal, text in TARGETS:
        if name not in ratio_values:
            continue
        value = ratio_values.get(name)
        met = value is not None and (value >= goal if comparison == ">=" else value <= goal)
        rows.append(
            {"ratio": name, "value": value, "goal": f"{comparison} {goal:g}", "met": met, "target": text}
        )
    return rows
