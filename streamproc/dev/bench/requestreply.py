"""Request–reply: REST against rest_model_service, then WebSocket, RPC and live dashboard latency.

The bridges run as ``streamproc serve …`` children over the worker the stream phase left running; the
baseline runs under uvicorn beside them. Load comes from separate load-generator processes. REST
figures are medians over rounds; each round visits every concurrency level for both services.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from streamproc.dev.bench.context import IRIS, BenchContext
from streamproc.dev.bench.data import iris_rows
from streamproc.dev.bench.peers.envs import MLSERVER
from streamproc.dev.bench.peers.mlserver import BATCHED, MLServerPeer, inference_request
from streamproc.dev.bench.procs import free_port, python_module, run_json, tool
from streamproc.dev.bench.rest_baseline import NAME as BASELINE
from streamproc.dev.bench.rest_baseline import start_baseline
from streamproc.dev.bench.stats import median_of
from streamproc.settings import StreamprocSettings

BRIDGES = ("rest", "websocket", "rpc")
PREDICT_PATH = f"/api/models/{IRIS}/prediction"


def http_ok(url: str, body: bytes | None = None) -> bool:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_services(ctx: BenchContext, settings: StreamprocSettings) -> dict[str, str]:
    """Start the three bridges and the baseline; return once each answers a real prediction."""
    env = settings.environment()
    ports = {name: free_port() for name in (*BRIDGES, BASELINE)}
    urls = {
        "rest": f"http://127.0.0.1:{ports['rest']}",
        "websocket": f"http://127.0.0.1:{ports['websocket']}",
        "rpc": f"tcp://127.0.0.1:{ports['rpc']}",
    }
    env["STREAMPROC_RPC_METRICS_PORT"] = str(free_port())  # never the default one, which may be taken
    for name in BRIDGES:
        ctx.children.spawn(name, tool("streamproc", "serve", name, "--port", ports[name]), env)
    urls[BASELINE] = start_baseline(ctx.children, ctx.workdir, ctx.base.state_dir, ports[BASELINE])
    body = json.dumps(iris_rows()[0]).encode()
    for name in ("rest", BASELINE):
        ready_url = urls[name] + PREDICT_PATH
        ctx.children.wait_until(name, lambda u=ready_url: http_ok(u, body), "a prediction answered", 120)  # type: ignore[misc]
    if MLSERVER in ctx.peers:  # its Kafka server stays idle; REST goes to the adaptively batched model
        server = MLServerPeer(ctx, ctx.peers[MLSERVER], "rest")
        urls["mlserver"] = f"{server.url}/v2/models/{BATCHED}/infer"
        ready = json.dumps(inference_request(iris_rows()[0])).encode()
        ctx.children.wait_until(server.child, lambda: http_ok(urls["mlserver"], ready), "a prediction", 120)
    ctx.children.wait_until("websocket", lambda: http_ok(urls["websocket"] + "/"), "GET /", 120)
    rpc_log = ctx.children.log("rpc")
    ctx.children.wait_until(
        "rpc", lambda: "RPC bridge listening" in rpc_log.read_text(errors="replace"), "listening", 120
    )
    return urls


def rest_figures(ctx: BenchContext, urls: dict[str, str]) -> dict[str, Any]:
    plan = ctx.plan
    body = json.dumps(iris_rows()[0])
    services = [  # (service, URL, body, concurrency levels)
        ("streamproc", urls["rest"] + PREDICT_PATH, body, plan.concurrency),
        (BASELINE, urls[BASELINE] + PREDICT_PATH, body, plan.concurrency),
    ]
    if "mlserver" in urls:  # the peer at the level its ratios are about
        services.append(("mlserver", urls["mlserver"], json.dumps(inference_request(iris_rows()[0])), (64,)))
    runs: dict[str, dict[int, list[dict[str, Any]]]] = {service: {} for service, *_ in services}
    for round_index in range(plan.rest_rounds):
        for concurrency in plan.concurrency:
            for service, url, service_body, levels in services:
                if concurrency not in levels:
                    continue
                command = python_module(
                    "streamproc.dev.bench.rest_load",
                    url,
                    service_body,
                    concurrency,
                    plan.rest_seconds,
                    plan.rest_warmup,
                )
                name = f"rest-load-{service}-c{concurrency}-r{round_index}"
                result = run_json(
                    ctx.children, name, command, timeout=plan.rest_seconds + plan.rest_warmup + 60
                )
                runs[service].setdefault(concurrency, []).append(result)
                ctx.say(
                    f"REST {service} c{concurrency}: {result['rps']:.0f} req/s, "
                    f"p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms"
                )
    return {
        "concurrency": list(plan.concurrency),
        "rounds": plan.rest_rounds,
        "seconds": plan.rest_seconds,
        **{service: {str(c): median_of(r) for c, r in levels.items()} for service, levels in runs.items()},
    }


def bridge_figures(ctx: BenchContext, urls: dict[str, str], settings: StreamprocSettings) -> dict[str, Any]:
    plan = ctx.plan
    limit = plan.bridge_seconds + plan.rest_warmup + 60
    c, seconds, warmup = plan.bridge_concurrency, plan.bridge_seconds, plan.rest_warmup
    websocket = run_json(
        ctx.children,
        "websocket-load",
        python_module(
            "streamproc.dev.bench.bridges_load", "websocket", urls["websocket"], c, seconds, warmup
        ),
        timeout=limit,
    )
    rpc = run_json(
        ctx.children,
        "rpc-load",
        python_module("streamproc.dev.bench.rpc_load", urls["rpc"], c, seconds, warmup),
        timeout=limit,
    )
    dashboard = run_json(
        ctx.children,
        "dashboard-load",
        python_module(
            "streamproc.dev.bench.bridges_load",
            "dashboard",
            urls["websocket"],
            plan.subscribers,
            plan.dashboard_inputs,
            plan.dashboard_rate,
        ),
        env=settings.environment(),
        timeout=plan.dashboard_inputs / plan.dashboard_rate + 60,
    )
    kafka = run_json(
        ctx.children,
        "roundtrip",
        python_module("streamproc.dev.bench.roundtrip", plan.roundtrips),
        env=settings.environment(),
        timeout=plan.roundtrips * 5 + 60,
    )
    ctx.say(
        f"WebSocket c{c}: {websocket['rps']:.0f} req/s; RPC c{c}: {rpc['rps']:.0f} req/s; "
        f"dashboard p50 {dashboard['p50_ms']:.1f} ms; Kafka round trip p50 {kafka['p50_ms']:.2f} ms"
    )
    return {"websocket": websocket, "rpc": rpc, "dashboard": dashboard, "kafka_round_trip": kafka}
