"""Write a bench's results: the JSON with every figure, a Markdown table and PNG charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BASELINE = "rest_model_service"
YES_NO = {True: "yes", False: "no"}


def write_json(results: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path


def _f(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _stream_rows(stream: dict[str, Any]) -> list[str]:
    naive = stream["naive"]["rate"]
    peers = [
        ("streamproc_metrics_off", "streamproc worker, batch engine, metrics off"),
        ("streamproc_agent", "streamproc worker, agent engine (a Faust agent, noack_take batches)"),
        ("quix", "Quix Streams 3.28 (per-message sdf.apply(predict))"),
        ("mlserver_kafka", "MLServer 1.7 Kafka server (its defaults)"),
    ]
    rows = [
        ("streamproc worker, batch engine (aiokafka getmany batches)", stream["streamproc"]["rate"]),
        *[(label, stream[name]["rate"]) for name, label in peers if name in stream],
        ("naive processor (aiokafka, predict + send_and_wait per message)", naive),
        ("pass-through ceiling (confluent-kafka, same bytes)", stream["passthrough"]["rate"]),
        (
            "ModelProcessor in-process (decode, validate, predict, encode; no Kafka)",
            stream["processor_in_process"]["rate"],
        ),
        ("model predict_batch in-process", stream["model_predict_batch"]["rate"]),
    ]
    return [f"| {name} | {_f(rate, 0)} | {_f(rate / naive if naive else None)}x |" for name, rate in rows]


REST_SERVICES = (
    ("streamproc", "streamproc REST bridge", "#1f77b4"),
    (BASELINE, "rest_model_service 0.6", "#999999"),
    ("mlserver", "MLServer 1.7 REST, adaptive batching (64, 5 ms)", "#ff7f0e"),
)


def _rest_rows(rest: dict[str, Any]) -> list[str]:
    rows = []
    for c in rest["concurrency"]:
        for service, label, _ in REST_SERVICES:
            r = rest.get(service, {}).get(str(c))
            if r is None:
                continue
            rows.append(
                f"| {c} | {label} | {_f(r['rps'], 0)} | {_f(r['p50_ms'], 2)} | {_f(r['p95_ms'], 2)} "
                f"| {_f(r['p99_ms'], 2)} | {r['errors']:g} |"
            )
    return rows


def _header(results: dict[str, Any]) -> str:
    env = results["environment"]
    return (
        f"`{results['command']}` — {results['mode']} run, {results['finished_at']}, "
        f"{env['cpus_usable']} CPUs ({env['cpu_model']}), Python {env['python']}, broker {env['broker']}, "
        f"REST load from {env['rest_load_generator']}."
    )


def _bridge_rows(results: dict[str, Any]) -> list[str]:
    ws, rpc, dash, kafka = (
        results["websocket"],
        results["rpc"],
        results["dashboard"],
        results["kafka_round_trip"],
    )
    rows = [
        (
            "Kafka round trip under every bridge (produce input → read output, no HTTP), concurrency 1",
            kafka,
            "–",
        ),
        (f"Socket.IO `prediction_request`, concurrency {ws['concurrency']}", ws, _f(ws["rps"], 0)),
        (
            f"ZeroRPC `iris_model_predict` (stock client), concurrency {rpc['concurrency']}",
            rpc,
            _f(rpc["rps"], 0),
        ),
        (
            f"input produced → prediction at each of {dash['subscribers']} dashboards "
            f"({dash['inputs']} inputs, {dash['received_fraction']:.0%} received)",
            dash,
            "–",
        ),
    ]
    return [f"| {name} | {rps} | {_f(f['p50_ms'], 2)} | {_f(f['p99_ms'], 2)} |" for name, f, rps in rows]


def _idle_line(idle: dict[str, Any]) -> str:
    return (
        f"**Idle bridge CPU** ({idle['inputs']:,} inputs produced straight to the model and answered in "
        f"{idle['seconds']:g} s, no requests): REST bridge {idle['bridge_cpu_s']:.3f} s; a reader of every "
        f"output and error record (the reply path before reply topics) {idle['full_reader_cpu_s']:.3f} s"
    )


def _metrics_cost_line(stream: dict[str, Any]) -> str:
    on, off = stream["streamproc"], stream.get("streamproc_metrics_off")
    steal = (_f(on.get("steal_percent")), _f(off.get("steal_percent"))) if off else None
    if off is None or steal is None:
        return "**Worker metrics cost**: not measured by this plan (no metrics-off worker run)"
    return (
        f"**Worker metrics cost** (metrics on vs off, back to back in each of {stream['repeats']} repeat(s), "
        f"medians): {_f(on['rate'], 0)} vs {_f(off['rate'], 0)} outputs/s; worker CPU "
        f"{_f(on.get('cpu_us_per_input'))} vs {_f(off.get('cpu_us_per_input'))} µs per input; machine "
        f"steal time (the host's other guests) {steal[0]} vs {steal[1]} %"
    )


def _target_rows(results: dict[str, Any]) -> list[str]:
    return [
        f"| {t['target']} | `{t['ratio']}` | {_f(t['value'], 2)} | {t['goal']} | {YES_NO[t['met']]} |"
        for t in results["targets"]
    ]


def markdown(results: dict[str, Any]) -> str:
    stream, rest = results["stream"], results["rest"]
    memory = ", ".join(f"{name} {_f(mib)}" for name, mib in results["memory_mib"].items())
    lines = [
        _header(results),
        "",
        f"**Stream throughput** ({stream['messages']:,} iris inputs produced in advance, "
        f"{stream['partitions']} partitions, one process each; median of {stream['repeats']} run(s))",
        "",
        "| processor | predictions/s | vs naive |",
        "|---|---:|---:|",
        *_stream_rows(stream),
        "",
        _metrics_cost_line(stream),
        "",
        f"**REST request–reply** (closed loop, {rest['seconds']:g} s per level, "
        f"median of {rest['rounds']} round(s))",
        "",
        "| concurrency | service | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---:|---|---:|---:|---:|---:|---:|",
        *_rest_rows(rest),
        "",
        "**WebSocket, RPC and live dashboards**",
        "",
        "| path | req/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
        *_bridge_rows(results),
        "",
        _idle_line(results["idle_bridge"]),
        "",
        f"**Peak resident memory (MiB)**: {memory}",
        "",
        "**Targets**",
        "",
        "| target | ratio | value | goal | met |",
        "|---|---|---:|---|:---:|",
        *_target_rows(results),
    ]
    return "\n".join(lines) + "\n"


def charts(results: dict[str, Any], directory: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    stream = results["stream"]
    bars_of = (
        ("naive", "naive\nbaseline", "#999999"),
        ("mlserver_kafka", "MLServer\nKafka", "#ff7f0e"),
        ("quix", "Quix\nStreams", "#9467bd"),
        ("streamproc_agent", "streamproc\nagent engine", "#aec7e8"),
        ("streamproc", "streamproc\nbatch engine", "#1f77b4"),
        ("passthrough", "pass-through\nceiling", "#2ca02c"),
        ("processor_in_process", "processor\nin-process", "#bbbbbb"),
        ("model_predict_batch", "predict_batch\nin-process", "#dddddd"),
    )
    names = [name for name, _, _ in bars_of if name in stream]
    labels = [label for name, label, _ in bars_of if name in stream]
    colors = [color for name, _, color in bars_of if name in stream]
    fig, ax = plt.subplots(figsize=(10, 4))
    rates = [stream[n]["rate"] for n in names]
    bars = ax.bar(labels, rates, color=colors)
    ax.set_yscale("log")
    ax.set_ylabel("predictions per second (log)")
    ax.set_title(f"Stream throughput, {stream['messages']:,} iris inputs, {stream['partitions']} partitions")
    ax.bar_label(bars, labels=[f"{r:,.0f}" for r in rates], fontsize=8)
    fig.tight_layout()
    stream_png = directory / "stream.png"
    fig.savefig(stream_png, dpi=110)
    plt.close(fig)
    return [stream_png, _rest_chart(results["rest"], directory, plt)]


def _rest_chart(rest: dict[str, Any], directory: Path, plt: Any) -> Path:
    levels = rest["concurrency"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for service, label, color in REST_SERVICES:
        if service not in rest:
            continue
        measured = [c for c in levels if str(c) in rest[service]]
        figures = [rest[service][str(c)] for c in measured]
        left.plot(measured, [f["rps"] for f in figures], marker="o", label=label, color=color)
        right.plot(
            measured,
            [f["p50_ms"] for f in figures],
            marker="o",
            linestyle="--",
            color=color,
            label=f"{label} p50",
        )
        right.plot(measured, [f["p99_ms"] for f in figures], marker="s", color=color, label=f"{label} p99")
    left.set(xscale="log", xlabel="concurrent clients", ylabel="requests per second", title="REST throughput")
    right.set(
        xscale="log",
        yscale="log",
        xlabel="concurrent clients",
        ylabel="latency (ms, log)",
        title="REST latency",
    )
    for ax in (left, right):
        ax.set_xticks(levels, [str(c) for c in levels])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = directory / "rest.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_all(results: dict[str, Any], directory: Path, output: Path | None) -> list[Path]:
    """``bench.json``, ``bench.md`` and the charts in ``directory``; the JSON also at ``output``."""
    written = [write_json(results, directory / "bench.json")]
    if output is not None:
        written.append(write_json(results, output))
    table = directory / "bench.md"
    table.write_text(markdown(results))
    written.append(table)
    written += charts(results, directory)
    return written
