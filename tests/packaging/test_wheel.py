"""The wheel works on its own: installed with each extra into a fresh environment outside the
repository, its commands run from an unrelated directory do what the README says."""

from __future__ import annotations

import json
import re
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.packaging.kit import DEMO_SETTINGS, ROOT, Environment, serving
from usage_contract_kit import __version__

pytestmark = [pytest.mark.package, pytest.mark.server]

SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text())
VERSION_LINE = f"(usage-contract-kit) {__version__}, contract: {SPEC['info']['title']} {SPEC['info']['version']}"
USAGE = "/organizations/org_1/usage?startDate=1&endDate=2"
EXAMPLE = SPEC["paths"]["/organizations/{organizationId}/usage"]["get"]["responses"]["200"]["content"][
    "application/json"
]["examples"]["default"]["value"]


def test_the_wheel_holds_the_contract_the_demo_data_and_the_plugin(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert archive.read("usage_contract_kit/openapi.yaml") == (ROOT / "openapi.yaml").read_bytes()
        assert archive.read("mockserver/demo-data/sample-keys.yaml") == (ROOT / "data/sample-keys.yaml").read_bytes()
        assert archive.read("mockserver/demo-data/sample-usage.csv") == (ROOT / "data/sample-usage.csv").read_bytes()
        info = next(n.rsplit("/", 1)[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(f"{info}/METADATA").decode()
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert "[pytest11]\nusage_contract = contract_tests.entry" in entry_points
    assert "License-Expression: MIT" in metadata
    assert f"{info}/licenses/LICENSE" in names
    assert not any(n.endswith("pytest.ini") or n == "conftest.py" for n in names)
    base = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]
    for tool in ("pytest", "schemathesis", "hypothesis", "requests"):
        assert not any(re.match(rf"Requires-Dist: {tool}\b", line) for line in base), f"{tool} in the base install"
        assert f"Requires-Dist: {tool}" in metadata


def test_the_build_prints_no_deprecation(built: tuple[Path, str]) -> None:
    noisy = [
        line
        for line in built[1].splitlines()
        if re.search(r"deprecat|warning", line, re.IGNORECASE) and "byte-compiling is disabled" not in line
    ]
    assert noisy == []


def test_the_mock_alone(environment: Callable[[str], Environment], tmp_path: Path) -> None:
    mock = environment("mock")
    probe = mock.run(
        "python", "-c",
        "import importlib.util, mockserver.cli, mockserver.app, contract_tests.cli;"
        "print(sorted(m for m in ('pytest', 'schemathesis', 'hypothesis', 'requests') if importlib.util.find_spec(m)))",
        cwd=tmp_path,
    )  # fmt: skip
    assert (probe.returncode, probe.stdout.strip()) == (0, "[]"), probe.stderr
    version = mock.run("mockserver", "--version", cwd=tmp_path)
    assert version.stdout == f"mockserver {VERSION_LINE}\n"
    checked = mock.run("mockserver", "--check", cwd=tmp_path)
    assert checked.returncode == 0
    assert "warning" not in (checked.stdout + checked.stderr).lower()
    with serving(mock, cwd=tmp_path, log=tmp_path / "mock.log") as base:
        request = urllib.request.Request(base + USAGE, headers={"X-API-Key": "idt_live_" + "a" * 32})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert (response.status, json.loads(response.read())) == (200, EXAMPLE)
    log = (tmp_path / "mock.log").read_text()
    assert "example mode" in log
    assert "usage_contract_kit/openapi.yaml" in log  # the packaged contract, not a file of the current directory
    assert "WARNING" not in log, log
    # Without the suite, usage-contract says what to install; its diff needs nothing more.
    gate = mock.run("usage-contract", base, cwd=tmp_path)
    assert gate.returncode == 4
    assert "pip install 'usage-contract-kit[suite]'" in gate.stderr
    assert mock.run("usage-contract", "--version", cwd=tmp_path).stdout == f"usage-contract {VERSION_LINE}\n"
    where = mock.run("python", "-c", "from usage_contract_kit.packaged import CONTRACT; print(CONTRACT)", cwd=tmp_path)
    contract = where.stdout.strip()
    assert contract.startswith(str(mock.root))
    assert mock.run("usage-contract", "diff", contract, contract, cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("profile", ["suite", "all", "suite from the lock"])
def test_the_gate_passes_against_the_demo_and_writes_reports(
    environment: Callable[[str], Environment], tmp_path: Path, profile: str
) -> None:
    kit = environment(profile)
    assert kit.run("usage-contract", "--version", cwd=tmp_path).stdout == f"usage-contract {VERSION_LINE}\n"
    assert kit.run("mockserver", "--version", cwd=tmp_path).stdout == f"mockserver {VERSION_LINE}\n"
    with serving(kit, "--demo", cwd=tmp_path, log=tmp_path / "mock.log") as base:
        gate = kit.run("usage-contract", base, cwd=tmp_path, env=DEMO_SETTINGS)
    assert gate.returncode == 0, gate.stdout[-4000:] + gate.stderr[-2000:]
    reports = tmp_path / "reports" / "contract"
    assert {p.name for p in reports.iterdir()} >= {
        "conformance.md",
        "conformance.json",
        "conformance.html",
        "junit.xml",
    }
    report = json.loads((reports / "conformance.json").read_text())
    assert report["passed"] is True
    assert report["coverage"]["ran"] == report["coverage"]["total"] > 60


def test_a_partial_run_passes_against_the_mock_with_no_arguments(
    environment: Callable[[str], Environment], tmp_path: Path
) -> None:
    """Example mode takes any key of the documented shape: without a key, the checks that need none pass."""
    kit = environment("suite")
    with serving(kit, cwd=tmp_path, log=tmp_path / "mock.log") as base:
        gate = kit.run("usage-contract", base, cwd=tmp_path, env={"CONTRACT_ALLOW_PARTIAL": "1"})
    assert gate.returncode == 0, gate.stdout[-4000:]
    coverage = json.loads((tmp_path / "reports" / "contract" / "conformance.json").read_text())["coverage"]
    assert 0 < coverage["ran"] < coverage["total"]


def test_pytest_runs_the_installed_suite_in_a_project_that_only_installed_the_kit(
    environment: Callable[[str], Environment], tmp_path: Path
) -> None:
    kit = environment("suite")
    project = tmp_path / "frontend"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = "-ra"\ntestpaths = ["tests"]\n')
    (project / "tests").mkdir()
    (project / "tests" / "test_own.py").write_text("def test_own():\n    pass\n")
    own = kit.run("pytest", "-q", cwd=project)  # the project's own run: the plugin stays out of it
    assert own.returncode == 0, own.stdout
    assert "1 passed" in own.stdout
    assert "contract conformance" not in own.stdout
    with serving(kit, "--demo", cwd=tmp_path, log=tmp_path / "mock.log") as base:
        suite = kit.run("pytest", "--contract-base-url", base, "-q", cwd=project, env=DEMO_SETTINGS)
    assert suite.returncode == 0, suite.stdout[-4000:] + suite.stderr[-2000:]
    assert "contract conformance" in suite.stdout
    assert "test_own" not in suite.stdout
    assert re.search(r"(\d+) of \1 checks ran", suite.stdout), suite.stdout[-2000:]
    assert (project / "reports" / "conformance.html").is_file()


def test_everything_installs_the_plugin_and_it_adds_nothing_to_an_empty_project(
    environment: Callable[[str], Environment], tmp_path: Path
) -> None:
    kit = environment("all")
    assert "--contract-base-url" in kit.run("pytest", "--help", cwd=tmp_path).stdout
    empty = kit.run("pytest", "-q", cwd=tmp_path)
    assert empty.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, empty.stdout
