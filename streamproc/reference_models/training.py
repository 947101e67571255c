"""Train the reference models on scikit-learn's bundled data sets and persist them with joblib."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
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
    """Write through a temporary file and rename, so a concurrent loader sees no file or a whole one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        joblib.dump(estimator, tmp)
    os.replace(tmp.name, path)
    return path


def fit_iris() -> Pipeline:
    """The iris classifier (labels 0/1/2 = setosa/versicolor/virginica)."""
    data = load_iris()
    estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return estimator.fit(data.data, data.target)


def fit_diabetes() -> Pipeline:
    """The diabetes regressor on raw (unscaled) features."""
    data = load_diabetes(scaled=False)
    estimator = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    return estimator.fit(data.data, data.target)


FITTERS: dict[str, Callable[[], Pipeline]] = {
    IrisModel.qualified_name: fit_iris,
    DiabetesModel.qualified_name: fit_diabetes,
}


def train_model(qualified_name: str, path: Path) -> Path:
    """Fit the named reference model and write it to ``path``."""
    return _save(FITTERS[qualified_name](), path)


def train_all(directory: Path = ARTIFACTS_DIR) -> list[Path]:
    """Train every reference model into ``directory`` as ``{qualified_name}.joblib``."""
    return [train_model(name, directory / f"{name}.joblib") for name in FITTERS]
