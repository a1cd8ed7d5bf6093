"""``orderflow jobs`` keeps every background job going through failures: started while the
database is down, it waits for it (no job runs, the process stays up); with the database up
but the carrier failing, the other jobs complete their passes while delivery tracking fails,
backs off and tries again; through a database outage every job fails and backs off, the
process stays up; once both answer, every job completes its passes again."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from prometheus_client.parser import text_string_to_metric_families

from devtools.fakes.carrier import Behaviour, CarrierState, create_carrier_app
from tests.private_pair import PrivatePostgres
from tests.support.polling import eventually
from tests.support.processes import free_port, orderflow_process, serving

JOBS = (
    "payments:reconcile",
    "fulfillment:tracking",
    "inbox:retention",
    "checkout:key-retention",
    "intake:key-retention",  # at the checkout key sweep's interval
)
TRACKING = "fulfillment:tracking"


class Metrics:
    """The ``orderflow_job_*`` samples of the jobs process, by job."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.failures: dict[str, float] = {}
        self.last_success: dict[str, float] = {}
        self.waiting: dict[str, float] = {}

    async def read(self) -> Metrics:
        async with httpx.AsyncClient(timeout=5) as client:
            text = (await client.get(self.url)).text
        samples = [s for f in text_string_to_metric_families(text) for s in f.samples]
        self.failures = {
            s.labels["job"]: s.value for s in samples if s.name == "orderflow_job_failures_total"
        }
        self.last_success = {
            s.labels["job"]: s.value
            for s in samples
            if s.name == "orderflow_job_last_success_timestamp_seconds"
        }
        self.waiting = {
            s.labels["dependency"]: s.value
            for s in samples
            if s.name == "orderflow_dependency_waiting"
        }
        return self


async def _shipped_parcel(database_url: str) -> None:
    """A shipment in transit: what delivery tracking asks the carrier about."""
    db = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await db.execute(
            "INSERT INTO fulfillment.shipments (id, order_id, status, version) "
            "VALUES ($1, $2, 'shipped', 3)",
            uuid.uuid4(),
            uuid.uuid4(),
        )
    finally:
        await db.close()


async def test_jobs_back_off_through_failures_and_keep_going(
    private_database: PrivatePostgres, tmp_path: Path
) -> None:
    carrier = CarrierState(behaviour=Behaviour(failure_mode="error", failing_operations=["track"]))
    await private_database.stop("fast")
    async with serving(create_carrier_app(carrier)) as carrier_url:
        port = free_port()
        env = {
            "ORDERFLOW_DATABASE_URL": private_database.url(),
            "ORDERFLOW_CARRIER_URL": carrier_url,
            "ORDERFLOW_PAYMENT_RECONCILE_INTERVAL_SECONDS": "0.3",
            "ORDERFLOW_DELIVERY_TRACKING_INTERVAL_SECONDS": "0.3",
            "ORDERFLOW_CONSUMER_INBOX_SWEEP_INTERVAL_SECONDS": "0.3",
            "ORDERFLOW_CHECKOUT_KEY_SWEEP_INTERVAL_SECONDS": "0.3",
            "ORDERFLOW_JOBS_BACKOFF_MAX_SECONDS": "1",
        }
        args = ["jobs", "--metrics-port", str(port)]
        with orderflow_process(args, env, tmp_path / "jobs.log", port, health=None) as jobs:
            metrics = Metrics(f"http://127.0.0.1:{port}/metrics")

            async def waiting_for_the_database() -> bool:
                return (await metrics.read()).waiting.get("postgresql") == 1

            await eventually(waiting_for_the_database, 60, "the jobs waiting for PostgreSQL")
            assert metrics.failures == {}  # none of them ran
            assert metrics.last_success == {}
            assert jobs.process.poll() is None

            await private_database.start()
            await _shipped_parcel(private_database.url())

            async def others_done_tracking_failing() -> bool:
                m = await metrics.read()
                done = all(job in m.last_success for job in JOBS if job != TRACKING)
                return done and m.failures.get(TRACKING, 0) >= 2

            await eventually(others_done_tracking_failing, 60, "the others run, tracking fails")
            assert metrics.waiting["postgresql"] == 0

            before = dict(metrics.failures)
            await private_database.stop("fast")

            async def all_failing() -> bool:
                m = await metrics.read()
                return all(m.failures.get(job, 0) >= before.get(job, 0) + 2 for job in JOBS)

            await eventually(all_failing, 60, "every job failing and backing off")
            assert jobs.process.poll() is None

            carrier.behaviour = Behaviour()
            await private_database.start()
            outage_over = time.time()

            async def all_done_again() -> bool:
                m = await metrics.read()
                return all(m.last_success.get(job, 0) > outage_over for job in JOBS)

            await eventually(all_done_again, 60, "every job completing a pass again")
            assert jobs.process.poll() is None
