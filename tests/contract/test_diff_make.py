"""`make spec-diff`: the working tree's openapi.yaml against a git revision, by default the merge base with main."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, SPEC_PATH
from tests.contract.diff_pairs import PAIRS, write_pair

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("make") is None, reason="needs git and make"
)


def _git(repo: Path, *args: str) -> str:
    command = [
        "git",
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.invalid",
        "-c",
        "commit.gpgsign=false",
        *args,
    ]
    return subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def _make(repo: Path, *variables: str) -> subprocess.CompletedProcess[str]:
    # The project's virtual environment serves; the copied pyproject.toml and lock are older than its stamp.
    command = ["make", "-s", "-f", str(ROOT / "Makefile"), "spec-diff", f"VENV={ROOT / '.venv'}", *variables]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120)


def _command_status(result: subprocess.CompletedProcess[str]) -> int:
    """The recipe's exit code: make itself exits 2 whenever a recipe fails, and names the code."""
    if result.returncode == 0:
        return 0
    found = re.search(r"\] Error (\d+)$", result.stderr.strip())
    assert found, result.stderr
    return int(found.group(1))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copy(SPEC_PATH, tmp_path / "openapi.yaml")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "requirements").mkdir()
    shutil.copy(ROOT / "requirements" / "dev.txt", tmp_path / "requirements" / "dev.txt")  # the stamp's lock
    for copied in ("pyproject.toml", "requirements/dev.txt"):
        os.utime(tmp_path / copied, (0, 0))
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "openapi.yaml")
    _git(tmp_path, "commit", "-q", "-m", "contract")
    _git(tmp_path, "checkout", "-q", "-b", "feature")
    return tmp_path


def test_a_branch_equal_to_main_reports_no_change(repo: Path) -> None:
    result = _make(repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("openapi.yaml: no changes (breaking for clients: no)")


def test_changes_since_the_merge_base_are_reported(repo: Path) -> None:
    pair = next(p for p in PAIRS if p.name == "error-response-removed")
    _, new = write_pair(pair, repo)
    shutil.move(new, repo / "openapi.yaml")
    base = _git(repo, "rev-parse", "--short", "main")
    result = _make(repo)
    assert _command_status(result) == 1
    assert result.stdout.startswith(f"openapi.yaml@{base} → openapi.yaml: 1 breaking for clients")
    _git(repo, "commit", "-q", "-am", "drop 404")
    assert _command_status(_make(repo)) == 1, "committed on the branch, still compared with the merge base"
    assert _command_status(_make(repo, "REV=HEAD")) == 0
    json_run = _make(repo, "FAIL_ON=implementations", "FORMAT=json")
    assert _command_status(json_run) == 1
    assert '"fail_on": "implementations"' in json_run.stdout


def test_an_unknown_revision_is_one_error_line(repo: Path) -> None:
    result = _make(repo, "REV=no-such-revision")
    assert _command_status(result) == 2
    assert "error: cannot read openapi.yaml at revision no-such-revision" in result.stderr
