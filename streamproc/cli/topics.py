"""``streamproc topics create|list``."""

from __future__ import annotations

import click

from streamproc.kafka.admin import admin_client, ensure_topics, existing_topics, partition_counts
from streamproc.settings import StreamprocSettings
from streamproc.wire.codec_factory import Codecs
from streamproc.worker.hosting import host_topology
from streamproc.worker.provisioning import topology_topic_specs
from streamproc.worker.topology import load_topology


@click.group()
def topics() -> None:
    """Kafka topics of the topology's models."""


@topics.command()
@click.option("--dry-run", is_flag=True, help="Print what would be created; create nothing.")
@click.pass_obj
def create(settings: StreamprocSettings, dry_run: bool) -> None:
    """Create every topic the topology needs (idempotent)."""
    hosted = host_topology(settings, load_topology(settings.topology), Codecs(settings))
    specs = topology_topic_specs(settings, hosted)
    if dry_run:
        for spec in specs:
            configs = ",".join(f"{k}={v}" for k, v in sorted(spec.configs.items())) or "-"
            click.echo(
                f"{spec.name}\tpartitions={spec.partitions}\treplication={spec.replication_factor}\t{configs}"
            )
        return
    created = set(ensure_topics(settings, specs))
    partitions = partition_counts(admin_client(settings))
    for spec in specs:
        click.echo(f"{'created' if spec.name in created else 'exists '}  {spec.name}")
        if partitions.get(spec.name, spec.partitions) != spec.partitions:
            click.echo(
                f"warning: {spec.name} has {partitions[spec.name]} partition(s), the topology wants "
                f"{spec.partitions} (partitions are never removed; add them with a Kafka admin tool)",
                err=True,
            )


@topics.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include topics that are not streamproc's.")
@click.pass_obj
def list_topics(settings: StreamprocSettings, show_all: bool) -> None:
    """List the streamproc topics on the broker."""
    names = existing_topics(admin_client(settings))
    for name in sorted(names):
        if show_all or name.startswith(settings.topic_prefix + "."):
            click.echo(name)
