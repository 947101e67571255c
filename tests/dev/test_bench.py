"""``streamproc bench --smoke`` end to end on the session broker: every figure, ratio and file is there.

No performance assertion: a smoke run is too small and this machine too shared for its figures to mean
anything; it proves the bench starts what it needs, measures each party and reports it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.broker
STREAMPROC = str(Path(sys.executable).parent / "streamproc")
REQUIRED_RATIOS = (
    "stream_vs_naive",
    "agent_vs_batch",
    "stream_vs_passthrough",
    "rest_rps_vs_baseline_c64",
    "rest_p99_vs_baseline_c64",
    "rest_p50_vs_baseline_c1",
)


@pytest.fixture(scope="module")
def smoke_run(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, str]:
    out = tmp_path_factory.mktemp("bench")
    env = {**os.environ, "STREAMPROC_BOOTSTRAP_SERVERS": kafka_bootstrap}
    command = [
        STREAMPROC,
        "bench",
        "--smoke",
        "--output",
        str(out / "figures.json"),
        "--results-dir",
        str(out),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads((out / "figures.json").read_text()), out, result.stdout


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def test_stream_figures_name_every_processor_with_a_positive_rate(smoke_run: tuple[dict, Path, str]) -> None:
    stream = smoke_run[0]["stream"]
    processors = ("streamproc", "streamproc_agent", "naive", "passthrough", "model_predict_batch")
    for name in (*processors, "processor_in_process"):
        assert _positive(stream[name]["rate"]), (name, stream[name])
    assert stream["messages"] == 300 and stream["partitions"] == 3


def test_rest_figures_cover_each_concurrency_for_both_services(smoke_run: tuple[dict, Path, str]) -> None:
    rest = smoke_run[0]["rest"]
    assert rest["concurrency"] == [1, 16, 64]
    for service in ("streamproc", "rest_model_service"):
        for level in ("1", "16", "64"):
            figures = rest[service][level]
            for key in ("rps", "p50_ms", "p95_ms", "p99_ms"):
                assert _positive(figures[key]), (service, level, key, figures)
            assert figures["errors"] == 0, (service, level, figures)


def test_websocket_rpc_dashboard_and_memory_are_measured(smoke_run: tuple[dict, Path, str]) -> None:
    results = smoke_run[0]
    for path in ("websocket", "rpc"):
        assert results[path]["concurrency"] == 16
        assert _positive(results[path]["rps"]) and _positive(results[path]["p99_ms"]), results[path]
        assert results[path]["errors"] == 0, results[path]
    dashboard = results["dashboard"]
    assert dashboard["subscribers"] == 10 and dashboard["received_fraction"] == 1.0, dashboard
    assert _positive(dashboard["p50_ms"])
    kafka = results["kafka_round_trip"]
    assert kafka["lost"] == 0 and _positive(kafka["p50_ms"]), kafka
    for process in ("worker", "rest_bridge", "websocket_bridge", "rpc_bridge", "rest_model_service"):
        assert _positive(results["memory_mib"][process]), results["memory_mib"]


def test_the_idle_bridge_and_the_full_reader_are_measured_over_one_burst(
    smoke_run: tuple[dict, Path, str],
) -> None:
    results, out, _ = smoke_run
    idle = results["idle_bridge"]
    assert idle["inputs"] == 5000 and _positive(idle["seconds"]), idle
    assert 0 <= idle["bridge_cpu_s"] < 1 and 0 <= idle["full_reader_cpu_s"] < 5, idle
    if idle["full_reader_cpu_s"]:  # CPU time counts in 10 ms ticks: a smoke burst may cost the reader none
        ratio = results["ratios"]["bridge_idle_cpu_vs_full_reader"]
        assert ratio == round(idle["bridge_cpu_s"] / idle["full_reader_cpu_s"], 3)
        assert "bridge_idle_cpu_vs_full_reader" in {t["ratio"] for t in results["targets"]}
    assert "**Idle bridge CPU** (5,000 inputs" in (out / "bench.md").read_text()


def test_ratios_environment_and_report_files(smoke_run: tuple[dict, Path, str]) -> None:
    results, out, stdout = smoke_run
    for name in REQUIRED_RATIOS:
        assert _positive(results["ratios"][name]), (name, results["ratios"])
    assert {t["ratio"] for t in results["targets"]} >= set(REQUIRED_RATIOS) - {"agent_vs_batch"}  # no goal
    env = results["environment"]
    assert _positive(env["cpu_count"]) and env["python"] and env["baseline"] == "rest_model_service 0.6.0"
    table = (out / "bench.md").read_text()
    assert "| 64 | rest_model_service 0.6 |" in table and "stream_vs_naive" in table
    assert table in stdout
    for chart in ("stream.png", "rest.png"):
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
