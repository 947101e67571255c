"""The RPC bridge's HTTP side: /metrics counts prediction calls by catalogued model and outcome (behind the
metrics tokens when set), and the health routes answer like the REST bridge's."""

from __future__ import annotations

import asyncio
import urllib.request
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bridges.rpc.service import rpc_bridge
from tests.support.brokers import free_port
from tests.support.rpc_client import run_client
from tests.support.scrape import get, get_json

pytestmark = pytest.mark.broker
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
TOKEN = "scraper-secret"


def scrape_with_token(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_rpc_bridge_serves_metrics_and_health(worker: Any, stack_settings: Any) -> None:
    settings = stack_settings.model_copy(
        update={"rpc_port": 0, "rpc_metrics_port": free_port(), "bridge_metrics_tokens": SecretStr(TOKEN)}
    )
    async with rpc_bridge(settings) as bridge:
        base = f"http://127.0.0.1:{settings.rpc_metrics_port}"
        results = await run_client(
            bridge.address,
            [
                ("iris_model_predict", [SETOSA]),
                ("iris_model_predict", [SETOSA]),
                ("iris_model_predict", [{**SETOSA, "sepal_length": "long"}]),
                ("no_such_model_predict", [SETOSA]),
                ("get_models", []),
            ],
        )
        assert [next(iter(r)) for r in results] == ["ok", "ok", "error", "error", "ok"]

        status, _ = await asyncio.to_thread(get, f"{base}/metrics")
        assert status == 401  # the metrics tokens apply here as on the other bridges
        samples = await asyncio.to_thread(scrape_with_token, f"{base}/metrics")
        health = await asyncio.to_thread(get_json, f"{base}/api/health")
        model_health = await asyncio.to_thread(get_json, f"{base}/api/health/models/no_such_model")

    requests = {labels: v for (name, labels), v in samples.items() if name == "streamproc_rpc_requests_total"}
    assert requests == {
        (("model", "iris_model"), ("outcome", "OK")): 2.0,
        (("model", "iris_model"), ("outcome", "MLModelSchemaValidationException")): 1.0,
        (("model", "unknown"), ("outcome", "NameError")): 1.0,  # never the name a client made up
    }
    latency_count = ("streamproc_rpc_request_duration_seconds_count", (("model", "iris_model"),))
    assert samples[latency_count] == 3.0
    assert samples[("streamproc_rpc_calls_in_flight", ())] == 0.0
    assert health == (200, {"health_status": "HEALTHY"})
    assert model_health == (
        503,
        {"health_status": "NOT_HEALTHY", "reason": "no worker has published this model"},
    )


async def test_rpc_metrics_port_zero_serves_no_http(worker: Any, stack_settings: Any) -> None:
    port = free_port()
    settings = stack_settings.model_copy(update={"rpc_port": 0, "rpc_metrics_port": 0})
    async with rpc_bridge(settings) as bridge:
        [result] = await run_client(bridge.address, [("iris_model_predict", [SETOSA])])
        assert result == {"ok": {"species": "setosa"}}
        assert bridge.transport.metrics_url is None  # type: ignore[attr-defined]
        with pytest.raises(OSError):
            await asyncio.to_thread(get, f"http://127.0.0.1:{port}/metrics")
