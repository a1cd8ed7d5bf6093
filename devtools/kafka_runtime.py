"""The Kafka jars and the Java runtime: resolved once with Maven into the user's cache."""

from __future__ import annotations

import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from devtools.errors import DevError
from devtools.paths import DevPaths, kafka_cache_dir
from devtools.system import progress, run

POM_NAMESPACE = "{http://maven.apache.org/POM/4.0.0}"
JAVA_PACKAGES = {"java": "openjdk-17-jre-headless", "mvn": "maven"}


def parse_kafka_version(pom_text: str) -> str:
    """The ``kafka.version`` property of the committed pom."""
    root = ET.fromstring(pom_text)  # noqa: S314 - our own committed pom, not untrusted input
    for namespace in (POM_NAMESPACE, ""):
        element = root.find(f"{namespace}properties/{namespace}kafka.version")
        if element is not None and element.text and element.text.strip():
            return element.text.strip()
    raise DevError("infra/kafka/pom.xml has no <kafka.version> property", hint="restore the file")


def kafka_version(paths: DevPaths) -> str:
    try:
        return parse_kafka_version(paths.pom.read_text())
    except (OSError, ET.ParseError) as exc:
        raise DevError(f"cannot read {paths.pom}: {exc}", hint="restore it from git") from exc


def libs_dir(paths: DevPaths, environ: Mapping[str, str]) -> Path:
    """Where the jars of the pinned Kafka version live (they may not be there yet)."""
    return kafka_cache_dir(kafka_version(paths), environ, Path.home()) / "libs"


def libs_ready(libs: Path) -> bool:
    return any(libs.glob("kafka_2.13-*.jar"))


def classpath(libs: Path) -> str:
    """A java classpath with every jar of ``libs`` (java expands the ``*`` itself)."""
    return f"{libs}{os.sep}*"


def java_executable(environ: Mapping[str, str]) -> str | None:
    java_home = environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def missing_packages(environ: Mapping[str, str], need_maven: bool) -> list[str]:
    """Debian packages needed for Java (always) and Maven (when jars must be resolved)."""
    missing = [] if java_executable(environ) else [JAVA_PACKAGES["java"]]
    if need_maven and not shutil.which("mvn"):
        missing.append(JAVA_PACKAGES["mvn"])
    return missing


def require_java(environ: Mapping[str, str]) -> str:
    java = java_executable(environ)
    if java is None:
        raise DevError("java is not installed", hint="install openjdk-17-jre-headless (Java 17)")
    return java


def _resolve_with_maven(paths: DevPaths, target: Path) -> None:
    """Copy the runtime jars into ``target/libs`` via a temp folder renamed at the end."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    staging.chmod(0o755)  # public jars; mkdtemp makes it private
    try:
        command = ["mvn", "-q", "-B", "-f", str(paths.pom), "dependency:copy-dependencies"]
        command += ["-DincludeScope=runtime", f"-DoutputDirectory={staging / 'libs'}"]
        run(command, what="resolving the Kafka jars with Maven", cwd=paths.pom.parent)
        if not libs_ready(staging / "libs"):
            raise DevError(
                "Maven finished without the Kafka jars", hint="check infra/kafka/pom.xml"
            )
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def ensure_libs(paths: DevPaths, environ: Mapping[str, str]) -> Path:
    """The jar folder of the pinned Kafka, downloaded with Maven the first time."""
    libs = libs_dir(paths, environ)
    if libs_ready(libs):
        return libs
    if not shutil.which("mvn"):
        raise DevError("mvn (Maven) is not installed", hint="install the Debian package `maven`")
    progress(f"Downloading Kafka {kafka_version(paths)} jars with Maven into {libs} (first run)")
    _resolve_with_maven(paths, libs.parent)
    return libs
