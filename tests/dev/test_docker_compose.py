"""docker-compose.yml (not runnable here) agrees with the settings object and the design's ports."""

from __future__ import annotations

import yaml

from streamproc.settings import REPO_ROOT, StreamprocSettings

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_compose_has_broker_worker_every_bridge_and_a_kafka_ui() -> None:
    assert {"kafka", "topics", "worker", "rest", "websocket", "rpc", "kafka-ui"} <= set(SERVICES)
    assert SERVICES["worker"]["command"][:3] == ["faust", "-A", "streamproc.app"]


def test_every_streamproc_variable_is_a_settings_field() -> None:
    fields = set(StreamprocSettings.model_fields)
    for name, service in SERVICES.items():
        for variable in service.get("environment", {}):
            if variable.startswith("STREAMPROC_"):
                assert variable.removeprefix("STREAMPROC_").lower() in fields, f"{name}: {variable}"


def test_bridge_ports_match_the_settings_defaults() -> None:
    defaults = StreamprocSettings()
    expected = {"rest": defaults.rest_port, "websocket": defaults.websocket_port, "rpc": defaults.rpc_port}
    for service, port in expected.items():
        env = SERVICES[service]["environment"]
        assert int(env[f"STREAMPROC_{service.upper()}_PORT"]) == port
        assert SERVICES[service]["ports"] == [f"127.0.0.1:{port}:{port}"]
        assert SERVICES[service]["command"] == ["streamproc", "serve", service]


def test_bridges_listen_on_all_interfaces_inside_containers() -> None:
    for service in ("rest", "websocket", "rpc"):
        assert SERVICES[service]["environment"][f"STREAMPROC_{service.upper()}_HOST"] == "0.0.0.0"


def test_host_ports_are_published_on_loopback_only() -> None:
    for name, service in SERVICES.items():
        for mapping in service.get("ports", []):
            assert mapping.startswith("127.0.0.1:"), f"{name} publishes {mapping} on every interface"


def test_the_worker_serves_metrics_and_health_to_the_host_loopback() -> None:
    worker = SERVICES["worker"]
    assert "--without-web" not in worker["command"]
    port = StreamprocSettings().worker_web_port
    assert worker["environment"]["STREAMPROC_WORKER_WEB_PORT"] == port
    assert worker["environment"]["STREAMPROC_WORKER_WEB_HOST"] == "0.0.0.0"
    assert worker["ports"] == [f"127.0.0.1:{port}:{port}"]
