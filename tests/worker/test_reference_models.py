"""The reference models: real scikit-learn models, validated input, vectorised predict_batch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ml_base import MLModel
from ml_base.ml_model import MLModelSchemaValidationException
from sklearn.datasets import load_diabetes, load_iris
from sklearn.metrics import r2_score

from streamproc.cli.train import train
from streamproc.errors import ModelLoadError
from streamproc.reference_models import DiabetesModel, IrisModel
from streamproc.reference_models.iris import IrisModelInput, IrisModelOutput, Species

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def test_metadata() -> None:
    assert issubclass(IrisModel, MLModel) and issubclass(DiabetesModel, MLModel)
    assert (IrisModel.qualified_name, IrisModel.version, IrisModel.display_name) == (
        "iris_model",
        "0.1.0",
        "Iris Model",
    )
    assert (DiabetesModel.qualified_name, DiabetesModel.version) == ("diabetes_model", "0.1.0")
    assert "iris" in IrisModel.description.lower()
    assert [s.value for s in Species] == ["setosa", "versicolor", "virginica"]


def test_iris_predicts_setosa(iris_model: IrisModel) -> None:
    prediction = iris_model.predict(IrisModelInput(**SETOSA))
    assert isinstance(prediction, IrisModelOutput)
    assert prediction.species is Species.setosa
    assert prediction.model_dump(mode="json") == {"species": "setosa"}


def test_iris_accepts_a_dict(iris_model: IrisModel) -> None:
    assert iris_model.predict(SETOSA).species is Species.setosa


def test_iris_is_accurate_on_its_data(iris_model: IrisModel) -> None:
    data = load_iris()
    inputs = [dict(zip(IrisModel.features, row, strict=True)) for row in data.data]
    predicted = [o.species.value for o in iris_model.predict_batch(inputs)]
    expected = [data.target_names[t] for t in data.target]
    assert sum(p == e for p, e in zip(predicted, expected, strict=True)) / len(expected) > 0.95


def test_predict_batch_equals_predict_per_item(iris_model: IrisModel, diabetes_model: DiabetesModel) -> None:
    iris_inputs = [
        IrisModelInput(**SETOSA),
        IrisModelInput(**{**SETOSA, "petal_length": 5.5, "petal_width": 2.1}),
    ]
    assert iris_model.predict_batch(iris_inputs) == [iris_model.predict(i) for i in iris_inputs]
    rows = load_diabetes(scaled=False).data[:5]
    diabetes_inputs = [dict(zip(DiabetesModel.features, row, strict=True)) for row in rows]
    batch = [o.disease_progression for o in diabetes_model.predict_batch(diabetes_inputs)]
    single = [diabetes_model.predict(i).disease_progression for i in diabetes_inputs]
    assert batch == pytest.approx(single, rel=1e-12)  # BLAS may round a matrix product differently
    assert iris_model.predict_batch([]) == []


def test_predict_batch_is_one_sklearn_call(iris_model: IrisModel, monkeypatch: pytest.MonkeyPatch) -> None:
    estimator = iris_model._estimator
    calls: list[Any] = []
    original = estimator.predict

    def counting(matrix: Any) -> Any:
        calls.append(matrix.shape)
        return original(matrix)

    monkeypatch.setattr(estimator, "predict", counting)
    iris_model.predict_batch([SETOSA] * 7)
    assert calls == [(7, 4)]


@pytest.mark.parametrize(
    "bad",
    [
        {**SETOSA, "sepal_length": -1.0},
        {**SETOSA, "petal_width": 11},
        {k: v for k, v in SETOSA.items() if k != "sepal_width"},
        {**SETOSA, "petal_length": "long"},
    ],
)
def test_bad_input_raises_schema_validation_exception(iris_model: IrisModel, bad: dict[str, Any]) -> None:
    with pytest.raises(MLModelSchemaValidationException):
        iris_model.predict(bad)


def test_diabetes_regression_is_real(diabetes_model: DiabetesModel) -> None:
    data = load_diabetes(scaled=False)
    inputs = [dict(zip(DiabetesModel.features, row, strict=True)) for row in data.data]
    predicted = [o.disease_progression for o in diabetes_model.predict_batch(inputs)]
    assert r2_score(data.target, predicted) > 0.4
    assert all(isinstance(p, float) for p in predicted)


def test_diabetes_rejects_out_of_range_sex(diabetes_model: DiabetesModel) -> None:
    row = dict(zip(DiabetesModel.features, load_diabetes(scaled=False).data[0], strict=True))
    with pytest.raises(MLModelSchemaValidationException, match="sex"):
        diabetes_model.predict({**row, "sex": 3})


def test_a_missing_configured_artifact_is_not_replaced_and_says_how_to_train(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="run `streamproc train --output-dir"):
        IrisModel(model_path=tmp_path / "missing.joblib")


def test_train_command_writes_loadable_artifacts(tmp_path: Path) -> None:
    result = CliRunner().invoke(train, ["--output-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "iris_model.joblib" in result.output and "diabetes_model.joblib" in result.output
    assert IrisModel(model_path=tmp_path / "iris_model.joblib").predict(SETOSA).species is Species.setosa
    DiabetesModel(model_path=str(tmp_path / "diabetes_model.joblib"))


LOAD_WITH_DEFAULT_PATH = """
import sys
from pathlib import Path
import streamproc.reference_models._base as base
base.ARTIFACTS_DIR = Path(sys.argv[1])
from streamproc.reference_models.iris import IrisModel
setosa = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
print(IrisModel().predict(setosa).species.value)
"""


def test_a_missing_default_artifact_is_trained_on_first_load_even_by_two_processes_at_once(
    tmp_path: Path,
) -> None:
    loaders = [
        subprocess.Popen(
            [sys.executable, "-c", LOAD_WITH_DEFAULT_PATH, str(tmp_path)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [loader.communicate(timeout=120)[0].strip() for loader in loaders]
    assert [loader.returncode for loader in loaders] == [0, 0]
    assert outputs == ["setosa", "setosa"]
    assert [p.name for p in tmp_path.iterdir()] == ["iris_model.joblib"], "a temporary file was left behind"
