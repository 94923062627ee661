"""The loading check in a child process: a refusal, a timeout or running out of memory is one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.sandbox import check_in_child
from mockserver.settings import DEFAULTS
from tests.conftest import DATA_PATH, ROOT, SPEC_PATH

CONFIG = {**DEFAULTS, "MOCK_SPEC": "openapi.yaml", "MOCK_DATA": "data.yaml"}


def test_good_files_pass() -> None:
    assert check_in_child(CONFIG, spec_file=SPEC_PATH, data_file=DATA_PATH, memory_mb=4096, timeout=60) is None


def test_a_bad_file_is_named_as_the_user_knows_it(tmp_path: Path) -> None:
    copy = tmp_path / "copy-of-data"
    copy.write_text("apiKeys: []\norganizations: [{id: o1, usage: {'2025-01-01': {usageSms: -1}}}]\n")
    problem = check_in_child(CONFIG, spec_file=SPEC_PATH, data_file=copy, memory_mb=4096, timeout=60)
    assert problem is not None
    assert problem.startswith("data.yaml#/organizations/0/usage/2025-01-01/usageSms: ")


def test_a_load_that_takes_too_long_is_stopped() -> None:
    problem = check_in_child(CONFIG, spec_file=SPEC_PATH, data_file=DATA_PATH, memory_mb=4096, timeout=0.01)
    assert problem == "loading took longer than 0.01 s and was stopped (MOCKSERVER_RELOAD_TIMEOUT)"


def test_a_load_over_the_memory_cap_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No verdict cached: the child validates the spec, and must have its validator loaded before the cap.
    monkeypatch.setenv("MOCKSERVER_CACHE_DIR", str(tmp_path / "cache"))
    big = tmp_path / "big.yaml"
    with big.open("w") as out:
        out.write("apiKeys: []\norganizations:\n  - id: o1\n    usage:\n")
        for day in range(40_000):  # 2 MB of YAML: loads without a cap, not within 64 MB of address space
            out.write(f"      '{day}': {{usageSms: {day}, usageEmail: {day}}}\n")
    problem = check_in_child(CONFIG, spec_file=SPEC_PATH, data_file=big, memory_mb=64, timeout=120)
    assert problem is not None
    assert "memory" in problem, problem


def test_the_check_runs_the_servers_code_whatever_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A folder holding another `mockserver` (another checkout, say) must not lend the child its code.
    decoy = tmp_path / "mockserver"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("")
    (decoy / "sandbox.py").write_text("raise SystemExit(0)  # passes every file\n")
    monkeypatch.chdir(tmp_path)
    copy = tmp_path / "copy-of-data"
    copy.write_text("apiKeys: []\norganizations: [{id: o1, usage: {'2025-01-01': {usageSms: -1}}}]\n")
    problem = check_in_child(CONFIG, spec_file=SPEC_PATH, data_file=copy, memory_mb=4096, timeout=60)
    assert problem is not None
    assert problem.startswith("data.yaml#/organizations/0/usage/2025-01-01/usageSms: ")


LOADS_UNDER_THE_CAP = """
import sys
from pathlib import Path
from mockserver.sandbox import preload
preload()
before = set(sys.modules)
from mockserver.loading import load_state
from mockserver.settings import DEFAULTS, parse_settings
settings = parse_settings({**DEFAULTS, "MOCK_DATA": sys.argv[2], "MOCK_USAGE": sys.argv[3]})
load_state(settings, spec_file=Path(sys.argv[1]), data_file=Path(sys.argv[2]), usage_file=Path(sys.argv[3]))
print(" ".join(sorted(set(sys.modules) - before)))
"""


def test_the_child_imports_nothing_once_its_memory_is_capped(tmp_path: Path) -> None:
    # Every mode's loader, the spec validated (no verdict cached): all it imports is imported before the cap.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            LOADS_UNDER_THE_CAP,
            str(SPEC_PATH),
            str(ROOT / "data" / "sample-keys.yaml"),
            str(ROOT / "data" / "sample-usage.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "MOCKSERVER_CACHE_DIR": str(tmp_path)},
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
