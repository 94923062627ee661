"""The suite as its users run it: refusals, skips, dead targets, reports and secrets."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cli import SUITE
from tests.contract import implementations as impl
from tests.contract.harness import ROOT, run_suite, serving, suite_env
from tests.contract.tls import make_private_ca

pytestmark = pytest.mark.server

# What these tests check is the plugin (settings, reports, redaction, transport errors),
# not the checks themselves (the detection table proves those): where a test needs only
# some checks to run, it selects them, so a run costs a second, not the fuzzing's three.
AUTH_ONLY = ("-k", "test_auth")
TENANCY_ONLY = ("-k", "test_tenancy")


def test_refuses_to_run_without_a_target(tmp_path: Path) -> None:
    env = {k: v for k, v in suite_env("http://unused").items() if k != "CONTRACT_BASE_URL"}
    outcome = run_suite(env, tmp_path)
    assert outcome.exit_code == 4
    assert "no target: set CONTRACT_BASE_URL or pass --contract-base-url URL" in outcome.output
    assert not (tmp_path / "conformance.json").exists()


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("CONTRACT_BASE_URL", "ftp://x", "must be an http:// or https:// URL"),
        ("CONTRACT_WINDOW_END", "soon", "CONTRACT_WINDOW_END='soon' is not a number"),
        ("CONTRACT_CA_BUNDLE", "/nonexistent/ca.pem", "CONTRACT_CA_BUNDLE='/nonexistent/ca.pem': no such file"),
        # A file that holds no certificate ended the run in an INTERNALERROR traceback (exit code 3).
        (
            "CONTRACT_CA_BUNDLE",
            str(ROOT / "README.md"),
            f"CONTRACT_CA_BUNDLE={str(ROOT / 'README.md')!r}: no certificate could be read from it (",
        ),
    ],
)
def test_bad_settings_are_usage_errors(variable: str, value: str, fragment: str, tmp_path: Path) -> None:
    outcome = run_suite(suite_env("https://127.0.0.1:9", **{variable: value}), tmp_path)
    assert outcome.exit_code == 4
    assert fragment in outcome.output
    assert "Traceback" not in outcome.output
    assert "INTERNALERROR" not in outcome.output


def _keyless(base_url: str, **extra: str) -> dict[str, str]:
    keep = ("CONTRACT_BASE_URL", "CONTRACT_SPEC")
    return {k: v for k, v in suite_env(base_url).items() if not k.startswith("CONTRACT_") or k in keep} | extra


def test_refuses_to_run_without_a_key_and_an_organization(tmp_path: Path) -> None:
    with serving(impl.Implementation("reference")) as base_url:
        outcome = run_suite(_keyless(base_url), tmp_path)
    assert outcome.exit_code == 4, outcome.output[-3000:]
    assert "CONTRACT_API_KEY and CONTRACT_ORG_ID not set" in outcome.output
    assert "--contract-allow-partial (CONTRACT_ALLOW_PARTIAL=1)" in outcome.output
    assert not (tmp_path / "conformance.json").exists()


def test_a_partial_run_says_what_did_not_run(tmp_path: Path) -> None:
    with serving(impl.Implementation("reference")) as base_url:
        outcome = run_suite(_keyless(base_url, CONTRACT_ALLOW_PARTIAL="1"), tmp_path)
    assert outcome.exit_code == 0, outcome.output[-3000:]
    coverage = outcome.report["coverage"]
    assert 0 < coverage["ran"] < coverage["total"]
    assert f"{coverage['ran']} of {coverage['total']} checks ran" in outcome.output
    reasons = {item["reason"] for item in coverage["skipped"]}
    assert reasons
    assert all("CONTRACT_" in reason for reason in reasons), reasons
    assert all(f"skipped ({item['checks']}): {item['reason']}" in outcome.output for item in coverage["skipped"])
    markdown, page = (tmp_path / "conformance.md").read_text(), (tmp_path / "conformance.html").read_text()
    assert f"**{coverage['ran']} of {coverage['total']} checks ran**" in markdown
    assert "did not run" in markdown
    assert f"<b>{coverage['ran']} of {coverage['total']} checks ran</b>" in page
    passed = [c["name"] for c in outcome.report["checks"] if c["outcome"] == "passed"]
    assert "missing_key_is_refused" in passed


def test_strict_fails_a_run_with_skips(tmp_path: Path) -> None:
    with serving(impl.Implementation("reference")) as base_url:
        env = _keyless(base_url, CONTRACT_ALLOW_PARTIAL="1")
        outcome = run_suite(env, tmp_path, "--strict", f"--junitxml={tmp_path / 'junit.xml'}")
    assert outcome.exit_code == 1, outcome.output[-3000:]
    failed = [c for c in outcome.report["checks"] if c["outcome"] == "failed"]
    assert failed
    assert all("--strict fails skips" in c["reason"] and "CONTRACT_" in c["reason"] for c in failed)
    assert outcome.report["coverage"]["strict"] is True
    assert outcome.report["passed"] is False
    assert "[strict] this check did not run" in (tmp_path / "junit.xml").read_text()


def test_a_wrong_base_path_gets_one_hint(tmp_path: Path) -> None:
    def mounted(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/api/v1/"):
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"error": "NotFound", "message": "no route"}']
        environ["PATH_INFO"] = path.removeprefix("/api/v1")
        return impl.Implementation("reference")(environ, start_response)

    with serving(mounted) as base_url:
        outcome = run_suite(suite_env(base_url), tmp_path)
        right = run_suite(suite_env(base_url + "/api/v1"), tmp_path / "right", *AUTH_ONLY)
    assert outcome.exit_code == 1
    failed = [c["name"] for c in outcome.report["checks"] if c["outcome"] == "failed"]
    assert failed == ["target_answers"]
    assert outcome.output.count("is the base path right?") >= 1
    assert right.exit_code == 0, right.output[-3000:]


def test_a_target_behind_a_private_ca(tmp_path: Path) -> None:
    ca, certificate, key = make_private_ca(tmp_path)
    with serving(impl.Implementation("reference"), ssl_context=(str(certificate), str(key))) as base_url:
        refused = run_suite(suite_env(base_url), tmp_path / "without")
        trusted = run_suite(suite_env(base_url, CONTRACT_CA_BUNDLE=str(ca)), tmp_path / "with", *AUTH_ONLY)
    assert refused.exit_code == 1
    assert "TLS error" in refused.output
    assert trusted.exit_code == 0, trusted.output[-3000:]
    assert trusted.report["summary"]["passed"] >= 10
    assert trusted.report["summary"]["skipped"] == 0


def test_refused_connection_fails_fast_with_one_clear_error(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    started = time.monotonic()
    outcome = run_suite(suite_env(f"http://127.0.0.1:{port}"), tmp_path)
    assert time.monotonic() - started < 60
    assert outcome.exit_code == 1
    failed = [c for c in outcome.report["checks"] if c["outcome"] == "failed"]
    assert [c["name"] for c in failed] == ["target_answers"]
    assert "connection failed" in outcome.output


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_hanging_target_fails_within_the_timeout(silent_server: str, tmp_path: Path) -> None:
    started = time.monotonic()
    outcome = run_suite(suite_env(silent_server, CONTRACT_TIMEOUT="1"), tmp_path)
    assert time.monotonic() - started < 60
    assert outcome.exit_code == 1
    assert "no answer within 1 s" in outcome.output


def test_reports_and_replay_without_secrets(tmp_path: Path) -> None:
    leaky = impl.Implementation("leaky", echo_key=True, accept_any_key=False, key_prefix_match=True)
    with serving(leaky) as base_url:
        outcome = run_suite(suite_env(base_url), tmp_path, f"--junitxml={tmp_path / 'junit.xml'}", *AUTH_ONLY)
    assert outcome.exit_code == 1
    texts = {"console": outcome.output}
    texts |= {p.name: p.read_text() for p in tmp_path.iterdir() if p.is_file()}
    assert set(texts) >= {"console", "junit.xml", "conformance.json", "conformance.md", "conformance.html"}
    for name, text in texts.items():
        assert impl.KEY not in text, f"the API key leaked into {name}"
        assert impl.KEY[9:21] not in text, f"part of the API key leaked into {name}"
    report = json.loads(texts["conformance.json"])
    curls = [f["curl"] for c in report["checks"] for f in c["failures"]]
    assert any('"X-API-Key: ${CONTRACT_API_KEY}0"' in curl for curl in curls), curls
    assert set(report["status_coverage"]["documented"]) == {"200", "401", "403", "404", "422"}
    assert report["status_coverage"]["documented"]["401"] > 0
    assert "<link" not in texts["conformance.html"]
    assert "<script" not in texts["conformance.html"]


def test_replayed_curl_reproduces_the_failure(tmp_path: Path) -> None:
    with serving(impl.Implementation("no tenancy", no_tenancy=True)) as base_url:
        outcome = run_suite(suite_env(base_url), tmp_path, *TENANCY_ONLY)
        curl = next(
            f["curl"] for c in outcome.report["checks"] for f in c["failures"] if f["check"] == "other_tenant_forbidden"
        )
        replay = subprocess.run(
            ["bash", "-c", curl],
            capture_output=True,
            text=True,
            env={"CONTRACT_API_KEY": impl.KEY, "PATH": "/usr/bin:/bin"},
            timeout=30,
        )
    assert replay.stdout.startswith("HTTP/1.1 200"), replay.stdout


def test_semantics_can_be_switched_off(tmp_path: Path) -> None:
    with serving(impl.Implementation("negative", negative_counts=True)) as base_url:
        outcome = run_suite(
            suite_env(base_url, CONTRACT_SEMANTICS="false"),
            tmp_path,
            "-k",
            "test_semantics or test_domain or test_auth",
        )
    assert outcome.exit_code == 0, outcome.output[-3000:]
    skipped = [c for c in outcome.report["checks"] if c["category"] in ("semantics", "domain")]
    assert skipped
    assert all(c["outcome"] == "skipped" and "CONTRACT_SEMANTICS" in c["reason"] for c in skipped)


def test_targets_file_writes_a_matrix(tmp_path: Path) -> None:
    with (
        serving(impl.Implementation("reference")) as good,
        serving(impl.Implementation("no tenancy", no_tenancy=True)) as bad,
    ):
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            "targets:\n"
            f"  - {{name: good, base_url: '{good}', api_key_env: VENDOR_KEY, org_id: {impl.ORG}, other_org_id: {impl.OTHER_ORG}}}\n"
            f"  - {{name: bad, base_url: '{bad}', api_key_env: VENDOR_KEY, org_id: {impl.ORG}, other_org_id: {impl.OTHER_ORG}}}\n"
        )
        env = {**suite_env(good), "VENDOR_KEY": impl.KEY}
        result = subprocess.run(
            [sys.executable, "-m", "contract_tests.cli", "--targets", str(targets), "--report-dir", str(tmp_path / "out"), "--", "--contract-spec", str(ROOT / "openapi.yaml"), *TENANCY_ONLY],
            env=env, capture_output=True, text=True, timeout=300, cwd=ROOT,
        )  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    matrix = json.loads((tmp_path / "out" / "matrix.json").read_text())
    assert matrix["verdicts"] == {"good": True, "bad": False}
    assert matrix["checks"]["tenancy: other_organization_is_forbidden"] == {"good": "pass", "bad": "FAIL"}
    assert (tmp_path / "out" / "matrix.html").exists()
    assert (tmp_path / "out" / "bad" / "conformance.html").exists()
    assert impl.KEY not in result.stdout + result.stderr
    assert SUITE.exists()


def test_unexpected_exceptions_and_hypothesis_examples_are_redacted(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_leaky="""
        import os
        from hypothesis import given, settings, strategies as st

        KEY = os.environ["CONTRACT_API_KEY"]

        def test_unexpected(target, ctx):
            print("captured stdout", KEY)
            raise RuntimeError(f"boom {KEY} {target!r} {ctx!r} \\x1b[2J\\r")

        @settings(max_examples=1, database=None)
        @given(value=st.just(KEY))
        def test_falsified(value, target):
            raise ValueError(value[::-1])
        """
    )
    with serving(impl.Implementation("reference")) as base_url:
        for name, value in suite_env(base_url).items():
            if name.startswith("CONTRACT_"):
                monkeypatch.setenv(name, value)
        junit = pytester.path / "junit.xml"
        result = pytester.runpytest_subprocess(
            str(pytester.path), "--contract-base-url", base_url, "--assert=plain", "-p", "no:cacheprovider", "-rA",
            f"--junitxml={junit}", "--contract-report-dir", str(pytester.path / "reports"),
        )  # fmt: skip
    result.assert_outcomes(failed=2)
    texts = {"console": result.stdout.str() + result.stderr.str(), "junit": junit.read_text()}
    texts |= {p.name: p.read_text() for p in (pytester.path / "reports").iterdir()}
    console = texts["console"]
    assert "test_falsified(" in console
    assert "ValueError: ***" in console
    assert "$CONTRACT_API_KEY" in console
    for name, text in texts.items():
        assert impl.KEY not in text, f"the key leaked into {name}"
        assert impl.KEY[::-1] not in text, f"the key leaked into {name}"
        assert impl.KEY[9:21] not in text, f"part of the key leaked into {name}"
        assert "\x1b" not in text, f"a control character reached {name}"
        assert "\r" not in text, f"a control character reached {name}"
