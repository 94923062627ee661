"""The proof: every defective implementation is caught by the check meant for it, and the
correct ones (which differ from the mock in legitimate ways) pass without a false alarm.

Each implementation is its own test, with its own suite subprocess and timeout; the runs
go two at a time, in test order, so the next one is ready when its test starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeGuard

import pytest

from contract_tests.core import names
from tests.contract import implementations as impl
from tests.contract.detection import Runs, verdict

pytestmark = [pytest.mark.server, pytest.mark.detection]
ALL = impl.CORRECT + impl.DEFECTS


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    scheduler = Runs(Path(tmp_path_factory.mktemp("detection")))
    chosen = [item.callspec.params["implementation"] for item in request.session.items if _in_this_module(item)]
    selected = {app.name for app in chosen if isinstance(app, impl.Implementation)}
    scheduler.schedule(app for app in ALL if app.name in selected)
    yield scheduler
    scheduler.close()


def _in_this_module(item: pytest.Item) -> TypeGuard[pytest.Function]:
    return isinstance(item, pytest.Function) and item.module.__name__ == __name__ and hasattr(item, "callspec")


def test_enough_implementations() -> None:
    assert len(impl.DEFECTS) >= 103
    assert len(impl.CORRECT) >= 11
    assert len({i.name for i in ALL}) == len(ALL)


def test_each_defect_names_checks_the_suite_has() -> None:
    unknown = {(app.name, check) for app in impl.DEFECTS for check in app.catches if check not in names.ALL}
    assert not unknown
    assert all(app.catches for app in impl.DEFECTS)


@pytest.mark.parametrize("implementation", ALL, ids=[i.name for i in ALL])
def test_implementation_gets_the_verdict_it_deserves(implementation: impl.Implementation, runs: Runs) -> None:
    outcome = runs.outcome(implementation)
    problem = verdict(implementation, outcome)
    assert problem is None, f"{problem}\n{outcome.output[-4000:]}"
