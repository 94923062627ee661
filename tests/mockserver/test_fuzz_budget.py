"""A small budget of `make fuzz`: plain schemathesis, every check, both modes, finds nothing."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.server
BUDGET = 60  # examples per mode; `make fuzz` runs 10,000


def test_schemathesis_finds_nothing_in_either_mode() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/fuzz.py", "--examples", str(BUDGET)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    counts = {mode: int(n) for mode, n in re.findall(r"^(\w+) mode: (\d+) generated", result.stdout, re.M)}
    assert set(counts) == {"example", "data"}
    assert all(n >= BUDGET for n in counts.values()), counts
