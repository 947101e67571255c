"""Committed schemas/: no drift, valid namespaced names, and `streamproc schemas generate` refusing breaks."""

from __future__ import annotations

import json
import shutil
from enum import StrEnum
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastavro import parse_schema
from pydantic import BaseModel, Field

from streamproc.cli.schemas import schemas
from streamproc.settings import REPO_ROOT
from streamproc.wire.avro import committed
from streamproc.wire.avro.generate import avro_schema, model_namespace, render

SCHEMAS_DIR = REPO_ROOT / "schemas"
REFERENCE = [committed.load_class(path) for path in committed.REFERENCE_MODELS]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(schemas, ["generate", *args])
    return result.exit_code, result.output


@pytest.fixture()
def schemas_copy(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(SCHEMAS_DIR, target)
    return target


def test_committed_files_equal_what_generate_produces() -> None:
    expected = committed.expected_files(REFERENCE)
    assert set(expected) == {
        "iris_model/0.1.0/input.avsc",
        "iris_model/0.1.0/output.avsc",
        "diabetes_model/0.1.0/input.avsc",
        "diabetes_model/0.1.0/output.avsc",
        "streamproc/error_record.avsc",
        "streamproc/catalog_record.avsc",
    }
    assert committed.drift(SCHEMAS_DIR, expected) == []
    assert run("--check", "--schemas-dir", str(SCHEMAS_DIR))[0] == 0


def test_committed_schemas_are_valid_and_namespaced() -> None:
    for path in SCHEMAS_DIR.rglob("*.avsc"):
        schema = json.loads(path.read_text())
        parse_schema(schema, named_schemas={})
        relative = path.relative_to(SCHEMAS_DIR).parts
        expected_ns = (
            "streamproc" if relative[0] == "streamproc" else model_namespace(relative[0], relative[1])
        )
        assert schema["namespace"] == expected_ns
        assert path.read_text().endswith("}\n")


def test_iris_output_species_is_an_avro_enum() -> None:
    output = json.loads((SCHEMAS_DIR / "iris_model/0.1.0/output.avsc").read_text())
    assert output["namespace"] == "streamproc.models.iris_model.v0_1"
    assert output["fields"][0]["type"] == {
        "name": "Species",
        "type": "enum",
        "symbols": ["setosa", "versicolor", "virginica"],
    }


def test_check_lists_drifted_files(schemas_copy: Path) -> None:
    (schemas_copy / "iris_model/0.1.0/output.avsc").write_text("{}\n")
    (schemas_copy / "streamproc/error_record.avsc").unlink()
    code, output = run("--check", "--schemas-dir", str(schemas_copy))
    assert code == 1
    assert "iris_model/0.1.0/output.avsc: differs" in output
    assert "streamproc/error_record.avsc: missing" in output


def test_generate_writes_stable_files(tmp_path: Path) -> None:
    code, output = run("--schemas-dir", str(tmp_path))
    assert code == 0, output
    assert "6 schema files, 6 changed" in output
    for path in SCHEMAS_DIR.rglob("*.avsc"):
        if "history" in path.parts:  # earlier versions, committed by hand so their records stay readable
            continue
        assert (tmp_path / path.relative_to(SCHEMAS_DIR)).read_text() == path.read_text()
    assert run("--schemas-dir", str(tmp_path))[1].endswith("6 schema files, 0 changed\n")


def _drop_field(path: Path, name: str) -> None:
    schema = json.loads(path.read_text())
    schema["fields"] = [f for f in schema["fields"] if f["name"] != name]
    path.write_text(render(schema))


def test_generate_refuses_a_break_within_major_minor(schemas_copy: Path) -> None:
    # An older 0.1.x input lacked petal_width: the new schema could not read what its producers wrote.
    old_dir = schemas_copy / "iris_model/0.1.0"
    shutil.copytree(old_dir, schemas_copy / "iris_model/0.1.5")
    _drop_field(schemas_copy / "iris_model/0.1.5/input.avsc", "petal_width")
    before = (schemas_copy / "iris_model/0.1.5/input.avsc").read_text()
    code, output = run("--schemas-dir", str(schemas_copy))
    assert code == 1
    assert "refusing to write incompatible schemas" in output
    assert "iris_model/0.1.0/input.avsc cannot read data written with iris_model/0.1.5/input.avsc" in output
    assert "petal_width: field missing from the written data" in output
    assert (schemas_copy / "iris_model/0.1.5/input.avsc").read_text() == before


def test_other_minor_versions_are_not_constrained(schemas_copy: Path) -> None:
    shutil.copytree(schemas_copy / "iris_model/0.1.0", schemas_copy / "iris_model/0.0.9")
    _drop_field(schemas_copy / "iris_model/0.0.9/input.avsc", "petal_width")
    assert run("--schemas-dir", str(schemas_copy))[0] == 0


def test_outputs_must_stay_readable_by_old_readers(schemas_copy: Path) -> None:
    path = schemas_copy / "iris_model/0.1.0/output.avsc"
    schema = json.loads(path.read_text())
    schema["fields"][0]["type"]["symbols"] = ["setosa", "versicolor"]  # old readers knew two species
    path.write_text(render(schema))
    code, output = run("--schemas-dir", str(schemas_copy))
    assert code == 1
    assert "readers of iris_model/0.1.0/output.avsc cannot read data written with" in output


class Colour(StrEnum):
    red = "red"
    blue = "blue"


class Part(BaseModel):
    weight: float


class Anything(BaseModel):
    """Not an AvroBase subclass."""

    name: str = Field(..., description="A name.")
    colour: Colour
    count: int
    blob: bytes
    parts: list[Part]
    note: str | None = None


def test_any_pydantic_model_converts() -> None:
    schema = avro_schema(Anything, "test.ns")
    parse_schema(schema, named_schemas={})
    types = {f["name"]: f["type"] for f in schema["fields"]}
    assert schema["doc"] == "Not an AvroBase subclass."
    assert types["colour"] == {"name": "Colour", "type": "enum", "symbols": ["red", "blue"]}
    assert types["count"] == "long" and types["blob"] == "bytes"
    assert types["parts"]["items"]["name"] == "Part"
    assert types["note"] == ["null", "string"]


def test_invalid_avro_names_are_refused() -> None:
    class Bad(BaseModel):
        value: int = Field(..., alias="has-dash")

    with pytest.raises(ValueError, match="'has-dash' is not a valid Avro name"):
        avro_schema(Bad, "test.ns")
    with pytest.raises(ValueError, match="Avro namespace"):
        model_namespace("iris-model", "0.1.0")
