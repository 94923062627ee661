"""The copyable CI of examples/ci, run here: the shell steps of the GitHub Actions jobs (and the
GitLab job's script) against the mock, in a fresh environment installed from the lock files."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.cli import port_problem
from tests.packaging.kit import DEMO_SETTINGS, ROOT, Environment, clean_environ, install, serving

pytestmark = [pytest.mark.package, pytest.mark.server]

EXAMPLES = ROOT / "examples" / "ci"
GITHUB: dict[str, Any] = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
GITLAB: dict[str, Any] = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())
STEP_TIMEOUT = 300.0


def _steps(job: str) -> dict[str, str]:
    """The shell steps of a GitHub job, by name."""
    return {step["name"]: step["run"] for step in GITHUB["jobs"][job]["steps"] if "run" in step}


def _bash(script: str, *, cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    # As GitHub's `shell: bash`: bash --noprofile --norc -eo pipefail.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False,
    )  # fmt: skip


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A user's repository: its own copy of the kit's lock files where the examples expect them."""
    folder = tmp_path / "repository"
    (folder / "ci").mkdir(parents=True)
    lock = GITHUB["env"]
    (folder / lock["KIT_LOCK"]).write_bytes((ROOT / "requirements" / "suite.txt").read_bytes())
    (folder / lock["MOCK_LOCK"]).write_bytes((ROOT / "requirements" / "mock.txt").read_bytes())
    return folder


def _runner(environment: Environment, wheel: Path, **extra: str) -> dict[str, str]:
    """What the runner gives a step: setup-python's interpreter on PATH, the workflow's env with KIT the wheel."""
    return environment.environ(**{**GITHUB["env"], "KIT": str(wheel), **extra})


def test_steps_read_settings_from_the_environment_only() -> None:
    for job in GITHUB["jobs"]:
        for name, script in _steps(job).items():
            assert "${{" not in script, f"{job}/{name}: expressions belong in env:, not in the script"
    for text in ((EXAMPLES / "github-actions.yml").read_text(), (EXAMPLES / "gitlab-ci.yml").read_text()):
        assert "idt_live_" not in text  # keys come from the CI system's secrets
    gate = GITHUB["jobs"]["gate"]["steps"]
    assert any(
        s.get("uses", "").startswith("actions/upload-artifact") and s["with"]["path"] == "reports/contract/"
        for s in gate
    )
    assert any(s.get("with", {}).get("report_paths") == "reports/contract/junit.xml" for s in gate)
    contract_step = next(s for s in gate if s.get("name") == "Contract gate")
    assert contract_step["env"]["CONTRACT_API_KEY"] == "${{ secrets.CONTRACT_API_KEY }}"
    artifacts = GITLAB["contract-gate"]["artifacts"]
    assert artifacts["reports"]["junit"] == "reports/contract/junit.xml"
    assert "reports/contract/" in artifacts["paths"]


def test_the_gate_jobs_steps_pass_against_the_mock(wheel: Path, repository: Path, tmp_path: Path) -> None:
    # A fresh interpreter, as setup-python gives; the job's own install step installs the kit into it.
    runner = install("runner", tmp_path / "runner")
    steps = _steps("gate")
    installed = _bash(steps["Install the kit from the lock"], cwd=repository, env=_runner(runner, wheel))
    assert installed.returncode == 0, installed.stderr[-3000:]
    assert "usage-contract (usage-contract-kit)" in installed.stdout
    summary = tmp_path / "summary.md"
    with serving(runner, "--demo", cwd=tmp_path, log=tmp_path / "mock.log") as base:
        env = _runner(runner, wheel, CONTRACT_BASE_URL=base, GITHUB_STEP_SUMMARY=str(summary), **DEMO_SETTINGS)
        for name in ("Wait for the implementation", "Contract gate", "Summary"):
            result = _bash(steps[name], cwd=repository, env=env)
            assert result.returncode == 0, f"{name}: {result.stdout[-3000:]}{result.stderr[-2000:]}"
        # The GitLab job runs the same commands.
        for line in GITLAB["contract-gate"]["script"]:
            result = _bash(line, cwd=repository, env=env)
            assert result.returncode == 0, f"gitlab: {line}: {result.stdout[-3000:]}"
    reports = repository / "reports" / "contract"
    assert json.loads((reports / "conformance.json").read_text())["passed"] is True
    assert (reports / "junit.xml").is_file()
    assert "PASS" in summary.read_text()


def test_the_frontend_jobs_steps_serve_the_mock(
    environment: Callable[[str], Environment], wheel: Path, repository: Path, tmp_path: Path
) -> None:
    mock = environment("mock from the lock")
    steps = _steps("frontend")
    env = _runner(mock, wheel, **GITHUB["jobs"]["frontend"]["env"])
    busy = port_problem("127.0.0.1", int(env["API_BASE_URL"].rsplit(":", 1)[1]))
    if busy:  # the example serves on the documented port, which another server of this machine may hold
        pytest.skip(f"the example's port: {busy}")
    started = _bash(steps["Start the mock"], cwd=repository, env=env)
    try:
        assert started.returncode == 0, started.stderr
        # In place of `npm test`: a frontend's request to the documented API.
        answer = _bash(
            'curl --silent --fail -H "X-API-Key: $KEY" "$API_BASE_URL/organizations/org_1/usage?startDate=1735689600000&endDate=1738367999999"',
            cwd=repository, env={**env, "KEY": DEMO_SETTINGS["CONTRACT_API_KEY"]},
        )  # fmt: skip
        assert answer.returncode == 0, answer.stderr
        assert json.loads(answer.stdout)["data"]["usageSms"] > 0
    finally:
        stopped = _bash(steps["Stop the mock"], cwd=repository, env=env)
    assert stopped.returncode == 0
    assert "serving" in stopped.stdout  # the log it prints


def test_the_spec_diff_job_fails_a_breaking_pull_request(
    environment: Callable[[str], Environment], tmp_path: Path
) -> None:
    mock = environment("mock from the lock")
    upstream, clone = tmp_path / "upstream", tmp_path / "clone"
    git = {**clean_environ(), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}  # fmt: skip
    upstream.mkdir()
    (upstream / "openapi.yaml").write_bytes((ROOT / "openapi.yaml").read_bytes())
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "openapi.yaml"],
        ["git", "commit", "-qm", "contract"],
    ):
        subprocess.run(command, cwd=upstream, env=git, check=True, timeout=60)
    subprocess.run(["git", "clone", "-q", str(upstream), str(clone)], env=git, check=True, timeout=60)
    spec = clone / "openapi.yaml"
    text = spec.read_text()
    assert 'x-key-pattern: "^idt_live_' in text
    spec.write_text(text.replace('x-key-pattern: "^idt_live_', 'x-key-pattern: "^idt_test_'))
    summary = tmp_path / "summary.md"
    script = _steps("spec-diff")["Breaking changes of the contract"]
    env = mock.environ(BASE_REF="main", RUNNER_TEMP=str(tmp_path), GITHUB_STEP_SUMMARY=str(summary))
    result = _bash(script, cwd=clone, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 breaking for clients" in summary.read_text()
    assert "security-key-pattern" in summary.read_text()
    spec.write_bytes((upstream / "openapi.yaml").read_bytes())
    assert _bash(script, cwd=clone, env=env).returncode == 0
