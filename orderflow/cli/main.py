"""The ``orderflow`` command line."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

# Only light modules at the top: the sub-apps import what they need inside their commands,
# and the process runners (FastAPI app, every consumer) are imported by the commands below.
# Startup matters: operators run this at 3 a.m. and the tests run it in many subprocesses.
from orderflow.cli import (
    analytics,
    clients,
    consumers,
    db,
    dlq,
    docs,
    events,
    fulfillment,
    intake,
    outbox,
    payments,
    search,
    users,
)
from orderflow.cli.development import add_dev_commands
from orderflow.cli.errors import UserError, command_group, friendly_errors

if TYPE_CHECKING:
    from orderflow.dependencies import Dependencies, Dependency
    from orderflow.health import Readiness
    from orderflow.settings import Settings
    from orderflow.supervision import Job
    from orderflow.wiring.pools import DatabasePools

app = command_group(
    name="orderflow",
    help="Run and operate the orderflow platform.",
    pretty_exceptions_enable=False,
)


def _print_version(asked: bool) -> None:
    if asked:
        from orderflow.build import current_build

        typer.echo(current_build().describe())
        raise typer.Exit


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and the commit of this build, then exit.",
        ),
    ] = False,
) -> None:
    """Run and operate the orderflow platform."""


app.add_typer(db.app, name="db", help="Database migrations.")
add_dev_commands(app)
app.add_typer(events.app, name="events", help="Event contracts: list, show, check, export.")
app.add_typer(docs.app, name="docs", help="Generated docs: AsyncAPI, event catalog, architecture.")
app.add_typer(outbox.app, name="outbox", help="Outbox status and republishing.")
app.add_typer(payments.app, name="payments", help="Payments: reconciliation.")
app.add_typer(search.app, name="search", help="Search read model: rebuild.")
app.add_typer(analytics.app, name="analytics", help="Analytics read model: rebuild.")
app.add_typer(dlq.app, name="dlq", help="Dead letters: inspect, replay, purge.")
app.add_typer(consumers.app, name="consumers", help="Consumer groups: lag and status.")
app.add_typer(users.app, name="users", help="Accounts: create the first admin.")
app.add_typer(clients.app, name="clients", help="Service clients: create, list, rotate, revoke.")
app.add_typer(intake.app, name="intake", help="Order intake: status per upstream service.")
app.add_typer(
    fulfillment.app, name="fulfillment", help="Fulfillment: parcels the carrier does not know."
)


def _run(main: Coroutine[Any, Any, None], role: str) -> None:
    from orderflow.build_metric import publish_build_info
    from orderflow.cli.tracing import trace_process
    from orderflow.logging import configure_logging
    from orderflow.settings import get_settings

    settings = get_settings()
    configure_logging(settings.logging.level, settings.logging.format)
    publish_build_info()
    trace_process(role)
    with friendly_errors(settings):
        asyncio.run(main)


MetricsPort = Annotated[
    int | None,
    typer.Option(help="Serve /metrics, /healthz and /readyz on this port (default from settings)."),
]


@app.command()
def run(metrics_port: MetricsPort = None) -> None:
    """Run the API, the outbox relay, every consumer and the background jobs in one process."""
    # Heavy (the whole application): imported only when a process is actually started.
    from orderflow.dependencies import Dependencies, announced, gated
    from orderflow.health.process import api_line, readiness
    from orderflow.processes import api_socket, run_api, run_consumer, run_relay
    from orderflow.settings import get_settings
    from orderflow.topics import Topics
    from orderflow.wiring.deployment import deployed_consumers
    from orderflow.wiring.pools import DatabasePools

    settings = get_settings()
    listening = api_socket(settings)  # before anything starts: a port in use is one line
    port = metrics_port or settings.http.metrics_port
    checks = readiness(settings, kafka=True, outbox=True)
    operations = api_operations_job(settings, port, checks)
    groups = deployed_consumers(settings)
    topics = Topics(settings, groups.values())
    needs = Dependencies.of(settings)
    both = (needs.postgresql, needs.kafka)
    # One pair of pools for every job: the API's shoppers get the critical one, the relay,
    # the consumers, the jobs and the reports share the background one (the bulkheads).
    pools = DatabasePools(settings)
    background = background_jobs(settings, needs, pools)
    also = ["relay", f"consumers {', '.join(groups)}", f"jobs {', '.join(background)}"]
    line = api_line("run", settings, port, also)
    api = partial(
        run_api,
        settings,
        listening=listening,
        readiness=checks,
        started=partial(_announce, line),
        pools=pools,
    )
    jobs: dict[str, Job] = {
        "api": announced(api, needs.postgresql),
        "operations": operations,
        "relay": gated(partial(run_relay, settings, topics, pools=pools), *both),
        **background,
    }
    for name, consumer in groups.items():
        consume = partial(run_consumer, settings, consumer, topics, pools=pools)
        jobs[f"consumer:{name}"] = gated(consume, *both)
    _supervise(jobs, "run", pools)


@app.command()
def api(metrics_port: MetricsPort = None) -> None:
    """Run the HTTP API only (it serves, answering 503, while the database is away; ready while
    its database answers: it needs no broker). Its metrics are on their own port."""
    from orderflow.dependencies import Dependencies, announced
    from orderflow.health.process import api_line, readiness
    from orderflow.processes import api_socket, run_api  # heavy: only when it runs
    from orderflow.settings import get_settings

    settings = get_settings()
    listening = api_socket(settings)
    port = metrics_port or settings.http.metrics_port
    checks = readiness(settings, kafka=False, outbox=False)
    operations = api_operations_job(settings, port, checks)
    api = partial(
        run_api,
        settings,
        listening=listening,
        readiness=checks,
        started=partial(_announce, api_line("api", settings, port)),
    )
    needs = Dependencies.of(settings)
    _supervise({"api": announced(api, needs.postgresql), "operations": operations}, "api")


@app.command()
def relay(metrics_port: MetricsPort = None) -> None:
    """Run the outbox relay only (run several for throughput; lanes keep key order)."""
    from orderflow.dependencies import Dependencies, gated
    from orderflow.processes import run_relay  # heavy: only when it runs
    from orderflow.settings import get_settings
    from orderflow.topics import Topics
    from orderflow.wiring.deployment import deployed_consumers

    settings = get_settings()
    port = metrics_port or settings.relay.metrics_port
    operations = operations_job(settings, port, "relay", "publishing the outbox", outbox=True)
    topics = Topics(settings, deployed_consumers(settings).values())
    needs = Dependencies.of(settings)
    relay_job = gated(partial(run_relay, settings, topics), needs.postgresql, needs.kafka)
    _supervise({"operations": operations, "relay": relay_job}, "relay")


@app.command()
def consume(
    name: Annotated[str, typer.Argument(help="The consumer to run, e.g. notifications.")],
    metrics_port: MetricsPort = None,
) -> None:
    """Run one consumer group."""
    from orderflow.dependencies import Dependencies, gated
    from orderflow.processes import run_consumer  # heavy: only when it runs
    from orderflow.settings import get_settings
    from orderflow.topics import Topics
    from orderflow.wiring.deployment import deployed_consumers

    settings = get_settings()
    groups = deployed_consumers(settings)
    consumer = groups.get(name)
    if consumer is None:
        raise UserError(f"unknown consumer {name!r}; choose one of: {', '.join(groups)}")
    port = metrics_port or settings.consumers.metrics_port
    runs = f"consumer group {consumer.name}"
    operations = operations_job(settings, port, f"consume {name}", runs)
    topics = Topics(settings, [consumer])
    needs = Dependencies.of(settings)
    job = gated(partial(run_consumer, settings, consumer, topics), needs.postgresql, needs.kafka)
    _supervise({"operations": operations, name: job}, f"consumer-{name}")


@app.command()
def jobs(metrics_port: MetricsPort = None) -> None:
    """Run the background jobs: reconciliation, delivery tracking, retention sweeps,
    recommendation freshness, the dead-letter figures."""
    from orderflow.dependencies import Dependencies
    from orderflow.settings import get_settings
    from orderflow.wiring.pools import DatabasePools

    settings = get_settings()
    pools = DatabasePools(settings)
    background = background_jobs(settings, Dependencies.of(settings), pools)
    port = metrics_port or settings.jobs.metrics_port
    operations = operations_job(settings, port, "jobs", ", ".join(background))
    _supervise({"operations": operations, **background}, "jobs", pools)


def background_jobs(
    settings: Settings, needs: Dependencies, pools: DatabasePools
) -> dict[str, Job]:
    """The jobs ``orderflow jobs`` runs (``orderflow run`` runs them too), by job name, all on
    the background pool of ``pools``; each starts once PostgreSQL answers, and the broker too
    for those that read it (the others' events go through the outbox)."""
    from orderflow.dead_letter_figures import JOB, run_dead_letter_figures
    from orderflow.dependencies import gated
    from orderflow.periodic import KAFKA_JOBS, PERIODIC_JOBS  # heavy: only when it runs

    def needed(name: str) -> list[Dependency]:
        return [needs.postgresql, needs.kafka] if name in KAFKA_JOBS else [needs.postgresql]

    jobs: dict[str, Job] = {
        name: gated(partial(job, settings, pools), *needed(name))
        for name, (job, _) in PERIODIC_JOBS.items()
    }
    # The figures read the dead-letter topics' offsets: the broker too.
    figures = partial(run_dead_letter_figures, settings, pools)
    jobs[JOB] = gated(figures, needs.postgresql, needs.kafka)
    return jobs


def operations_job(
    settings: Settings, port: int, command: str, runs: str, *, outbox: bool = False
) -> Job:
    """The operations endpoint (/metrics, /healthz, /readyz) of a process without an API, its
    port bound now: a port in use is one clear error before anything else starts."""
    from orderflow.health import listen
    from orderflow.health.process import readiness, started_line
    from orderflow.health.server import run_operations

    listening = listen(
        settings.http.host, port, serves="metrics and health", change="choose --metrics-port"
    )
    checks = readiness(settings, kafka=True, outbox=outbox)
    line = started_line(command, runs, settings, port)
    return partial(run_operations, checks, listening, started=partial(_announce, line))


def api_operations_job(settings: Settings, port: int, checks: Readiness) -> Job:
    """The API's operations endpoint (/metrics, /healthz, /readyz), its port bound now; it
    answers for the same ``checks`` as the API's own /readyz (one set of probe connections; the
    API job and this one both close them when they stop, which is safe twice: a later report
    opens them again). The API's start-up line names it, so it prints none of its own."""
    from orderflow.health import listen
    from orderflow.health.server import run_operations

    listening = listen(
        settings.http.host,
        port,
        serves="the API's metrics and health",
        change="set ORDERFLOW_HTTP_METRICS_PORT or choose --metrics-port",
    )
    return partial(run_operations, checks, listening)


def _announce(line: str) -> None:
    typer.echo(line, err=True)


def _supervise(jobs: Mapping[str, Job], role: str, pools: DatabasePools | None = None) -> None:
    """Run ``jobs`` until a signal; then close ``pools``, which they shared. ``role`` names the
    process in its traces (``service.name``)."""
    from orderflow.supervision import supervise  # heavy: only when it runs

    async def main() -> None:
        try:
            await supervise(jobs)
        finally:
            if pools is not None:
                await pools.dispose()

    _run(main(), role)


def main() -> None:
    """Entry point of the ``orderflow`` script."""
    app()
