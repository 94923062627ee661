"""The suite passes against the mock in data mode, over HTTP, with every option set."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DATA_PATH, KEY, OTHER_KEY
from tests.contract.harness import run_suite, suite_env
from tests.server import running_mock

pytestmark = pytest.mark.server


def test_suite_passes_against_the_mock_in_data_mode(tmp_path: Path) -> None:
    with running_mock("--data", str(DATA_PATH), log=tmp_path / "mock.log") as base_url:
        env = suite_env(
            base_url,
            CONTRACT_API_KEY=KEY,
            CONTRACT_ORG_ID="org_1",
            CONTRACT_OTHER_ORG_ID="org_3",
            CONTRACT_OTHER_API_KEY=OTHER_KEY,
            CONTRACT_MISSING_ORG_ID="org_404",
            CONTRACT_WINDOW_START="1735689600000",
            CONTRACT_WINDOW_END="1740787199999",
            CONTRACT_LATENCY_BUDGET="1",
        )
        outcome = run_suite(env, tmp_path / "report")
    assert outcome.exit_code == 0, outcome.output[-4000:]
    summary = outcome.report["summary"]
    assert summary["failed"] == 0
    assert summary["skipped"] == 0
    assert summary["passed"] >= 60
    assert all(count > 0 for count in outcome.report["status_coverage"]["documented"].values())
