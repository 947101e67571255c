"""Fixtures of the unit tests: reference models trained into a temporary directory (fast, no downloads)."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamproc.reference_models import DiabetesModel, IrisModel
from streamproc.reference_models.training import train_all
from streamproc.settings import REPO_ROOT
from streamproc.wire.avro.store import SchemaStore


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("artifacts")
    train_all(directory)
    return directory


@pytest.fixture(scope="session")
def iris_model(artifacts_dir: Path) -> IrisModel:
    return IrisModel(model_path=artifacts_dir / "iris_model.joblib")


@pytest.fixture(scope="session")
def diabetes_model(artifacts_dir: Path) -> DiabetesModel:
    return DiabetesModel(model_path=artifacts_dir / "diabetes_model.joblib")


@pytest.fixture()
def committed_store() -> SchemaStore:
    return SchemaStore.from_directory(REPO_ROOT / "schemas")
