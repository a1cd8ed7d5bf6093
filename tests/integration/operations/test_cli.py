"""``orderflow dlq`` in a subprocess: exit codes, one-line errors, real output."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from tests.integration.operations.dead_letters import Failed, seed

ORDERFLOW = str(Path(sys.executable).parent / "orderflow")


@dataclass(frozen=True)
class Run:
    """What a CLI run printed and returned."""

    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        """Lines of stderr that are not log lines."""
        return [line for line in self.err.splitlines() if line.startswith("error:")]


async def orderflow(
    settings: Settings, *args: str, stdin: bytes = b"", topic_prefix: str = ""
) -> Run:
    """Run ``orderflow *args`` against the test database and Kafka (in ``topic_prefix``)."""
    env = {
        # Each run imports the whole CLI: let the first one cache its bytecode for the others
        # (compiling ~1000 modules afresh every run took seconds of a busy machine's CPU).
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "ORDERFLOW_DATABASE_URL": settings.database.url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "ORDERFLOW_TOPIC_PREFIX": topic_prefix,
        "ORDERFLOW_LOG_LEVEL": "WARNING",
        "COLUMNS": "200",
    }
    process = await asyncio.create_subprocess_exec(
        ORDERFLOW,
        *args,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), 90)
    assert process.returncode is not None
    run = Run(process.returncode, out.decode(), err.decode())
    assert "Traceback" not in run.err, run.err
    return run


def assert_user_error(run: Run, *fragments: str) -> None:
    """Exit code 2 and exactly one ``error:`` line containing every fragment."""
    assert run.code == 2, run
    (line,) = run.error_lines
    for fragment in fragments:
        assert fragment in line, line


REPLAY = ("dlq", "replay", "--group", "{g}", "--reason", "fix")
USER_ERRORS = [
    (("dlq", "ls", "--group", "nope-{g}"), ("unknown consumer group", "{g}")),
    ((*REPLAY, "--since", "yesterday"), ("malformed time 'yesterday' for --since", "30m")),
    ((*REPLAY, "--rate", "fast"), ("bad --rate 'fast'", "20/s")),
    ((*REPLAY, "--offsets", "9-1"), ("--offsets",)),
    ((*REPLAY, "--failure", "permanent"), ("no unresolved dead letters match", "dlq ls")),
    ((*REPLAY, "--failure", "smtp"), ("unknown failure reason 'smtp'",)),
    (("dlq", "replay", "--group", "{g}", "--reason", "  "), ("--reason must say why",)),
    (("dlq", "show", "--group", "{g}"), ("--partition P --offset O",)),
    (("dlq", "show", "--group", "{g}", "--event-id", "x"), ("bad --event-id",)),
    (("dlq", "cancel", "not-a-job"), ("bad job id",)),
    (("dlq", "resume", "00000000-0000-0000-0000-000000000000"), ("no job",)),
    (("dlq", "purge", "--group", "{g}", "--reason", "r"), ("needs confirmation", "--yes")),
]


@pytest.mark.parametrize(("args", "fragments"), USER_ERRORS)
async def test_user_errors_are_one_line_with_exit_code_2(
    settings: Settings,
    kafka: KafkaConnection,
    group: str,
    args: tuple[str, ...],
    fragments: tuple[str, ...],
) -> None:
    await seed(kafka, group, Failed())
    run = await orderflow(settings, *(a.format(g=group) for a in args))
    assert_user_error(run, *(f.format(g=group) for f in fragments))


async def test_a_missing_reason_is_refused_by_the_parser(settings: Settings, group: str) -> None:
    run = await orderflow(settings, "dlq", "replay", "--group", group)
    assert run.code == 2
    assert "--reason" in run.err


async def test_operator_story_through_the_cli(
    settings: Settings, kafka: KafkaConnection, group: str, tmp_path: Path
) -> None:
    ids = await seed(kafka, group, *[Failed()] * 3, Failed("permanent"))
    listing = await orderflow(settings, "dlq", "ls", "--group", group)
    assert listing.code == 0
    assert "retries_exhausted" in listing.out
    assert "4 unresolved dead letters" in listing.out

    shown = await orderflow(settings, "dlq", "show", "--group", group, "--event-id", str(ids[0]))
    assert shown.code == 0
    assert str(ids[0]) in shown.out
    assert "payload" in shown.out

    as_json = await orderflow(
        settings, "dlq", "show", "--group", group, "--event-id", str(ids[0]), "--json"
    )
    (record,) = json.loads(as_json.out)
    assert (record["event_id"], record["resolution"]) == (str(ids[0]), None)
    exported = await orderflow(settings, "dlq", "export", "--group", group, "-o", "-")
    assert len(exported.out.splitlines()) == 4
    assert "exported 4 dead letters to -" in exported.err

    replay = ("dlq", "replay", "--group", group, "--failure", "retries_exhausted")
    dry = await orderflow(settings, *replay, "--reason", "SMTP fixed", "--dry-run")
    assert dry.code == 0, dry
    assert f"would publish:        3 to {group}.retry.1" in dry.err
    assert "dry run: nothing was published" in dry.err

    done = await orderflow(settings, *replay, "--reason", "SMTP fixed", "--rate", "50/s")
    assert done.code == 0, done
    assert "replayed: 3" in done.out

    left = json.loads((await orderflow(settings, "dlq", "ls", "--group", group, "--json")).out)
    assert [(r["reason"], r["count"]) for r in left] == [("permanent", 1)]

    export = tmp_path / "purged.jsonl"
    purge = ("dlq", "purge", "--group", group, "--reason", "bad address", "--export", str(export))
    purged = await orderflow(settings, *purge, "--yes", "--operator", "carol")
    assert purged.code == 0, purged
    assert len(export.read_text().splitlines()) == 1
    assert (await orderflow(settings, "dlq", "ls", "--group", group)).out.strip() == (
        "no unresolved dead letters"
    )

    jobs = json.loads((await orderflow(settings, "dlq", "jobs", "--group", group, "--json")).out)
    assert [(j["kind"], j["status"]) for j in jobs] == [
        ("purge", "completed"),
        ("replay", "completed"),
    ]
    assert jobs[0]["operator"] == "carol"
    again = await orderflow(settings, "dlq", "resume", jobs[1]["id"])
    assert_user_error(again, "is completed")


async def test_dlq_ls_without_a_group_reads_only_this_deployments_dead_letters(
    settings: Settings, kafka: KafkaConnection, unique: str
) -> None:
    # Two deployments on the broker (inside the session's namespace, deleted with it).
    ours, theirs = (f"{settings.deployment.topic_prefix}{unique}-{d}." for d in "ab")
    await seed(kafka, f"{ours}notifications", Failed())
    await seed(kafka, f"{ours}search", Failed(), Failed("permanent"))
    await seed(kafka, f"{theirs}notifications", Failed(), Failed())
    await seed(kafka, f"{ours}notifications-old", Failed())  # no group of this deployment

    listing = await orderflow(settings, "dlq", "ls", "--json", topic_prefix=ours)

    assert listing.code == 0, listing
    rows = {(r["group"], r["reason"], r["count"]) for r in json.loads(listing.out)}
    assert rows == {
        (f"{ours}notifications", "retries_exhausted", 1),
        (f"{ours}search", "retries_exhausted", 1),
        (f"{ours}search", "permanent", 1),
    }
    one = await orderflow(settings, "dlq", "ls", "--group", "search", "--json", topic_prefix=ours)
    assert {r["group"] for r in json.loads(one.out)} == {f"{ours}search"}


async def test_the_other_dlq_commands_stay_in_this_deployments_namespace(
    settings: Settings, kafka: KafkaConnection, unique: str
) -> None:
    ours, theirs = (f"{settings.deployment.topic_prefix}{unique}-{d}." for d in "ab")
    await seed(kafka, f"{ours}search", Failed())
    await seed(kafka, f"{theirs}search", Failed())

    # Another deployment's group, even named in full, is not one of ours.
    show = ("dlq", "show", "--group", f"{theirs}search", "--partition", "0", "--offset", "0")
    assert_user_error(await orderflow(settings, *show, topic_prefix=ours), "unknown consumer group")
    # A replay's --to-topic is a topic of ours: the prefix is added.
    replay = ("dlq", "replay", "--group", "search", "--reason", "fix", "--dry-run")
    run = await orderflow(settings, *replay, "--to-topic", "search.retry.1", topic_prefix=ours)
    assert run.code == 0, run
    assert f"{ours}search.retry.1" in run.err


async def test_an_unknown_group_hint_names_only_this_deployments_groups(
    settings: Settings, kafka: KafkaConnection, unique: str
) -> None:
    ours, theirs = (f"{settings.deployment.topic_prefix}{unique}-{d}." for d in "cd")
    await seed(kafka, f"{ours}search", Failed())
    await seed(kafka, f"{theirs}search", Failed())
    await seed(kafka, f"{theirs}notifications", Failed())

    run = await orderflow(settings, "dlq", "ls", "--group", "zzz", topic_prefix=ours)

    assert_user_error(run, "unknown consumer group", f"{ours}search")
    (line,) = run.error_lines
    assert theirs not in line, line
