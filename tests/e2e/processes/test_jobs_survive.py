"""``orderflow jobs`` keeps every background job going through failures: started while the
database is down, each job fails, backs off and tries again (the process stays up); with the
database back but the carrier failing, the other jobs complete their passes while delivery
tracking fails on; once the carrier answers, tracking completes too."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import httpx
from prometheus_client.parser import text_string_to_metric_families

from devtools.fakes.carrier import Behaviour, CarrierState, create_carrier_app
from tests.integration.consumers.private_postgres import PrivatePostgres
from tests.support.polling import eventually
from tests.support.processes import free_port, orderflow_process, serving

JOBS = ("payments:reconcile", "fulfillment:tracking", "inbox:retention", "checkout:key-retention")
TRACKING = "fulfillment:tracking"


class Metrics:
    """The ``orderflow_job_*`` samples of the jobs process, by job."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.failures: dict[str, float] = {}
        self.last_success: dict[str, float] = {}

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
            "ORDERFLOW_DATABASE_URL": private_database.url,
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

            async def all_failed_twice() -> bool:
                m = await metrics.read()
                return all(m.failures.get(job, 0) >= 2 for job in JOBS)

            await eventually(all_failed_twice, 30, "every job failing and backing off")
            assert metrics.last_success == {}
            assert jobs.process.poll() is None

            await private_database.start()
            await _shipped_parcel(private_database.url)

            async def others_done_tracking_failing() -> bool:
                m = await metrics.read()
                done = all(job in m.last_success for job in JOBS if job != TRACKING)
                return done and m.failures[TRACKING] >= tracking_failures + 2

            tracking_failures = metrics.failures[TRACKING]
            await eventually(others_done_tracking_failing, 30, "the others run, tracking fails")
            assert TRACKING not in metrics.last_success

            carrier.behaviour = Behaviour()

            async def tracking_done() -> bool:
                return TRACKING in (await metrics.read()).last_success

            await eventually(tracking_done, 30, "delivery tracking completing a pass")
            assert jobs.process.poll() is None
