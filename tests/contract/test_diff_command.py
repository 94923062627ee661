"""`usage-contract diff OLD NEW`: exit codes, formats, inputs that cannot be used, and the suite's own command line untouched."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from contract_tests import cli
from tests.conftest import SPEC_PATH
from tests.contract.diff_pairs import PAIRS, write_pair

PAIR = {p.name: p for p in PAIRS}


def _run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli.main, list(args), input=stdin)


@pytest.fixture
def pair_files(tmp_path: Path) -> Any:
    def make(name: str) -> tuple[str, str]:
        old, new = write_pair(PAIR[name], tmp_path)
        return str(old), str(new)

    return make


def test_no_change_exits_0() -> None:
    result = _run("diff", str(SPEC_PATH), str(SPEC_PATH))
    assert (result.exit_code, result.stdout) == (
        0,
        f"{SPEC_PATH} → {SPEC_PATH}: no changes (breaking for clients: no)\n",
    )


@pytest.mark.parametrize(
    ("pair", "fail_on", "code"),
    [
        ("error-response-removed", "clients", 1),
        ("parameter-added-optional", "clients", 0),
        ("parameter-added-optional", "implementations", 1),
        ("parameter-added-optional", "any", 1),
        ("response-property-added-optional", "any", 0),
    ],
)
def test_exit_code_follows_fail_on(pair_files: Any, pair: str, fail_on: str, code: int) -> None:
    old, new = pair_files(pair)
    result = _run("diff", old, new, "--fail-on", fail_on)
    assert result.exit_code == code, result.output


def test_default_fails_on_client_breaking_changes_only(pair_files: Any) -> None:
    assert _run("diff", *pair_files("error-response-removed")).exit_code == 1
    assert _run("diff", *pair_files("path-added")).exit_code == 0


def test_json_report_names_each_side(pair_files: Any) -> None:
    old, new = pair_files("error-response-removed")
    result = _run("diff", old, new, "--format", "json", "--old-name", "main", "--new-name", "branch")
    report = json.loads(result.stdout)
    assert (report["old"], report["new"], report["breaking"]) == ("main", "branch", True)
    assert {c["kind"] for c in report["changes"]} == {"response-removed"}


def test_markdown_report(pair_files: Any) -> None:
    result = _run("diff", *pair_files("key-pattern-changed"), "--format", "markdown")
    assert result.exit_code == 1
    assert (
        "| breaking for clients | GET /organizations/{organizationId}/usage: security scheme 'ApiKeyAuth': x-key-pattern"
        in result.stdout
    )


def test_old_version_from_standard_input(pair_files: Any) -> None:
    old, new = pair_files("server-removed")
    result = _run("diff", "-", new, stdin=Path(old).read_text())
    assert result.exit_code == 1
    assert "server http://127.0.0.1:4010 removed" in result.stdout


_SCHEMA_REF = (
    "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{/a: {{get: {{responses: {{'200': {{description: ok,"
    " content: {{application/json: {{schema: {{$ref: '{}'}}}}}}}}}}}}}}}}\n"
)
BAD_INPUTS = [
    ("missing file", None, r"error: .*missing\.yaml: cannot read \(No such file or directory\)"),
    ("not YAML", "a: [\n", r"error: .*input\.yaml: not valid YAML at line 2"),
    ("not OpenAPI", "- a\n- b\n", r"error: .*input\.yaml: not an OpenAPI document \(no 'openapi' field at the top\)"),
    ("Swagger 2", "swagger: '2.0'\n", r"error: .*input\.yaml: Swagger 2 documents are not supported"),
    ("invalid OpenAPI", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {responses: 5}}}\n", r"error: .*input\.yaml#/paths/~1a/get/responses: not a valid OpenAPI document: 5 is not of type .object.$"),
    ("not UTF-8", b"\xff\xfe", r"error: .*input\.yaml: not UTF-8 text"),
    # The validator fetched a $ref to a URL (an HTTP request to any host the document named) and read other files.
    ("a ref to a URL", _SCHEMA_REF.format("http://127.0.0.1:9/x.yaml#/A"), r"error: .*input\.yaml#/paths/~1a/get/responses/200/content/application~1json/schema: \$ref 'http://127\.0\.0\.1:9/x\.yaml#/A' points outside the file \(only local refs\)$"),
    ("a ref to another file", _SCHEMA_REF.format("../../etc/passwd"), r"error: .*input\.yaml#/paths/.*: \$ref '\.\./\.\./etc/passwd' points outside the file"),
    ("refs in a loop", _SCHEMA_REF.format("#/components/schemas/A") + "components: {schemas: {A: {$ref: '#/components/schemas/A'}}}\n", r"error: .*input\.yaml: not a valid OpenAPI document: its \$refs lead too deep to check"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "pattern"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS])
def test_unusable_input_exits_2_with_one_line(tmp_path: Path, text: str | bytes | None, pattern: str) -> None:
    path = tmp_path / ("missing.yaml" if text is None else "input.yaml")
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text)
    result = _run("diff", str(SPEC_PATH), str(path))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert re.match(pattern, result.stderr), result.stderr


def test_a_json_version_is_read_as_json(tmp_path: Path) -> None:
    import yaml

    document = yaml.safe_load(SPEC_PATH.read_text())
    document["info"]["description"] += " \U0001f44d"  # written as a surrogate pair of escapes, which YAML refuses
    path = tmp_path / "new.json"
    path.write_text(json.dumps(document))
    result = _run("diff", str(SPEC_PATH), str(path))
    assert result.exit_code == 0, result.output
    path.write_text(json.dumps(document)[:-20])
    result = _run("diff", str(SPEC_PATH), str(path))
    assert result.exit_code == 2
    assert re.match(r"error: .*new\.json: not valid JSON at line 1, column \d+: ", result.stderr), result.stderr


def test_usage_errors_exit_2() -> None:
    assert _run("diff", "-", "-").exit_code == 2
    assert _run("diff", str(SPEC_PATH), str(SPEC_PATH), "--format", "xml").exit_code == 2


def test_real_process_prints_no_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\npaths: [\n")
    result = subprocess.run(
        [sys.executable, "-m", "contract_tests.cli", "diff", str(SPEC_PATH), str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_base_url_still_runs_the_suite(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def fake_main(args: list[str]) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr("contract_tests.cli._pytest_main", fake_main)
    result = _run("http://127.0.0.1:9", "--", "-k", "auth")
    assert result.exit_code == 0
    assert seen
    assert seen[0][-2:] == ["--contract-base-url", "http://127.0.0.1:9"]
    assert "-k" in seen[0]


def test_targets_file_still_runs_the_matrix(tmp_path: Path) -> None:
    result = _run("--targets", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 4
    assert result.stderr.startswith("error: ")


def test_help_mentions_diff() -> None:
    assert "usage-contract diff OLD NEW" in _run("--help").stdout
    assert "--fail-on [clients|implementations|any]" in _run("diff", "--help").stdout
