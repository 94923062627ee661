"""The pytest glue of the contract suite: settings, fixtures, failure reports.

Registered once, by :mod:`contract_tests.entry` (the ``pytest11`` entry point, which also
defines the ``--contract-*`` options), and only when the suite is what runs. A green run
means the checks ran:

* it refuses to run without a target, and without a key and a readable organization
  (exit code 4) unless partial runs are allowed (``--contract-allow-partial``);
* it says "N of M checks ran" in the console and every report, with what was skipped and
  the setting that enables it; ``--contract-strict`` (or pytest's ``--strict``) turns
  every skip into a failure;
* it probes the target once, so a dead target or a wrong base path fails fast with one
  clear error instead of dozens.

No output holds a key: every failed, errored or skipped report (traceback, captured
output, Hypothesis' falsifying example) is redacted and its control characters escaped
before pytest, JUnit or the conformance reports see it.
"""

from __future__ import annotations

import fnmatch
import os
import ssl
import sys
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from contract_tests.core.checks import CheckContext
from contract_tests.core.contract import Contract, ContractError, load_contract
from contract_tests.core.credentials import bad_key_variants
from contract_tests.core.exchange import Exchange
from contract_tests.core.reporting import RunReport, write_reports
from contract_tests.core.settings import ENV, Target, TargetError, target_from
from contract_tests.core.variables import NAME, SETTINGS
from contract_tests.core.variants import Baseline, baseline_for, number_spelling_variants, valid_number_variants
from contract_tests.profiles import DEFAULT_PROFILE, register_profiles
from contract_tests.results import UNREACHABLE, clean, failures_of, record, sanitise, skip_reason, strict_failure
from contract_tests.sending import probe
from contract_tests.transport.client import Client
from usage_contract_kit.verdicts import FileMemo

__all__ = ["baseline", "client", "contract", "ctx", "target", "unreachable"]

register_profiles()

_TARGET = pytest.StashKey[Target]()
_CONTRACT = pytest.StashKey[Contract]()
_RUN = pytest.StashKey[RunReport]()
_PROBE = pytest.StashKey["str | None"]()
_STARTED = pytest.StashKey[float]()
_REPORTS = pytest.StashKey[list[Path]]()


def _fail_closed(target: Target) -> None:
    missing = [ENV[name] for name in ("api_key", "org_id") if not getattr(target, name)]
    if missing and not target.allow_partial:
        raise pytest.UsageError(
            f"contract suite: {' and '.join(missing)} not set: without a key and an organization it may read, most "
            "checks cannot run, and a green run would mean nothing. Set them, or pass --contract-allow-partial "
            f"({ENV['allow_partial']}=1) to run only the checks that need neither."
        )
    if target.ca_bundle is not None and not target.ca_bundle.is_file():
        raise pytest.UsageError(f"contract suite: {ENV['ca_bundle']}={str(target.ca_bundle)!r}: no such file")
    if target.ca_bundle is not None:
        try:  # read now, not at the first request, where an unreadable file ended the run in a traceback
            ssl.create_default_context(cafile=str(target.ca_bundle))
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise pytest.UsageError(
                f"contract suite: {ENV['ca_bundle']}={str(target.ca_bundle)!r}: no certificate could be read from it"
                f" ({getattr(exc, 'reason', None) or exc}); it must hold the CA's certificates, PEM-encoded"
            ) from None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "contract: a check of the contract suite")
    config.addinivalue_line("markers", "contract_last: runs after every other check (it judges the whole run)")
    if config.option.help or getattr(config.option, "version", False):
        return
    values: dict[str, Any] = {s.name: config.getoption(f"contract_{s.name}") for s in SETTINGS if not s.flag}
    values |= {
        s.name: True for s in SETTINGS if s.flag and s.name != "semantics" and config.getoption(f"contract_{s.name}")
    }
    # pytest's own --strict (markers, config, xfail) also means: a check that did not run fails the run.
    if config.getini("strict"):
        values["strict"] = True
    if config.getoption("contract_semantics"):  # the flag --contract-no-semantics
        values["semantics"] = False
    name = config.getoption(f"contract_{NAME.name}") or os.environ.get(NAME.variable) or "target"
    try:
        target = target_from(values, name=name)
    except TargetError as exc:
        raise pytest.UsageError(f"contract suite: {exc}") from None
    _fail_closed(target)
    try:
        contract = load_contract(target.spec, memo=FileMemo())
    except ContractError as exc:
        raise pytest.UsageError(f"contract suite: {exc}") from None
    if values["api_key"]:
        sys.stderr.write(
            f"warning: --contract-api-key shows the key to anyone who can list processes; set {ENV['api_key']} instead\n"
        )
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile(DEFAULT_PROFILE)
    config.stash[_TARGET] = target
    config.stash[_CONTRACT] = contract
    config.stash[_RUN] = RunReport(target.name, target.base_url, str(target.spec), list(contract.documented_statuses))
    config.stash[_RUN].strict = target.strict


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if _TARGET not in config.stash:
        return
    config.stash[_STARTED] = time.perf_counter()
    target = config.stash[_TARGET]
    client = _client(config, latency=False)
    config.stash[_PROBE] = probe(client, config.stash[_CONTRACT], target, baseline_for(target))
    client.close()


def _client(config: pytest.Config, *, latency: bool = True) -> Client:
    target = config.stash[_TARGET]
    run = config.stash[_RUN]

    def on_exchange(exchange: Exchange) -> None:
        run.statuses[exchange.reply.status] += 1
        run.requests += 1

    spent = time.perf_counter() - config.stash.get(_STARTED, time.perf_counter())  # the probe's share of the budget
    return Client(
        target.base_url,
        timeout=target.timeout,
        secrets=target.secrets,
        on_exchange=on_exchange,
        run_budget=max(target.run_budget - spent, 0.001),
        ca_bundle=str(target.ca_bundle) if target.ca_bundle else None,
        latency_budget=target.latency_budget if latency else None,
    )


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
    """Why the target could not be checked at the start of the run, if it could not."""
    return pytestconfig.stash.get(_PROBE, None)


@pytest.fixture(scope="session")
def client(pytestconfig: pytest.Config, unreachable: str | None) -> Iterator[Client]:
    """HTTP access to the target; every test using it is skipped when the target is down."""
    if unreachable is not None:
        pytest.skip(f"{UNREACHABLE}{unreachable} (see test_target_answers)")
    session_client = _client(pytestconfig)
    yield session_client
    session_client.close()


@pytest.fixture(scope="session")
def ctx(target: Target, contract: Contract) -> CheckContext:
    """What every check needs: the contract, the secrets to hide, the latency budget."""
    return CheckContext(contract, target.secrets, target.latency_budget)


@pytest.fixture(scope="session")
def baseline(target: Target) -> Baseline:
    """A known-good date range: the configured window, or January 2025."""
    return baseline_for(target)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parameters read from the contract: each number parameter, its legal forms and
    spellings, and the bad-key variants of a key of the documented shape."""
    config = metafunc.config
    if _CONTRACT not in config.stash:
        return
    contract = config.stash[_CONTRACT]
    base = baseline_for(config.stash[_TARGET])
    if "number_param" in metafunc.fixturenames:
        metafunc.parametrize("number_param", contract.number_params)
    for fixture, variants in (
        ("valid_number_form", valid_number_variants),
        ("number_spelling", number_spelling_variants),
    ):
        if fixture in metafunc.fixturenames:
            forms = [(p, label, text) for p in contract.number_params for label, text in variants(contract, base, p)]
            metafunc.parametrize(fixture, forms, ids=[f"{p}-{label}" for p, label, _ in forms])
    if "bad_key" in metafunc.fixturenames:
        placeholder = contract.key_prefix + "x" * 32
        metafunc.parametrize("bad_key", [v.id for v in bad_key_variants(placeholder, contract.key_prefix)])


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """The suite's files are collected whatever ``python_files`` the project running it sets."""
    suite = Path(__file__).resolve().parent
    if not (file_path.name.startswith("test_") and file_path.suffix == ".py" and suite in file_path.parents):
        return None
    if any(fnmatch.fnmatch(file_path.name, pattern) for pattern in parent.config.getini("python_files")):
        return None  # pytest's own collection takes it
    return pytest.Module.from_parent(parent, path=file_path)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("contract_last") is not None)


def pytest_collection_finish(session: pytest.Session) -> None:
    if _RUN in session.config.stash:
        session.config.stash[_RUN].total = len(session.items)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Outermost wrapper: every report is clean before anything else reads it."""
    report = yield
    config = item.config
    if _RUN not in config.stash:
        return report
    target = config.stash[_TARGET]
    failures = failures_of(call.excinfo) if report.failed else []
    sanitise(report, target.secrets, failures)
    ran = not report.skipped
    reason = skip_reason(report)
    if reason is not None and target.strict:
        strict_failure(report, reason)
    result = record(item, report, failures, target.secrets, ran=ran)
    if result is not None:
        config.stash[_RUN].results.append(result)
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _RUN not in config.stash or not config.stash[_RUN].results:
        return
    run = config.stash[_RUN]
    run.duration = time.perf_counter() - config.stash.get(_STARTED, time.perf_counter())
    directory = Path(config.getoption("contract_report_dir") or "reports")
    config.stash[_REPORTS] = write_reports(run, directory)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if _RUN not in config.stash or _REPORTS not in config.stash:
        return
    run = config.stash[_RUN]
    secrets = config.stash[_TARGET].secrets
    write = terminalreporter.write_line
    seen = ", ".join(f"{s}x{run.statuses.get(s, 0)}" for s in run.documented_statuses)
    terminalreporter.write_sep("-", "contract conformance")
    write(
        clean(
            f"target {run.target} ({run.base_url}): {'PASS' if run.passed else 'FAIL'}; {run.requests} requests",
            secrets,
        )
    )
    write(run.coverage_line)
    for reason, count in run.skip_reasons:
        write(clean(f"  skipped ({count}): {reason}", secrets))
    write(f"documented statuses seen: {seen}")
    for path in config.stash[_REPORTS]:
        write(f"report: {path}")
