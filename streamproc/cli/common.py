"""Helpers shared by CLI commands: find a model in the catalog, one clear line on failure."""

from __future__ import annotations

import click

from streamproc.errors import StreamprocError
from streamproc.settings import StreamprocSettings
from streamproc.wire.catalog_record import CatalogEntry


def catalog_entry(settings: StreamprocSettings, model: str) -> CatalogEntry:
    from bridges.catalog import read_catalog

    try:
        entries = read_catalog(settings)
    except StreamprocError as exc:
        raise click.ClickException(str(exc)) from exc
    if model not in entries:
        known = ", ".join(sorted(entries)) or "none (is a worker running? it publishes the catalog)"
        raise click.ClickException(f"unknown model '{model}'; models in the catalog: {known}")
    return entries[model]
