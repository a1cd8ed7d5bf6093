"""A single-node Kafka (KRaft, broker and controller in one JVM) started with plain ``java``."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from devtools.config import HOST, Ports, Service, ServiceStatus
from devtools.errors import DevError
from devtools.kafka_runtime import classpath
from devtools.paths import DevPaths
from devtools.processes import pid_alive, read_pidfile, terminate, wait_for_async
from devtools.system import ensure_port_free, progress, run, tail

READY_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 30.0
HEAP_OPTIONS = ("-Xms256m", "-Xmx768m")


def generate_cluster_id() -> str:
    """A random Kafka cluster id: a UUID as 22 base64url characters (never starting with '-')."""
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):
            return value


def render_server_properties(ports: Ports, data_dir: Path) -> str:
    """``server.properties`` of the single combined broker + controller node."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{ports.kafka_controller}",
        "listeners": f"PLAINTEXT://{HOST}:{ports.kafka},CONTROLLER://{HOST}:{ports.kafka_controller}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{ports.kafka}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": "3",
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "5",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "5",
        "group.initial.rebalance.delay.ms": "0",
    }
    lines = [f"{key}={_escape(value)}" for key, value in settings.items()]
    return (
        "# Written by `orderflow dev up` on every start; edits are lost.\n"
        + "\n".join(lines)
        + "\n"
    )


def _escape(value: str) -> str:
    """Escape a value for a Java properties file (backslashes, e.g. in Windows-like paths)."""
    return value.replace("\\", "\\\\")


def cmdline_is_kafka(cmdline: bytes, properties: Path) -> bool:
    """Whether a ``/proc/<pid>/cmdline`` is our broker (guards against a reused pid)."""
    arguments = cmdline.split(b"\0")
    return b"kafka.Kafka" in arguments and str(properties).encode() in arguments


def ensure_cluster_id(paths: DevPaths) -> str:
    if paths.kafka_cluster_id.exists():
        return paths.kafka_cluster_id.read_text().strip()
    cluster_id = generate_cluster_id()
    paths.kafka_cluster_id.write_text(cluster_id + "\n")
    return cluster_id


def running_pid(paths: DevPaths) -> int | None:
    pid = read_pidfile(paths.kafka_pidfile)
    if pid is None or not pid_alive(pid):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return pid  # no /proc to check against: trust the pidfile
    return pid if cmdline_is_kafka(cmdline, paths.kafka_properties) else None


def status(paths: DevPaths, ports: Ports) -> ServiceStatus:
    pid = running_pid(paths)
    return ServiceStatus(
        service=Service.KAFKA,
        running=pid is not None,
        pid=pid,
        address=f"{HOST}:{ports.kafka}",
        data_dir=str(paths.kafka_data),
        log_file=str(paths.kafka_server_log),
    )


def _format_storage(java: str, libs: Path, paths: DevPaths, cluster_id: str) -> None:
    if (paths.kafka_data / "meta.properties").exists():
        return
    progress(f"Formatting Kafka storage in {paths.kafka_data}")
    command = [java, *_log_options(paths), "-cp", classpath(libs), "kafka.tools.StorageTool"]
    command += ["format", "-t", cluster_id, "-c", str(paths.kafka_properties), "--ignore-formatted"]
    run(command, what="formatting the Kafka storage", cwd=paths.kafka_dir)


def _log_options(paths: DevPaths) -> list[str]:
    return [
        f"-Dlog4j.configuration={paths.log4j_config.resolve().as_uri()}",
        f"-Dkafka.logs.dir={paths.kafka_logs}",
    ]


def _spawn(java: str, libs: Path, paths: DevPaths) -> int:
    """Start the broker detached (own session, output to a file); return its pid.

    ``os.posix_spawn`` leaves no ``Popen`` object behind to warn about a still-running child.
    """
    command = [java, *HEAP_OPTIONS, "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true"]
    command += [*_log_options(paths), "-cp", classpath(libs), "kafka.Kafka"]
    command.append(str(paths.kafka_properties))
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(paths.kafka_console_log), flags, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    return os.posix_spawn(java, command, os.environ, file_actions=actions, setsid=True)


def start(paths: DevPaths, ports: Ports, java: str, libs: Path) -> int:
    """Start the broker unless it runs already; returns its pid (not yet ready)."""
    pid = running_pid(paths)
    if pid is not None:
        progress(f"Kafka is already running (pid {pid})")
        return pid
    for folder in (paths.kafka_data, paths.kafka_logs):
        folder.mkdir(parents=True, exist_ok=True)
    paths.kafka_properties.write_text(render_server_properties(ports, paths.kafka_data))
    _format_storage(java, libs, paths, ensure_cluster_id(paths))
    ensure_port_free(ports.kafka, "Kafka", "ORDERFLOW_DEV_KAFKA_PORT")
    ensure_port_free(
        ports.kafka_controller, "the Kafka controller", "ORDERFLOW_DEV_KAFKA_CONTROLLER_PORT"
    )
    progress(
        f"Starting Kafka on {HOST}:{ports.kafka} (controller on port {ports.kafka_controller})"
    )
    pid = _spawn(java, libs, paths)
    paths.kafka_pidfile.write_text(f"{pid}\n")
    return pid


@contextlib.contextmanager
def _quiet_kafka_client() -> Iterator[None]:
    """Silence aiokafka's connection errors while we poll a broker that is still starting."""
    logger = logging.getLogger("aiokafka")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


async def answers_metadata(bootstrap_servers: str, timeout_ms: int = 5000) -> bool:
    """Whether the broker answers a metadata request (and lists at least one broker)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=timeout_ms)
    try:
        with _quiet_kafka_client():
            await admin.start()
            cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers"))
    except Exception:  # a broker that is still starting fails in many ways: not ready yet
        return False
    finally:
        with _quiet_kafka_client(), contextlib.suppress(Exception):
            await admin.close()


def _failure_details(paths: DevPaths) -> str:
    console = tail(paths.kafka_console_log, 15)
    server = tail(paths.kafka_server_log, 40)
    parts = [f"--- {paths.kafka_server_log} (last 40 lines) ---", server]
    if console:
        parts += [f"--- {paths.kafka_console_log} ---", console]
    return "\n".join(parts)


async def wait_until_ready(paths: DevPaths, ports: Ports, pid: int) -> None:
    """Poll until the broker answers metadata; on failure stop it and show its log."""
    bootstrap = f"{HOST}:{ports.kafka}"
    if await wait_for_async(
        lambda: answers_metadata(bootstrap), timeout=READY_TIMEOUT_SECONDS, interval=0.5, pid=pid
    ):
        return
    if pid_alive(pid):
        problem = f"Kafka did not answer on {bootstrap} within {READY_TIMEOUT_SECONDS:.0f} s"
        await asyncio.to_thread(stop, paths)
    else:
        problem = "Kafka exited during start-up"
    raise DevError(
        problem,
        hint="fix what the Kafka log says, then run `orderflow dev up` again",
        details=_failure_details(paths),
    )


def stop(paths: DevPaths) -> int | None:
    """SIGTERM, wait up to 30 s, then SIGKILL; returns the pid, None when it was not running."""
    pid = running_pid(paths)
    if pid is not None:
        terminate(
            pid,
            grace=STOP_TIMEOUT_SECONDS,
            on_kill=lambda: progress(
                f"Kafka (pid {pid}) did not stop within {STOP_TIMEOUT_SECONDS:.0f} s: killing it"
            ),
        )
    paths.kafka_pidfile.unlink(missing_ok=True)
    return pid
