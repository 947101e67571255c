"""``streamproc train``: train the reference models and persist them with joblib."""

from __future__ import annotations

from pathlib import Path

import click

from streamproc.reference_models._base import ARTIFACTS_DIR
from streamproc.reference_models.diabetes import DiabetesModel
from streamproc.reference_models.iris import IrisModel
from streamproc.reference_models.training import train_all


@click.command()
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=ARTIFACTS_DIR,
    show_default=True,
    help="Where to write {qualified_name}.joblib.",
)
@click.option("--if-missing", is_flag=True, help="Do nothing when every artifact already exists.")
def train(output_dir: Path, if_missing: bool) -> None:
    """Train iris_model and diabetes_model on scikit-learn's bundled data sets."""
    names = (IrisModel.qualified_name, DiabetesModel.qualified_name)
    if if_missing and all((output_dir / f"{name}.joblib").exists() for name in names):
        click.echo(f"reference models already trained in {output_dir}")
        return
    for path in train_all(output_dir):
        click.echo(f"wrote {path}")
