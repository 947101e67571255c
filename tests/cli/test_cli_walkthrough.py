"""A new user's first steps with the CLI, on fresh topics: topics, send, receive, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamproc.settings import StreamprocSettings
from tests.support.kafka_io import collect
from tests.support.stack import running_worker, unique_settings

pytestmark = pytest.mark.broker
STREAMPROC = str(Path(sys.executable).parent / "streamproc")
SETOSA = '{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'


@pytest.fixture(scope="module")
def fresh(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamprocSettings]:
    """A worker of its own, so the first output on its topics is the walk-through's."""
    settings = unique_settings(kafka_bootstrap, tmp_path_factory.mktemp("walkthrough"))
    with running_worker(settings, tmp_path_factory.mktemp("walkthrough-log") / "worker.log"):
        yield settings


def cli(settings: StreamprocSettings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, **settings.environment()}
    return subprocess.run(
        [STREAMPROC, *args], input=stdin, capture_output=True, text=True, timeout=120, env=env
    )


def test_echo_send_then_receive_prints_the_species(fresh: StreamprocSettings) -> None:
    sent = cli(fresh, "send", "iris_model", stdin=SETOSA + "\n")
    assert sent.returncode == 0, sent.stderr
    assert f"sent 1 message(s) to {fresh.topic_prefix}.iris_model.0.1.inputs" in sent.stderr
    received = cli(fresh, "receive", "iris_model", "--stream", "outputs", "--max", "1", "--timeout", "60")
    assert received.returncode == 0, received.stderr
    assert json.loads(received.stdout) == {"species": "setosa"}


def test_a_file_of_lines_with_a_key_and_a_bad_line_on_the_errors_stream(
    fresh: StreamprocSettings, tmp_path: Path
) -> None:
    lines = tmp_path / "inputs.jsonl"
    out_of_range = '{"sepal_length": 51, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'
    lines.write_text(f"{SETOSA}\n{out_of_range}\n")
    sent = cli(fresh, "send", "iris_model", "--file", str(lines), "--key", "flower-1", "--json")
    assert sent.returncode == 0 and "sent 2 message(s)" in sent.stderr, sent.stderr
    errors = cli(
        fresh, "receive", "iris_model", "--stream", "errors", "--max", "1", "--timeout", "60", "--headers"
    )
    record = json.loads(errors.stdout)
    assert record["headers"]["error_type"] == "SCHEMA_ERROR"
    assert record["value"]["details"] == [
        {"location": "sepal_length", "message": "Input should be less than or equal to 10"}
    ]
    assert record["key"] == "Zmxvd2VyLTE="  # base64 of b"flower-1": the key is kept


def test_send_rejects_a_line_that_does_not_fit_the_avro_schema(fresh: StreamprocSettings) -> None:
    result = cli(fresh, "send", "iris_model", stdin='{"sepal_length": "long"}\n')
    assert result.returncode == 1
    assert result.stderr.startswith("line 1: not sent:")


def test_unknown_model_and_unreachable_broker_are_one_clear_line(fresh: StreamprocSettings) -> None:
    unknown = cli(fresh, "send", "no_such_model", stdin=SETOSA)
    assert unknown.returncode != 0
    assert (
        "unknown model 'no_such_model'; models in the catalog: diabetes_model, iris_model" in unknown.stderr
    )
    unreachable = cli(fresh.model_copy(update={"bootstrap_servers": "127.0.0.1:1"}), "receive", "iris_model")
    assert unreachable.returncode != 0
    assert unreachable.stderr.strip().splitlines() == [
        "Error: streamproc receive: no Kafka broker answers at 127.0.0.1:1; start one with "
        "`streamproc kafka start` (or `make run`), or set STREAMPROC_BOOTSTRAP_SERVERS to a running broker"
    ]


def test_receive_says_on_stderr_where_it_starts_reading(fresh: StreamprocSettings) -> None:
    outputs = f"{fresh.topic_prefix}.iris_model.0.1.outputs"
    receive = ("receive", "iris_model", "--stream", "outputs", "--max", "1", "--timeout", "60")
    assert cli(fresh, "send", "iris_model", stdin=SETOSA + "\n" + SETOSA + "\n").returncode == 0
    assert f"reading {outputs}" in cli(fresh, *receive).stderr
    resumed = cli(fresh, *receive)
    assert resumed.returncode == 0, resumed.stderr
    assert f"reading {outputs} after the last `receive` of it (partition " in resumed.stderr
    assert "--from-beginning reads all" in resumed.stderr
    everything = cli(fresh, *receive[:-4], "--max", "1", "--from-beginning")
    assert f"reading {outputs} from its first record" in everything.stderr


def test_topics_create_is_idempotent_and_list_shows_them(fresh: StreamprocSettings) -> None:
    dry = cli(fresh, "topics", "create", "--dry-run")
    assert f"{fresh.topic_prefix}.iris_model.0.1.inputs\tpartitions=3\treplication=1" in dry.stdout
    assert f"{fresh.topic_prefix}.catalog\tpartitions=1\treplication=1\tcleanup.policy=compact" in dry.stdout
    again = cli(fresh, "topics", "create")
    assert again.returncode == 0 and "created" not in again.stdout
    listed = cli(fresh, "topics", "list").stdout.split()
    assert f"{fresh.topic_prefix}.diabetes_model.0.1.errors" in listed


def test_openapi_file_lists_the_catalog_models(fresh: StreamprocSettings, tmp_path: Path) -> None:
    import yaml

    as_json, as_yaml = tmp_path / "openapi.json", tmp_path / "openapi.yaml"
    for path in (as_json, as_yaml):
        result = cli(fresh, "openapi", "--output-file", str(path))
        assert result.returncode == 0 and f"wrote {path} (2 model(s))" in result.stdout, result.stderr
    document = json.loads(as_json.read_text())
    assert yaml.safe_load(as_yaml.read_text()) == document
    assert document["openapi"].startswith("3.")
    prediction = document["paths"]["/api/models/iris_model/prediction"]["post"]
    body_ref = prediction["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = document["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
    assert set(body["required"]) == {"sepal_length", "sepal_width", "petal_length", "petal_width"}
    assert "/api/models/diabetes_model/prediction" in document["paths"]


def test_replay_resends_failed_inputs_with_their_key_and_content_type(fresh: StreamprocSettings) -> None:
    bad = '{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": -7, "petal_width": 0.2, "run": "replay"}'
    assert cli(fresh, "send", "iris_model", "--json", "--key", "replay-me", stdin=bad + "\n").returncode == 0
    inputs = f"{fresh.topic_prefix}.iris_model.0.1.inputs"
    ours = lambda r: r.value == bad.encode()  # noqa: E731
    assert len(collect(fresh.bootstrap_servers, [inputs], ours, 1, 30)) == 1
    assert collect(fresh.bootstrap_servers, [f"{fresh.topic_prefix}.iris_model.0.1.errors"],
                   lambda r: r.value.find(b"replay-me") >= 0, 1, 60)  # fmt: skip

    dry = cli(fresh, "replay", "iris_model", "--dry-run", "--timeout", "3")
    assert dry.returncode == 0 and "would replay" in dry.stdout
    none = cli(fresh, "replay", "iris_model", "--dry-run", "--error-type", "MODEL_ERROR", "--timeout", "3")
    assert (
        none.returncode == 0
        and "would replay" not in none.stdout
        and "would replay 0 input(s)" in none.stderr
    )
    done = cli(fresh, "replay", "iris_model", "--timeout", "3")
    assert done.returncode == 0, done.stderr
    replayed_from = {line.split()[1] for line in done.stdout.splitlines() if line.startswith("replaying")}
    assert replayed_from == {line.split()[2] for line in dry.stdout.splitlines() if line.startswith("would")}

    copies = collect(fresh.bootstrap_servers, [inputs], ours, 2, 30)
    assert len(copies) == 2
    assert all(c.key == b"replay-me" and c.headers["content-type"] == "application/json" for c in copies)
    again = cli(fresh, "replay", "iris_model", "--dry-run", "--timeout", "3")
    assert not replayed_from & {
        line.split()[2] for line in again.stdout.splitlines() if line.startswith("would")
    }
