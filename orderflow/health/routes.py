"""``/healthz`` (liveness) and ``/readyz`` (readiness), the same on every orderflow process.

Liveness answers from the process's event loop and checks nothing else: a process that
answers is alive, restarting it would not bring the database back. Readiness runs the
process's checks and names the failing ones, so an orchestrator (or an operator with curl)
knows what is missing.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

from domains.shared.problems import problem, problem_responses
from orderflow.health.readiness import Readiness

RETRY_AFTER_SECONDS = 5


def health_router(readiness: Readiness, *, liveness: bool = True) -> APIRouter:
    """The health routes of a process whose readiness is ``readiness``; ``liveness=False``
    leaves ``/healthz`` to the caller (the API keeps its own, which answers for the database)."""
    router = APIRouter(tags=["operations"])

    if liveness:

        @router.get("/healthz", response_class=PlainTextResponse)
        async def healthz() -> PlainTextResponse:
            """200 ``ok`` while the process's event loop answers (liveness)."""
            return PlainTextResponse("ok")

    @router.get("/readyz", responses=problem_responses({503: ["not_ready"]}))
    async def readyz() -> JSONResponse:
        """200 when every check passes; 503 ``not_ready`` naming the failing checks."""
        report = await readiness.report()
        if report.ready:
            return JSONResponse({"status": "ready", "checks": report.checks_json()})
        failing = report.failing
        answer = problem(
            503,
            "not_ready",
            f"not ready: {', '.join(failing)} (see checks)",
            failing=failing,
            checks=report.checks_json(),
        )
        answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return answer

    return router
