from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from contract_tests.core.matrix import write_matrix
from contract_tests.core.reporting import CheckResult, RunReport, write_reports


def _report(name: str, outcome: str) -> RunReport:
    failure = {
        "check": "bad_key_refused",
        "request": "GET http://t/x",
        "expected": "401",
        "got": "200 <b>",
        "curl": "curl -i 'http://t/x'",
    }
    return RunReport(
        target=name,
        base_url="http://t",
        spec="openapi.yaml",
        documented_statuses=[200, 401],
        results=[
            CheckResult(
                "a", "auth", "bad_key_is_refused[empty key]", outcome, [failure] if outcome == "failed" else []
            ),
            CheckResult(
                "b",
                "tenancy",
                "other_organization_is_forbidden",
                "skipped",
                reason="set CONTRACT_OTHER_ORG_ID",
                ran=False,
            ),
        ],
        statuses=Counter({200: 3, 500: 1}),
        requests=4,
        total=2,
    )


def test_run_report_in_three_formats(tmp_path: Path) -> None:
    paths = write_reports(_report("vendor-a", "failed"), tmp_path)
    data = json.loads(paths[0].read_text())
    assert data["passed"] is False
    assert data["summary"] == {"passed": 0, "failed": 1, "error": 0, "skipped": 1}
    assert data["status_coverage"] == {"documented": {"200": 3, "401": 0}, "undocumented": {"500": 1}}
    assert data["coverage"] == {
        "ran": 1,
        "total": 2,
        "strict": False,
        "skipped": [{"reason": "set CONTRACT_OTHER_ORG_ID", "checks": 1}],
    }
    markdown = paths[1].read_text()
    assert "| 401 | 0 | never seen |" in markdown
    assert "| 500 | 1 | not documented |" in markdown
    assert "curl -i 'http://t/x'" in markdown
    assert "**1 of 2 checks ran**" in markdown
    assert "| 1 | set CONTRACT\\_OTHER\\_ORG\\_ID |" in markdown
    page = paths[2].read_text()
    assert page.startswith("<!doctype html>")
    assert "200 &lt;b&gt;" in page
    assert "<b>1 of 2 checks ran</b>" in page
    assert "set CONTRACT_OTHER_ORG_ID" in page


def test_target_text_is_inert_in_every_format(tmp_path: Path) -> None:
    report = _report("vendor-a", "failed")
    hostile = "\x1b[2J\x1b[32mALL PASSED\r```\n# fake heading <script>x</script> | cell"
    report.results[0].failures[0]["got"] = hostile
    paths = write_reports(report, tmp_path)
    for path in paths:
        text = path.read_text()
        assert "\x1b" not in text, path.name
        assert "\r" not in text, path.name
    markdown = paths[1].read_text()
    # Fenced with more backticks than the body holds: the heading and the table cell stay text.
    assert "````text\n\\x1b[2J\\x1b[32mALL PASSED\\r```\n# fake heading" in markdown
    assert "<script>" not in paths[2].read_text()


def test_a_run_with_only_skips_is_not_a_pass() -> None:
    report = _report("x", "skipped")
    assert report.passed is False


def test_matrix(tmp_path: Path) -> None:
    runs = [_report("a", "passed").as_dict(), _report("b", "failed").as_dict()]
    paths = write_matrix(runs, tmp_path)
    data = json.loads(paths[0].read_text())
    assert data["verdicts"] == {"a": True, "b": False}
    assert data["checks"]["auth: bad_key_is_refused[empty key]"] == {"a": "pass", "b": "FAIL"}
    assert data["checks_ran"] == {"a": "1 of 2", "b": "1 of 2"}
    assert "| **verdict** | **PASS** | **FAIL** |" in paths[1].read_text()
    assert data["skipped"]["a"] == [{"reason": "set CONTRACT_OTHER_ORG_ID", "checks": 1}]
    markdown, page = paths[1].read_text(), paths[2].read_text()
    assert "| **checks ran** | 1 of 2 | 1 of 2 |" in markdown
    assert "| a | 1 | set CONTRACT\\_OTHER\\_ORG\\_ID |" in markdown
    assert "<td>1 of 2</td>" in page
    assert "<td>set CONTRACT_OTHER_ORG_ID</td>" in page


def test_matrix_links_each_target_to_its_report_and_names_failed_checks(tmp_path: Path) -> None:
    runs = [_report("a", "passed").as_dict(), _report("b", "failed").as_dict()]
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "conformance.html").write_text("<html></html>")
    paths = write_matrix(runs, tmp_path)
    data = json.loads(paths[0].read_text())
    assert data["reports"] == {"a": "a/conformance.html", "b": "b/conformance.html"}
    assert data["failed_checks"] == {"auth: bad_key_is_refused[empty key]": {"b": ["bad_key_refused"]}}
    markdown, page = paths[1].read_text(), paths[2].read_text()
    assert "| check | [a](a/conformance.html) | [b](b/conformance.html) |" in markdown
    assert (
        "| auth: bad\\_key\\_is\\_refused\\[empty key\\] | [pass](a/conformance.html) | [FAIL: bad\\_key\\_refused](b/conformance.html) |"
        in markdown
    )
    assert "<th><a href='b/conformance.html'>b</a></th>" in page
    assert "<td class='failed'><a href='b/conformance.html'>FAIL: bad_key_refused</a></td>" in page


def test_matrix_without_reports_has_no_dead_links(tmp_path: Path) -> None:
    runs = [_report("a", "failed").as_dict()]
    paths = write_matrix(runs, tmp_path)
    assert json.loads(paths[0].read_text())["reports"] == {}
    assert "](" not in paths[1].read_text()
    assert "<a href" not in paths[2].read_text()
    assert "FAIL: bad\\_key\\_refused" in paths[1].read_text()
