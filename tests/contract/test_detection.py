"""The proof: every defective implementation is caught by the check meant for it, and the
correct ones (which differ from the mock in legitimate ways) pass without a false alarm."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract import implementations as impl
from tests.contract.harness import Outcome, run_all

pytestmark = pytest.mark.server
ALL = impl.CORRECT + impl.DEFECTS


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    return run_all(ALL, Path(tmp_path_factory.mktemp("detection")))


def test_enough_implementations() -> None:
    assert len(impl.DEFECTS) >= 30
    assert len(impl.CORRECT) >= 2
    assert len({i.name for i in ALL}) == len(ALL)


@pytest.mark.parametrize("implementation", impl.CORRECT, ids=[i.name for i in impl.CORRECT])
def test_correct_implementation_passes(implementation: impl.Implementation, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[implementation.name]
    assert outcome.exit_code == 0, outcome.output[-4000:]
    assert outcome.failed_checks == frozenset()
    assert outcome.report["summary"]["skipped"] == 0, "every option is set: nothing may be skipped"


@pytest.mark.parametrize("implementation", impl.DEFECTS, ids=[i.name for i in impl.DEFECTS])
def test_defect_is_caught_by_its_check(implementation: impl.Implementation, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[implementation.name]
    assert outcome.exit_code == 1, outcome.output[-4000:]
    assert outcome.failed_checks & set(implementation.catches), (
        f"meant to be caught by {implementation.catches}, failed: {sorted(outcome.failed_checks)}"
    )
