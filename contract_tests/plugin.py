"""The pytest glue of the contract suite: options, fixtures, failure reports.

Loaded once, by ``contract_tests/pytest.ini`` (``-p contract_tests.plugin``) or by the
``usage-contract`` command. It refuses to run without a target (a run that tests nothing
must never be green), probes the target once so that a dead one fails fast with one clear
error, shows contract failures without tracebacks, and writes the conformance report.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from contract_tests.checks import CheckContext, ContractFailure
from contract_tests.contract import Contract, ContractError, load_contract
from contract_tests.http import Client, Exchange, TargetUnreachable, redact
from contract_tests.profiles import DEFAULT_PROFILE, register_profiles
from contract_tests.reporting import CheckResult, RunReport, write_reports
from contract_tests.settings import ENV, Target, TargetError, target_from
from contract_tests.suite import Baseline, baseline_for, probe, valid_number_variants

__all__ = ["contract", "ctx", "target"]

register_profiles()

_TARGET = pytest.StashKey[Target]()
_CONTRACT = pytest.StashKey[Contract]()
_RUN = pytest.StashKey[RunReport]()
_PROBE = pytest.StashKey["str | None"]()
_STARTED = pytest.StashKey[float]()
_OPTIONS = {
    "api_key": (
        "--api-key",
        "API key the target issued (prefer the CONTRACT_API_KEY variable: argv is visible to others)",
    ),
    "org_id": ("--org-id", "an organization the key may read"),
    "other_org_id": ("--other-org-id", "an existing organization the key may NOT read"),
    "other_api_key": ("--other-api-key", "a key that may read --other-org-id (prefer CONTRACT_OTHER_API_KEY)"),
    "missing_org_id": ("--missing-org-id", "an organization id known not to exist"),
    "window_start": ("--window-start", "start of a historical window (epoch ms) whose usage no longer changes"),
    "window_end": ("--window-end", "end of that window (epoch ms)"),
    "timeout": ("--request-timeout", "seconds to wait for each answer (default 5)"),
    "latency_budget": ("--latency-budget", "slowest acceptable answer in seconds (default 1)"),
    "spec": ("--spec", "the OpenAPI document (default: openapi.yaml)"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "usage-contract-kit: the implementation under test")
    # pytest-base-url defines the same option, with the same dest: then its value is used.
    with contextlib.suppress(ValueError):
        group.addoption(
            "--base-url", dest="base_url", default=None, help=f"base URL of the target (or {ENV['base_url']})"
        )
    for dest, (flag, text) in _OPTIONS.items():
        group.addoption(flag, dest=f"contract_{dest}", default=None, help=f"{text} (or {ENV[dest]})")
    group.addoption(
        "--no-semantics", dest="contract_no_semantics", action="store_true", help="skip the usage-semantics checks"
    )
    group.addoption(
        "--report-dir", dest="contract_report_dir", default="reports", help="where to write conformance.{md,json,html}"
    )
    group.addoption("--target-name", dest="contract_target_name", default=None, help="name of the target in reports")


def _spec_path(given: Path) -> Path:
    if given.exists() or given.is_absolute():
        return given
    # Run from elsewhere than the project root: use the project's spec beside the package.
    beside = Path(__file__).resolve().parent.parent / given
    return beside if beside.exists() else given


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "contract: a check of the contract suite")
    if config.option.help or getattr(config.option, "version", False):
        return
    values: dict[str, Any] = {"base_url": config.getoption("base_url")}
    values |= {dest: config.getoption(f"contract_{dest}") for dest in _OPTIONS}
    if config.getoption("contract_no_semantics"):
        values["semantics"] = False
    name = config.getoption("contract_target_name") or os.environ.get("CONTRACT_TARGET_NAME") or "target"
    try:
        target = target_from(values, name=name)
    except TargetError as exc:
        raise pytest.UsageError(f"contract suite: {exc}") from None
    target = target.__class__(**{**target.__dict__, "spec": _spec_path(target.spec)})
    try:
        contract = load_contract(target.spec)
    except ContractError as exc:
        raise pytest.UsageError(f"contract suite: {exc}") from None
    if values["api_key"]:
        sys.stderr.write(
            f"warning: --api-key shows the key to anyone who can list processes; set {ENV['api_key']} instead\n"
        )
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile(DEFAULT_PROFILE)
    config.stash[_TARGET] = target
    config.stash[_CONTRACT] = contract
    config.stash[_RUN] = RunReport(target.name, target.base_url, str(target.spec), list(contract.documented_statuses))


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if _TARGET not in config.stash:
        return
    config.stash[_STARTED] = time.perf_counter()
    target = config.stash[_TARGET]
    client = _client(config)
    config.stash[_PROBE] = probe(client, config.stash[_CONTRACT], target)


def _client(config: pytest.Config) -> Client:
    target = config.stash[_TARGET]
    run = config.stash[_RUN]

    def on_exchange(exchange: Exchange) -> None:
        run.statuses[exchange.reply.status] += 1
        run.requests += 1

    return Client(target.base_url, timeout=target.timeout, secrets=target.secrets, on_exchange=on_exchange)


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Target:
    """The implementation under test."""
    return pytestconfig.stash[_TARGET]


@pytest.fixture(scope="session")
def contract(pytestconfig: pytest.Config) -> Contract:
    """What the spec says of the operation under test."""
    return pytestconfig.stash[_CONTRACT]


@pytest.fixture(scope="session")
def unreachable(pytestconfig: pytest.Config) -> str | None:
    """Why the target could not be reached at the start of the run, if it could not."""
    return pytestconfig.stash.get(_PROBE, None)


@pytest.fixture(scope="session")
def client(pytestconfig: pytest.Config, unreachable: str | None) -> Iterator[Client]:
    """HTTP access to the target; every test using it is skipped when the target is down."""
    if unreachable is not None:
        pytest.skip(f"target unreachable: {unreachable} (see test_target_answers)")
    session_client = _client(pytestconfig)
    yield session_client
    session_client.session.close()


@pytest.fixture(scope="session")
def ctx(target: Target, contract: Contract) -> CheckContext:
    """What every check needs: the contract, the secrets to hide, the latency budget."""
    return CheckContext(contract, target.secrets, target.latency_budget)


@pytest.fixture(scope="session")
def baseline(target: Target) -> Baseline:
    """A known-good date range: the configured window, or January 2025."""
    return baseline_for(target)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``number_param``: each required number parameter of the operation (the dates);
    ``valid_number_form``: each legal spelling of each of them that keeps the request valid."""
    config = metafunc.config
    if _CONTRACT not in config.stash:
        return
    contract = config.stash[_CONTRACT]
    if "number_param" in metafunc.fixturenames:
        metafunc.parametrize("number_param", contract.number_params)
    if "valid_number_form" in metafunc.fixturenames:
        base = baseline_for(config.stash[_TARGET])
        forms = [
            (p, label, text) for p in contract.number_params for label, text in valid_number_variants(contract, base, p)
        ]
        metafunc.parametrize("valid_number_form", forms, ids=[f"{p}-{label}" for p, label, _ in forms])


def _failures(excinfo: pytest.ExceptionInfo[BaseException] | None) -> list[ContractFailure | TargetUnreachable]:
    if excinfo is None:
        return []
    found: list[ContractFailure | TargetUnreachable] = []
    stack: list[BaseException] = [excinfo.value]
    while stack:
        exc = stack.pop()
        if isinstance(exc, (ContractFailure, TargetUnreachable)):
            found.append(exc)
        elif isinstance(exc, BaseExceptionGroup):
            stack.extend(reversed(exc.exceptions))
    return found


def _name(item: pytest.Item) -> tuple[str, str]:
    module = item.module.__name__.rsplit(".", 1)[-1] if isinstance(item, pytest.Function) else "suite"
    category = module.removeprefix("test_")
    return category, item.name.removeprefix("test_")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    config = item.config
    if _RUN not in config.stash:
        return report
    secrets = config.stash[_TARGET].secrets
    failures = _failures(call.excinfo) if report.failed else []
    if failures:
        report.longrepr = "\n\n".join(redact(_text(f), secrets) for f in failures)
    if report.when == "call" or (report.when == "setup" and not report.passed):
        category, name = _name(item)
        outcome = report.outcome if report.when == "call" else ("skipped" if report.skipped else "error")
        reason = None
        if report.skipped and isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        elif report.failed and not failures:
            reason = redact(str(report.longrepr).strip().splitlines()[-1], secrets) if report.longrepr else None
        config.stash[_RUN].results.append(
            CheckResult(
                item.nodeid, category, name, outcome, [_dict(f, secrets) for f in failures], reason, report.duration
            )
        )
    return report


def _text(failure: ContractFailure | TargetUnreachable) -> str:
    if isinstance(failure, TargetUnreachable):
        return f"[target_reachable] {failure}"
    return str(failure)


def _dict(failure: ContractFailure | TargetUnreachable, secrets: dict[str, str]) -> dict[str, Any]:
    if isinstance(failure, TargetUnreachable):
        return {
            "check": "target_reachable",
            "request": "",
            "expected": "an answer",
            "got": redact(str(failure), secrets),
            "curl": None,
        }
    return failure.as_dict()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _RUN not in config.stash or not config.stash[_RUN].results:
        return
    run = config.stash[_RUN]
    run.duration = time.perf_counter() - config.stash.get(_STARTED, time.perf_counter())
    directory = Path(config.getoption("contract_report_dir"))
    paths = write_reports(run, directory)
    config.stash[_REPORTS] = paths


_REPORTS = pytest.StashKey[list[Path]]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if _RUN not in config.stash or _REPORTS not in config.stash:
        return
    run = config.stash[_RUN]
    seen = ", ".join(f"{s}x{run.statuses.get(s, 0)}" for s in run.documented_statuses)
    terminalreporter.write_sep("-", "contract conformance")
    terminalreporter.write_line(
        f"target {run.target} ({run.base_url}): {'PASS' if run.passed else 'FAIL'}; {run.requests} requests"
    )
    terminalreporter.write_line(f"documented statuses seen: {seen}")
    for path in config.stash[_REPORTS]:
        terminalreporter.write_line(f"report: {path}")
