"""The command line and the real server: quick start, errors without tracebacks, logs."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import DATA_PATH, KEY, ROOT, SPEC_PATH
from tests.server import running_mock

pytestmark = pytest.mark.server


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_quick_start_returns_the_documented_example(tmp_path: Path) -> None:
    with running_mock(log=tmp_path / "mock.log") as base:
        status, body = _get(base + "/organizations/org_1/usage?startDate=1&endDate=2", {"X-API-Key": "idt_live_..."})
        assert status == 200
        example = yaml.safe_load(SPEC_PATH.read_text())["paths"]["/organizations/{organizationId}/usage"]["get"]
        assert body == example["responses"]["200"]["content"]["application/json"]["examples"]["default"]["value"]
        assert _get(base + "/organizations/org_1/usage?startDate=1&endDate=2")[0] == 401


def test_data_mode_logs_one_redacted_line_per_request(tmp_path: Path) -> None:
    log = tmp_path / "mock.log"
    with running_mock("--data", str(DATA_PATH), log=log) as base:
        status, body = _get(
            base + "/organizations/org_1/usage?startDate=1735689600000&endDate=1738367999999", {"X-API-Key": KEY}
        )
        assert status == 200
        assert isinstance(body["data"], dict)
        assert _get(base + "/organizations/org_3/usage?startDate=1&endDate=2", {"X-API-Key": KEY})[0] == 403
        journal = _get(base + "/__admin/requests")[1]
    text = log.read_text()
    assert "GET /organizations/org_1/usage?startDate=1735689600000&endDate=1738367999999 200" in text
    assert "GET /organizations/org_3/usage?startDate=1&endDate=2 403" in text
    assert "key=idt_live_***" in text
    assert KEY not in text
    assert [e["status"] for e in journal["requests"]] == [200, 403]


def test_broken_spec_stops_startup_without_traceback(tmp_path: Path) -> None:
    document = yaml.safe_load(SPEC_PATH.read_text())
    responses = document["paths"]["/organizations/{organizationId}/usage"]["get"]["responses"]
    responses["200"]["content"]["application/json"]["examples"]["default"]["value"]["data"]["usageSms"] = "lots"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(document))
    result = _cli("--spec", str(broken), "--check")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert (
        f"{broken}#/paths/~1organizations~1{{organizationId}}~1usage/get/responses/200/content/application~1json/examples/default/value/data/usageSms"
        in result.stderr
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--spec", "missing.yaml"], "cannot read the file"),
        (["--data", "missing.yaml"], "missing.yaml: cannot read the file"),
        (["--latency", "soon"], "--latency"),
        (["--port", "99999"], "--port"),
        (["--max-spec-mb", "0"], "--max-spec-mb"),
        (["--max-data-mb", "lots"], "--max-data-mb"),
        (["--max-spec-nodes", "0"], "--max-spec-nodes"),
        (["--reload-interval", "nan"], "'--reload-interval': nan is not a number of seconds"),
        (["--latency", "99999999999999999999"], "at most 600000 milliseconds"),
        (["--cors-origin", "http://localhost:3000/"], "an origin has no path"),
    ],
)
def test_bad_options_are_named(args: list[str], fragment: str) -> None:
    result = _cli(*args, "--check")
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_check_reports_mode() -> None:
    result = _cli("--spec", str(SPEC_PATH), "--data", str(DATA_PATH), "--check")
    assert result.returncode == 0, result.stderr
    assert "data mode" in result.stdout


# The installed command: --version, the packaged contract as the default spec, --demo, no warnings.


def test_version_names_the_kit_and_the_contract() -> None:
    from usage_contract_kit import __version__

    result = _cli("--version")
    info = yaml.safe_load(SPEC_PATH.read_text())["info"]
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout == f"mockserver (usage-contract-kit) {__version__}, contract: {info['title']} {info['version']}\n"
    )


def test_without_spec_the_packaged_contract_is_served(tmp_path: Path) -> None:
    from usage_contract_kit.packaged import CONTRACT

    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "--check"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, f"ok: {CONTRACT} (example mode)\n", "")


def test_demo_serves_the_shipped_sample_data() -> None:
    from mockserver.cli import DEMO_KEYS, DEMO_USAGE

    result = _cli("--demo", "--check")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.endswith(f"(data mode ({DEMO_KEYS}, {DEMO_USAGE}))\n")
    refused = _cli("--demo", "--data", str(DATA_PATH), "--check")
    assert refused.returncode == 2
    assert "give either --demo or --data/--usage" in refused.stderr


def test_a_start_and_stop_print_no_warning(tmp_path: Path) -> None:
    log = tmp_path / "mock.log"
    with running_mock(log=log) as base:
        assert _get(base + "/__admin/health")[0] == 200
    text = log.read_text()
    assert "Shutting down granian" in text  # the whole run was logged
    assert "WARNING" not in text, text


def test_the_node_limit_is_named_and_raised_by_its_option() -> None:
    # The project's spec inlines to a few hundred nodes.
    refused = _cli("--spec", str(SPEC_PATH), "--max-spec-nodes", "50", "--check")
    assert refused.returncode == 2
    assert "over the limit of 50" in refused.stderr
    assert refused.stderr.rstrip().endswith("; --max-spec-nodes, MOCKSERVER_MAX_SPEC_NODES raises the limit")
    raised = _cli("--spec", str(SPEC_PATH), "--max-spec-nodes", "50000", "--check")
    assert raised.returncode == 0, raised.stderr
