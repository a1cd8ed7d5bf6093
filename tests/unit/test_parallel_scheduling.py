"""How ``make test WORKERS=2`` shares the suite between its workers (tests/support/parallel.py)."""

from __future__ import annotations

from tests.support.parallel import FaultSuiteAsOneUnit


def _scope(nodeid: str) -> str:
    scheduler = FaultSuiteAsOneUnit.__new__(FaultSuiteAsOneUnit)  # the scope needs no state
    return str(scheduler._split_scope(nodeid))


def test_every_fault_scenario_is_in_one_unit() -> None:
    scopes = {
        _scope("tests/faults/test_cancel_ship_race.py::test_a_cancel"),
        _scope("tests/faults/test_orders_under_faults.py::test_every_order[every-fault]"),
        _scope("tests/faults/test_run_survives_outages.py::test_orderflow_run"),
    }
    assert scopes == {"tests/faults/"}


def test_any_other_module_is_a_unit_of_its_own() -> None:
    assert _scope("tests/unit/test_a.py::test_one") == _scope("tests/unit/test_a.py::test_two")
    assert _scope("tests/unit/test_a.py::test_one") != _scope("tests/unit/test_b.py::test_one")
    assert _scope("tests/unit/faults/test_ports.py::test_x") == "tests/unit/faults/test_ports.py"
