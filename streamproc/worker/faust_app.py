"""Build the Faust app: per hosted model a batch consumer or a Faust agent (its engine), and the catalog."""

from __future__ import annotations

import asyncio
import logging

import faust

from streamproc.kafka.admin import TopicSpec, ensure_topics
from streamproc.settings import StreamprocSettings
from streamproc.wire.codec_factory import Codecs
from streamproc.worker.agent import add_model_agent
from streamproc.worker.consumer import ModelConsumer
from streamproc.worker.gc_tuning import tune_gc
from streamproc.worker.hosting import HostedModel
from streamproc.worker.provisioning import topology_topic_specs

log = logging.getLogger(__name__)


class StreamprocApp(faust.App):
    """A Faust app that creates its models' topics (from the topology) before its consumer subscribes."""

    topic_specs: list[TopicSpec] = []
    bootstrap_servers = ""

    async def on_first_start(self) -> None:
        await asyncio.to_thread(ensure_topics, self.bootstrap_servers, self.topic_specs)
        await super().on_first_start()


def build_app(settings: StreamprocSettings, hosted: list[HostedModel], codecs: Codecs) -> StreamprocApp:
    (settings.state_dir / "faust-data").mkdir(parents=True, exist_ok=True)
    app = StreamprocApp(
        f"{settings.topic_prefix}.worker",
        broker=[f"kafka://{server.strip()}" for server in settings.bootstrap_servers.split(",")],
        producer_acks=-1,  # the catalog records
        # Faust's own consumer reads only the agent-engine models' topics, but even an idle group
        # membership has to expire quickly when a worker dies, or a restarted one waits for it.
        broker_session_timeout=settings.worker_session_timeout,
        broker_heartbeat_interval=min(3.0, settings.worker_session_timeout / 3),
        web_host="127.0.0.1",
        web_port=settings.worker_web_port,
        datadir=str(settings.state_dir / "faust-data"),
    )
    app.topic_specs = topology_topic_specs(settings, hosted)
    app.bootstrap_servers = settings.bootstrap_servers
    for model in hosted:
        if model.spec.engine == "agent":
            add_model_agent(app, model)
            continue
        consumer = ModelConsumer(app, model, settings, group_id=f"{app.conf.id}.{model.model.qualified_name}")
        app.service(consumer)  # type: ignore[arg-type]  # faust starts a service instance as well as a class

    if settings.worker_gc_tuning:

        @app.task
        async def tune_garbage_collection() -> None:  # once started: the start-up objects exist
            tune_gc()

    @app.task
    async def publish_catalog() -> None:
        await _publish_catalog(app, settings, hosted, codecs)

    return app


async def _publish_catalog(
    app: faust.App, settings: StreamprocSettings, hosted: list[HostedModel], codecs: Codecs
) -> None:
    codec = codecs.catalog()
    futures = []
    for model in hosted:
        value = codec.encode(model.entry.to_wire())
        key = model.model.qualified_name.encode()
        futures.append(await app.producer.send(settings.catalog_topic, key, value, None, None, None))
    await asyncio.gather(*futures)
    for model in hosted:
        log.info(
            "catalog: published %s %s (inputs %s)",
            model.model.qualified_name,
            model.model.version,
            model.topics.inputs,
        )
