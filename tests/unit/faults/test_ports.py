"""Ports of restartable servers come from below the ephemeral range, or from the one given."""

from __future__ import annotations

import pytest

from tests.private_pair.ports import DEFAULT_RANGE, port_range, restartable_port


def test_the_default_range_is_below_the_ephemeral_ports() -> None:
    assert port_range({}) == DEFAULT_RANGE
    assert DEFAULT_RANGE[1] < 32768


def test_a_given_range_is_used() -> None:
    assert port_range({"ORDERFLOW_TEST_PORT_RANGE": "18600-18699"}) == (18600, 18699)


@pytest.mark.parametrize("text", ["18600", "18699-18600", "a-b", "0-10", "1-70000"])
def test_a_malformed_range_is_refused_by_name(text: str) -> None:
    with pytest.raises(ValueError, match="ORDERFLOW_TEST_PORT_RANGE"):
        port_range({"ORDERFLOW_TEST_PORT_RANGE": text})


def test_parallel_workers_draw_from_slices_that_do_not_overlap() -> None:
    given = {"ORDERFLOW_TEST_PORT_RANGE": "18600-18699", "PYTEST_XDIST_WORKER_COUNT": "2"}
    assert port_range({**given, "PYTEST_XDIST_WORKER": "gw0"}) == (18600, 18649)
    assert port_range({**given, "PYTEST_XDIST_WORKER": "gw1"}) == (18650, 18699)
    assert port_range(
        {**given, "PYTEST_XDIST_WORKER_COUNT": "1", "PYTEST_XDIST_WORKER": "gw0"}
    ) == (
        18600,
        18699,
    )
    assert port_range({"PYTEST_XDIST_WORKER": "gw1", "PYTEST_XDIST_WORKER_COUNT": "2"}) == (
        26384,
        32767,
    )


def test_no_port_is_handed_out_twice_in_a_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_TEST_PORT_RANGE", "18600-18629")
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)  # the whole range, not a slice
    ports = [restartable_port() for _ in range(20)]
    assert len(set(ports)) == 20
    assert all(18600 <= port <= 18629 for port in ports)
