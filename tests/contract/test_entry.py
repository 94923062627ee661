"""The plugin every pytest run of an environment with the kit loads: inert unless the suite runs.

In-process pytester runs: the entry point is loaded as in any project, from the installed
distribution's metadata.
"""

from __future__ import annotations

import pytest

from contract_tests import entry
from contract_tests.cli import SUITE
from contract_tests.core.variables import SETTINGS

A_FRONTEND_TEST = """
def test_own(request):
    assert "target" not in request.fixturenames

def test_uses_a_name_the_suite_also_uses(target):
    pass
"""


@pytest.fixture
def no_contract_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for setting in SETTINGS:
        monkeypatch.delenv(setting.variable, raising=False)


def test_another_projects_run_does_not_see_the_suite(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, no_contract_variables: None
) -> None:
    pytester.makepyfile(test_frontend=A_FRONTEND_TEST)
    monkeypatch.setenv("CONTRACT_BASE_URL", "http://127.0.0.1:9")  # a variable alone does not make a run the suite
    result = pytester.runpytest("-p", "no:cacheprovider", "--assert=plain")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*fixture 'target' not found*"])
    assert "contract conformance" not in result.stdout.str()


def test_the_options_are_prefixed_and_clash_with_none(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    text = result.stdout.str()
    for setting in SETTINGS:
        assert setting.option.startswith("--contract-")
        assert setting.option in text
    assert "--base-url" not in text.replace("--contract-base-url", "")


@pytest.mark.parametrize(
    "args",
    [[str(SUITE)], [str(SUITE / "test_auth.py")], ["--pyargs", "contract_tests"]],
    ids=["suite folder", "one of its files", "pyargs"],
)
def test_the_suites_own_files_make_the_run_the_suite(
    pytester: pytest.Pytester, no_contract_variables: None, args: list[str]
) -> None:
    result = pytester.runpytest(*args, "-p", "no:cacheprovider", "--assert=plain", "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no target: set CONTRACT_BASE_URL or pass --contract-base-url URL*"])


def test_a_contract_option_without_a_path_collects_the_installed_suite(
    pytester: pytest.Pytester, no_contract_variables: None
) -> None:
    pytester.makepyfile(test_frontend=A_FRONTEND_TEST)
    result = pytester.runpytest(
        "--contract-base-url",
        "http://127.0.0.1:9",
        "--contract-allow-partial",
        "-p",
        "no:cacheprovider",
        "--assert=plain",
        "--co",
        "-q",
    )
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    text = result.stdout.str()
    assert "test_auth.py::" in text
    assert "test_frontend" not in text


def test_the_plugin_registers_once_even_when_also_named_with_p(
    pytester: pytest.Pytester, no_contract_variables: None
) -> None:
    result = pytester.runpytest(
        "-p", "contract_tests.plugin", str(SUITE), "--contract-base-url", "http://127.0.0.1:9",
        "--contract-allow-partial", "-p", "no:cacheprovider", "--assert=plain", "--co", "-q",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.OK, result.stdout.str() + result.stderr.str()


def test_without_the_suites_dependencies_it_says_what_to_install(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, no_contract_variables: None
) -> None:
    def without_schemathesis() -> object:  # as in an install without [suite]
        raise ModuleNotFoundError("No module named 'schemathesis'", name="schemathesis")

    monkeypatch.setattr(entry, "_load_plugin", without_schemathesis)
    result = pytester.runpytest("--contract-base-url", "http://127.0.0.1:9", "-p", "no:cacheprovider", "--assert=plain")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "schemathesis is not installed; install the suite with: pip install 'usage-contract-kit[suite]'" in (
        result.stderr.str()
    )


def test_the_suite_is_collected_whatever_python_files_the_project_sets(
    pytester: pytest.Pytester, no_contract_variables: None
) -> None:
    pytester.makeini("[pytest]\npython_files = check_*.py\n")
    result = pytester.runpytest(
        "--contract-base-url", "http://127.0.0.1:9", "--contract-allow-partial", "-p", "no:cacheprovider",
        "--assert=plain", "--co", "-q",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    nodes = [line for line in result.stdout.lines if "::" in line]
    assert any(line.startswith("test_auth.py::") for line in nodes)
    assert len(nodes) == len(set(nodes))  # each check once
