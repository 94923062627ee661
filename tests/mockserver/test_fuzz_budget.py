"""A small budget of `make fuzz`: plain schemathesis, every check, both modes, finds nothing."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.server


def test_schemathesis_finds_nothing_in_either_mode() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/fuzz.py", "--examples", "150"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    counts = {mode: int(n) for mode, n in re.findall(r"^(\w+) mode: (\d+) generated", result.stdout, re.M)}
    assert set(counts) == {"example", "data"}
    assert all(n >= 150 for n in counts.values()), counts
