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


def health_router(readiness: Readiness) -> APIRouter:
    """The health routes of a process whose readiness is ``readiness``."""
    router = APIRouter(tags=["operations"])

    @router.get(
        "/healthz",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {"example": "ok"}}}},
    )
    async def healthz() -> PlainTextResponse:
        """200 ``ok`` while the process's event loop answers (liveness). It checks nothing
        else: the database or the broker being away is ``/readyz``'s to say."""
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
