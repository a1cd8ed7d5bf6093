"""The scale-out run's arithmetic and its row in the report (no broker: the smoke run in
tests/integration/bench runs it for real)."""

from __future__ import annotations

import pytest

from bench.consumer import arguments
from bench.consumer_scale import (
    WorkerFailed,
    aggregate,
    busy_share,
    cpu_times,
    even_partitions,
)
from bench.suite import read_consumer


@pytest.mark.parametrize(
    ("processes", "partitions"), [(1, 3), (2, 4), (3, 3), (4, 4), (5, 5), (7, 7)]
)
def test_partitions_spread_evenly_over_the_processes(processes: int, partitions: int) -> None:
    assert even_partitions(processes) == partitions


def test_the_rate_runs_from_the_earliest_first_record_to_the_latest_last() -> None:
    reports = [
        {"records": 600, "first": 10.0, "last": 12.0, "cpu_seconds": 1.5},
        {"records": 400, "first": 10.5, "last": 14.0, "cpu_seconds": 1.0},
        {"records": 0, "first": 0.0, "last": 0.0, "cpu_seconds": 0.0},  # idle: no partition
    ]

    figures = aggregate(reports, 1000, 3)

    assert figures["seconds"] == 4.0
    assert figures["records_per_second"] == 250
    assert [p["records"] for p in figures["per_process"]] == [600, 400, 0]
    assert [p["cpu_busy"] for p in figures["per_process"]] == [0.38, 0.25, 0.0]


def test_fewer_records_handled_than_produced_is_a_failure_not_a_rate() -> None:
    reports = [{"records": 999, "first": 1.0, "last": 2.0, "cpu_seconds": 0.5}]

    with pytest.raises(WorkerFailed, match="handled 999 of 1000"):
        aggregate(reports, 1000, 1)


def test_the_machine_s_cpu_share_is_what_was_busy_of_every_tick() -> None:
    busy, total = cpu_times()
    assert 0 < busy <= total
    assert busy_share((100, 400), (250, 600)) == 0.75
    assert busy_share((100, 400), (100, 400)) == 0.0


def _measured(rate: int) -> dict[str, object]:
    return {"records_per_second": rate, "seconds": 1.0, "per_process": []}


def test_the_report_reads_the_scaling_factor_against_one_process() -> None:
    document = {
        "records": 50_000,
        "partitions": 4,
        "aim": 0.5,
        "rounds": [{"runtime_records_per_second": 9, "raw_records_per_second": 30, "ratio": 0.3}],
        "scaling": {
            "processes": 2,
            "partitions": 4,
            "cpus": 2,
            "rounds": [
                {"one_process": _measured(100), "n_processes": _measured(150), "factor": 1.5},
                {"one_process": _measured(110), "n_processes": _measured(143), "factor": 1.3},
            ],
        },
    }

    runtime, scaled = read_consumer([document]).throughput

    assert runtime.benchmark == "consumer runtime, 50k records, 4 partitions"
    assert scaled.benchmark == "consumer runtime, 50k records, 2 processes, 4 partitions"
    assert (scaled.ratio.low, scaled.ratio.high) == (1.3, 1.5)
    assert (scaled.value.low, scaled.baseline.high) == (143, 110)
    assert scaled.baseline_name == "1 process"


def test_without_processes_the_report_has_the_single_process_row_only() -> None:
    document = {
        "records": 300,
        "partitions": 3,
        "rounds": [{"runtime_records_per_second": 9, "raw_records_per_second": 30, "ratio": 0.3}],
    }

    assert len(read_consumer([document]).throughput) == 1


def test_partitions_default_to_an_even_spread_over_the_processes() -> None:
    assert arguments([]).partitions == 3
    assert arguments(["--processes", "2"]).partitions == 4
    assert arguments(["--processes", "2", "--partitions", "6"]).partitions == 6


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--processes", "3", "--partitions", "2"], "--partitions 2 is fewer than --processes 3"),
        (["--processes", "0"], "expected a whole number of at least 1, got '0'"),
        (["--processes", "two"], "expected a whole number of at least 1, got 'two'"),
        (["--partitions", "0"], "expected a whole number of at least 1, got '0'"),
    ],
)
def test_a_wrong_flag_is_one_message_and_a_non_zero_exit(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        arguments(argv)

    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert message in error
    assert "Traceback" not in error
