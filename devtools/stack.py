"""``up`` / ``down`` / ``status`` for the pair: PostgreSQL and Kafka on 127.0.0.1."""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from devtools import kafka, kafka_runtime, partners, postgres, postgres_home
from devtools.config import (
    Ports,
    Service,
    ServiceStatus,
    dev_database_url,
    dev_kafka_bootstrap,
    resolve_ports,
)
from devtools.paths import DevPaths, dev_paths
from devtools.system import install_packages, progress

INFRASTRUCTURE = (Service.POSTGRES, Service.KAFKA)
FAKES = (Service.PAYMENTS, Service.CARRIER, Service.SMTP_SINK)
ALL_SERVICES = (*INFRASTRUCTURE, *FAKES)


@dataclass(frozen=True)
class DevStack:
    """The project's dev infrastructure: where its state lives and which ports it uses."""

    paths: DevPaths
    ports: Ports
    environ: Mapping[str, str]

    @property
    def database_url(self) -> str:
        return dev_database_url(self.ports)

    @property
    def kafka_bootstrap_servers(self) -> str:
        return dev_kafka_bootstrap(self.ports)


def dev_stack(environ: Mapping[str, str] | None = None) -> DevStack:
    """The stack of the project this code runs from, configured by ``environ`` (or os.environ)."""
    env = dict(os.environ if environ is None else environ)
    return DevStack(paths=dev_paths(), ports=resolve_ports(env), environ=env)


def _install_prerequisites(stack: DevStack, services: Sequence[Service]) -> None:
    """Install every missing OS package in one apt-get run (or say what to install)."""
    missing: list[str] = []
    if Service.POSTGRES in services:
        missing += postgres.missing_packages()
    if Service.KAFKA in services:
        need_maven = not kafka_runtime.libs_ready(
            kafka_runtime.libs_dir(stack.paths, stack.environ)
        )
        missing += kafka_runtime.missing_packages(stack.environ, need_maven)
    install_packages(missing)


async def _postgres_up(stack: DevStack) -> None:
    await asyncio.to_thread(postgres.start, stack.paths, stack.ports, stack.environ)
    await postgres.ensure_database(stack.ports.postgres)


async def _kafka_up(stack: DevStack) -> None:
    java = kafka_runtime.require_java(stack.environ)
    libs = await asyncio.to_thread(kafka_runtime.ensure_libs, stack.paths, stack.environ)
    pid = await asyncio.to_thread(kafka.start, stack.paths, stack.ports, java, libs)
    await kafka.wait_until_ready(stack.paths, stack.ports, pid)


def _fake(stack: DevStack, service: Service) -> partners.Fake:
    return next(f for f in partners.fakes(stack.paths) if f.service is service)


async def _fake_up(stack: DevStack, service: Service) -> None:
    await asyncio.to_thread(partners.start, _fake(stack, service), stack.paths)


async def _start(stack: DevStack, services: Sequence[Service]) -> None:
    _install_prerequisites(stack, services)
    starters = {Service.POSTGRES: _postgres_up, Service.KAFKA: _kafka_up}
    results = await asyncio.gather(
        *(
            starters[service](stack) if service in starters else _fake_up(stack, service)
            for service in services
        ),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result


async def up(stack: DevStack, services: Sequence[Service] = ALL_SERVICES) -> list[ServiceStatus]:
    """Start what is not running, wait until every service answers, return their status.

    A lock file serializes concurrent calls (parallel test workers, two terminals).
    """
    stack.paths.state_dir.mkdir(parents=True, exist_ok=True)
    lock = stack.paths.state_dir / "up.lock"
    descriptor = await asyncio.to_thread(os.open, lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
        await _start(stack, services)
    finally:
        os.close(descriptor)  # releases the lock
    return status(stack, services)


def down(stack: DevStack, services: Sequence[Service] = ALL_SERVICES) -> None:
    """Stop the services: the fakes, then Kafka, then PostgreSQL."""
    for service in (s for s in FAKES if s in services):
        pid = partners.stop(_fake(stack, service), stack.paths)
        progress(
            f"{service.value} " + ("is not running" if pid is None else f"stopped (pid {pid})")
        )
    stoppers = {Service.KAFKA: kafka.stop, Service.POSTGRES: postgres.stop}
    names = {Service.KAFKA: "Kafka", Service.POSTGRES: "PostgreSQL"}
    for service in (Service.KAFKA, Service.POSTGRES):
        if service not in services:
            continue
        progress(f"Stopping {names[service]}")
        pid = stoppers[service](stack.paths)
        progress(
            f"{names[service]} " + ("is not running" if pid is None else f"stopped (pid {pid})")
        )


def purge(stack: DevStack) -> None:
    """Stop everything and delete all dev state (``.dev`` and PostgreSQL's temp folder)."""
    down(stack)
    postgres_home.remove_home(stack.paths)
    shutil.rmtree(stack.paths.state_dir, ignore_errors=True)
    progress(f"Deleted {stack.paths.state_dir}")


def kafka_classpath(paths: DevPaths, environ: Mapping[str, str]) -> str:
    """The java classpath of the pinned Kafka jars (installing Maven/resolving jars if needed)."""
    libs = kafka_runtime.libs_dir(paths, environ)
    install_packages(kafka_runtime.missing_packages(environ, not kafka_runtime.libs_ready(libs)))
    return kafka_runtime.classpath(kafka_runtime.ensure_libs(paths, environ))


def status(stack: DevStack, services: Sequence[Service] = ALL_SERVICES) -> list[ServiceStatus]:
    readers = {Service.POSTGRES: postgres.status, Service.KAFKA: kafka.status}
    return [
        readers[service](stack.paths, stack.ports)
        if service in readers
        else partners.status(_fake(stack, service), stack.paths)
        for service in services
    ]
