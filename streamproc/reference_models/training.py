"""Train the reference models on scikit-learn's bundled data sets and persist them with joblib."""

from __future__ import annotations

from pathlib import Path

import joblib
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from streamproc.reference_models._base import ARTIFACTS_DIR
from streamproc.reference_models.diabetes import DiabetesModel
from streamproc.reference_models.iris import IrisModel


def _save(estimator: Pipeline, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(estimator, path)
    return path


def train_iris(path: Path) -> Path:
    """Fit the iris classifier (labels 0/1/2 = setosa/versicolor/virginica) and write it to ``path``."""
    data = load_iris()
    estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    estimator.fit(data.data, data.target)
    return _save(estimator, path)


def train_diabetes(path: Path) -> Path:
    """Fit the diabetes regressor on raw (unscaled) features and write it to ``path``."""
    data = load_diabetes(scaled=False)
    estimator = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    estimator.fit(data.data, data.target)
    return _save(estimator, path)


def train_all(directory: Path = ARTIFACTS_DIR) -> list[Path]:
    """Train every reference model into ``directory`` as ``{qualified_name}.joblib``."""
    return [
        train_iris(directory / f"{IrisModel.qualified_name}.joblib"),
        train_diabetes(directory / f"{DiabetesModel.qualified_name}.joblib"),
    ]
