"""``streamproc schemas generate [--check]``: regenerate the committed Avro schemas under ``schemas/``."""

from __future__ import annotations

from pathlib import Path

import click

from streamproc.settings import StreamprocSettings
from streamproc.wire.avro import committed


def _settings(ctx: click.Context) -> StreamprocSettings:
    return ctx.find_object(StreamprocSettings) or StreamprocSettings()


@click.group()
def schemas() -> None:
    """Avro schemas generated from the models' pydantic schemas (the wire's source of truth)."""


@schemas.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing files that differ.")
@click.option(
    "--model",
    "models",
    multiple=True,
    metavar="CLASS_PATH",
    help="Model class (package.module:Class); repeatable. Default: the reference models.",
)
@click.option("--schemas-dir", type=click.Path(path_type=Path), help="Default: STREAMPROC_SCHEMAS_DIR.")
@click.pass_context
def generate(ctx: click.Context, check: bool, models: tuple[str, ...], schemas_dir: Path | None) -> None:
    """Write schemas/{model}/{version}/input|output.avsc and schemas/streamproc/*.avsc.

    Refuses (exit 1) when a new schema breaks compatibility with a committed schema of the same
    major.minor version; bump the minor version of the model instead.
    """
    directory = schemas_dir or _settings(ctx).schemas_dir
    try:
        classes = [committed.load_class(path) for path in models or committed.REFERENCE_MODELS]
    except (ImportError, AttributeError, ValueError) as exc:
        raise click.ClickException(f"cannot import model class: {exc}") from exc
    expected = committed.expected_files(classes)
    if check:
        drifted = committed.drift(directory, expected)
        if drifted:
            listing = "\n  ".join(drifted)
            raise click.ClickException(
                f"schemas in {directory} are out of date (run `streamproc schemas generate`):\n  {listing}"
            )
        click.echo(f"{len(expected)} schema files in {directory} are up to date")
        return
    problems = committed.compatibility_problems(directory, expected)
    if problems:
        listing = "\n  ".join(problems)
        raise click.ClickException(
            "refusing to write incompatible schemas (release them under a new minor version):\n  " + listing
        )
    written = committed.write(directory, expected)
    for relative in written:
        click.echo(f"wrote {directory / relative}")
    click.echo(f"{len(expected)} schema files, {len(written)} changed")
