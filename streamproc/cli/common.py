"""Helpers shared by CLI commands: find a model in the catalog, one clear line on failure."""

from __future__ import annotations

import click

from streamproc.errors import StreamprocError
from streamproc.settings import StreamprocSettings
from streamproc.wire.catalog_record import CatalogEntry


def preflight(settings: StreamprocSettings) -> None:
    """One clear line and exit 1 when no broker answers at the configured address."""
    from streamproc.kafka.probe import require_broker

    try:
        require_broker(settings, click.get_current_context().command_path)
    except StreamprocError as exc:
        raise click.ClickException(str(exc)) from exc


def catalog_entry(settings: StreamprocSettings, model: str) -> CatalogEntry:
    """MODEL's catalog entry, after the broker preflight; one clear line when either fails."""
    from bridges.catalog import read_catalog

    preflight(settings)
    try:
        entries = read_catalog(settings)
    except StreamprocError as exc:
        raise click.ClickException(str(exc)) from exc
    if model not in entries:
        known = ", ".join(sorted(entries)) or "none (is a worker running? it publishes the catalog)"
        raise click.ClickException(f"unknown model '{model}'; models in the catalog: {known}")
    return entries[model]
