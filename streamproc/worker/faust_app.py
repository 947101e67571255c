"""Build the Faust app: per hosted model a batch consumer or a Faust agent (its engine), and the catalog."""

from __future__ import annotations

import asyncio
import logging

import faust

from streamproc import log_repeats
from streamproc.kafka.admin import TopicSpec, ensure_topics
from streamproc.kafka.clients import faust_broker
from streamproc.settings import StreamprocSettings
from streamproc.telemetry.logs import faust_logging_config
from streamproc.telemetry.tracing import tracing_on
from streamproc.wire.codec_factory import Codecs
from streamproc.worker.agent import add_model_agent
from streamproc.worker.consumer import ModelConsumer, fetch_size
from streamproc.worker.gc_tuning import tune_gc
from streamproc.worker.hosting import HostedModel
from streamproc.worker.metrics import BatchHooks, WorkerMetrics
from streamproc.worker.provisioning import apply_topic_limits, topology_topic_specs
from streamproc.worker.reply_copies import KafkaReplyClient, ReplyCopier
from streamproc.worker.tracing import TracedBatches
from streamproc.worker.web import add_pages

log = logging.getLogger(__name__)


class StreamprocApp(faust.App):
    """A Faust app that creates its models' topics (from the topology) before its consumer subscribes."""

    topic_specs: list[TopicSpec] = []
    settings: StreamprocSettings | None = None
    hosted: list[HostedModel] = []

    async def on_first_start(self) -> None:
        assert self.settings is not None
        log_repeats.install()  # logging is configured by now; an outage logs a few lines, not thousands
        log.info(
            "worker metrics %s", "on" if self.settings.worker_metrics else "off (STREAMPROC_WORKER_METRICS)"
        )
        await asyncio.to_thread(ensure_topics, self.settings, self.topic_specs)
        await asyncio.to_thread(apply_topic_limits, self.settings, self.hosted)  # before any consumer starts
        await super().on_first_start()


def build_app(settings: StreamprocSettings, hosted: list[HostedModel], codecs: Codecs) -> StreamprocApp:
    (settings.state_dir / "faust-data").mkdir(parents=True, exist_ok=True)
    app = StreamprocApp(
        f"{settings.topic_prefix}.worker",
        **faust_broker(settings),
        producer_acks=-1,  # the catalog records
        # Faust's own consumer reads only the agent-engine models' topics, but even an idle group
        # membership has to expire quickly when a worker dies, or a restarted one waits for it.
        broker_session_timeout=settings.worker_session_timeout,
        broker_heartbeat_interval=min(3.0, settings.worker_session_timeout / 3),
        # Faust binds ``web_bind`` (default 0.0.0.0); ``web_host`` only names the host in its URLs.
        web_bind=settings.worker_web_host,
        web_host=settings.worker_web_host,
        web_port=settings.worker_web_port,
        datadir=str(settings.state_dir / "faust-data"),
        logging_config=faust_logging_config(settings.log_format),
    )
    app.topic_specs = topology_topic_specs(settings, hosted)
    app.settings = settings
    app.hosted = hosted
    metrics, hooks = model_metrics(settings, hosted)
    add_pages(app, metrics, hooks)
    for model, model_hooks in zip(hosted, hooks, strict=True):
        batch_hooks = TracedBatches(model_hooks) if tracing_on() else model_hooks
        if model.spec.engine == "agent":
            copier = ReplyCopier(settings.topic_prefix, KafkaReplyClient(settings))
            add_model_agent(app, model, batch_hooks, copier, settings.worker_outage_limit)
            continue
        consumer = ModelConsumer(app, model, settings, group_id=f"{app.conf.id}.{model.model.qualified_name}")
        consumer.hooks = batch_hooks
        app.service(consumer)  # type: ignore[arg-type]  # faust starts a service instance as well as a class

    if settings.worker_gc_tuning:

        @app.task
        async def tune_garbage_collection() -> None:  # once started: the start-up objects exist
            tune_gc()

    @app.task
    async def publish_catalog() -> None:
        await _publish_catalog(app, settings, hosted, codecs)

    return app


def model_metrics(
    settings: StreamprocSettings, hosted: list[HostedModel]
) -> tuple[WorkerMetrics | None, list[BatchHooks]]:
    """The process's metrics (None when off) and one feeder per model, whose model calls are timed."""
    if not settings.worker_metrics:
        return None, [BatchHooks(model.model.qualified_name) for model in hosted]
    names = [model.model.qualified_name for model in hosted]
    metrics = WorkerMetrics(names, max((fetch_size(model.spec.batch_size) for model in hosted), default=1))
    for model in hosted:  # time the processor's one prediction step (columns, predict_batch or predict)
        processor = model.processor
        processor._predict = metrics.model(model.model.qualified_name).timed(processor._predict)  # type: ignore[method-assign]
    return metrics, [metrics.model(name) for name in names]


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
