"""``streamproc train``: train the reference models and persist them with joblib."""

from __future__ import annotations

from pathlib import Path

import click

from streamproc.reference_models._base import ARTIFACTS_DIR
from streamproc.reference_models.training import train_all


@click.command()
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=ARTIFACTS_DIR,
    show_default=True,
    help="Where to write {qualified_name}.joblib.",
)
def train(output_dir: Path) -> None:
    """Train iris_model and diabetes_model on scikit-learn's bundled data sets."""
    for path in train_all(output_dir):
        click.echo(f"wrote {path}")
