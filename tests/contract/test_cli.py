"""`usage-contract`: its help is the reference (variables, targets-file keys, exit codes), its
version line, and what it says when the suite is not installed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from contract_tests import cli
from contract_tests.core.variables import EXIT_CODES, NAME, SETTINGS, TARGET_FILE_KEYS
from tests.conftest import ROOT
from usage_contract_kit.packaged import version_text

README = (ROOT / "README.md").read_text()


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), terminal_width=200)


def test_help_lists_every_variable_targets_key_and_exit_code() -> None:
    text = _run("--help").stdout
    for setting in (*SETTINGS, NAME):
        assert setting.variable in text
        assert setting.option in text
    for key in TARGET_FILE_KEYS:
        assert f"  {key} " in text, key
    for code in EXIT_CODES:
        assert f"\n  {code} " in text
    assert "usage-contract diff OLD NEW" in text


def test_readme_documents_every_variable_option_and_targets_key() -> None:
    for setting in (*SETTINGS, NAME):
        assert re.search(rf"^\| [^|]*`{setting.variable}`", README, re.MULTILINE), setting.variable
        assert f"`{setting.option}`" in README, setting.option
    for key in TARGET_FILE_KEYS:
        assert f"| `{key}` |" in README, key
    for code, meaning in EXIT_CODES.items():
        assert f"| {code} | {meaning} |" in README


def test_version() -> None:
    result = _run("--version")
    assert (result.exit_code, result.stdout) == (0, version_text("usage-contract") + "\n")


def test_without_the_suite_installed_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pytest", None)  # import pytest now fails, as in a mock-only install
    result = _run("http://127.0.0.1:9")
    assert result.exit_code == 4
    assert "pip install 'usage-contract-kit[suite]'" in result.stderr
    targets = tmp_path / "targets.yaml"
    targets.write_text("targets:\n  - {name: a, base_url: 'http://127.0.0.1:9', allow_partial: true}\n")
    result = _run("--targets", str(targets))
    assert result.exit_code == 4
    assert "pip install 'usage-contract-kit[suite]'" in result.stderr


@pytest.mark.parametrize(
    ("argv", "url", "passed"),
    [
        (["http://127.0.0.1:9"], "http://127.0.0.1:9", []),
        (["http://127.0.0.1:9", "--", "-k", "auth"], "http://127.0.0.1:9", ["-k", "auth"]),
        (["--", "-k", "auth"], None, ["-k", "auth"]),  # the URL from CONTRACT_BASE_URL
        (["--", "--contract-strict"], None, ["--contract-strict"]),
    ],
)
def test_the_first_argument_is_the_url_only_when_it_is_not_an_option(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], url: str | None, passed: list[str]
) -> None:
    handed: list[list[str]] = []

    def pytest_main(args: list[str]) -> int:
        handed.append(args)
        return 0

    monkeypatch.setattr(cli, "_pytest_main", pytest_main)
    assert _run(*argv).exit_code == 0
    (args,) = handed
    given = args[args.index("--contract-base-url") + 1] if "--contract-base-url" in args else None
    assert given == url
    tail = args[len(cli.suite_args(Path("reports/contract"), "ci")) :]
    assert [a for a in tail if a not in ("--contract-base-url", url)] == passed


def test_suite_args_read_no_configuration_of_the_current_directory(tmp_path: Path) -> None:
    args = cli.suite_args(tmp_path, "ci")
    assert args[0] == str(cli.SUITE)
    for option, value in (("-c", "/dev/null"), ("--rootdir", str(cli.SUITE)), ("--confcutdir", str(cli.SUITE))):
        assert args[args.index(option) + 1] == value
    assert f"--junitxml={tmp_path / 'junit.xml'}" in args


def test_a_targets_run_uses_the_installed_suite_whatever_the_working_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The user's own `contract_tests` folder, where the command is run, must not stand in for the suite.
    decoy = tmp_path / "contract_tests"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit(7)\n")
    (tmp_path / "targets.yaml").write_text(
        "targets:\n  - {name: a, base_url: 'http://127.0.0.1:9', allow_partial: true}\n"
    )
    monkeypatch.chdir(tmp_path)
    result = _run("--targets", "targets.yaml", "--report-dir", "reports")
    assert "produced no report" not in result.stderr, result.stderr
    assert (tmp_path / "reports" / "a" / "conformance.json").is_file()
    assert result.exit_code == 1, result.output
