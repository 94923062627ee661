"""From pytest's reports to the suite's check results, with every trace of a key removed.

pytest glue used by the plugin's ``pytest_runtest_makereport`` wrapper: it redacts and
escapes everything a failed, errored or skipped report shows (the failure, the traceback,
captured output, Hypothesis' failing example) before pytest's terminal, JUnit or the
conformance reports read it, and records one :class:`~contract_tests.core.reporting.CheckResult`
per check.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.core import names
from contract_tests.core.checks import ContractFailure
from contract_tests.core.exchange import as_curl, printable, redact
from contract_tests.core.reporting import CheckResult
from contract_tests.transport.client import TargetUnreachable

__all__ = ["UNREACHABLE", "clean", "failures_of", "record", "sanitise", "skip_reason", "strict_failure"]

UNREACHABLE = "target unreachable: "  # the start of the reason of every check skipped after a failed probe
Failure = ContractFailure | TargetUnreachable


def failures_of(excinfo: pytest.ExceptionInfo[BaseException] | None) -> list[Failure]:
    """The contract failures an exception holds (exception groups included)."""
    if excinfo is None:
        return []
    found: list[Failure] = []
    stack: list[BaseException] = [excinfo.value]
    while stack:
        exc = stack.pop()
        if isinstance(exc, (ContractFailure, TargetUnreachable)):
            found.append(exc)
        elif isinstance(exc, BaseExceptionGroup):
            stack.extend(reversed(exc.exceptions))
    return found


def clean(text: str, secrets: dict[str, str]) -> str:
    """Text fit for any output: no secret, no control character (lines kept)."""
    return printable(redact(text, secrets), newlines=True)


def sanitise(report: pytest.TestReport, secrets: dict[str, str], failures: list[Failure]) -> None:
    """Redact and escape everything a report shows (longrepr, captured output, notes)."""
    if failures:
        report.longrepr = "\n\n".join(clean(_text(f, secrets), secrets) for f in failures)
    elif isinstance(report.longrepr, tuple):
        path, line, reason = report.longrepr
        report.longrepr = (path, line, clean(str(reason), secrets))
    elif report.longrepr is not None:
        report.longrepr = clean(str(report.longrepr), secrets)
    report.sections = [(title, clean(content, secrets)) for title, content in report.sections]


def skip_reason(report: pytest.TestReport) -> str | None:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return None


def strict_failure(report: pytest.TestReport, reason: str) -> None:
    """Turn a skip into a failure (``--strict``), unless a failed probe caused it."""
    if not reason.startswith(UNREACHABLE):
        report.outcome = "failed"
        report.longrepr = f"[strict] this check did not run: {reason}"


def record(
    item: pytest.Item, report: pytest.TestReport, failures: list[Failure], secrets: dict[str, str], *, ran: bool
) -> CheckResult | None:
    """The check result of a report: of its call, or of a setup that did not pass."""
    if not (report.when == "call" or (report.when == "setup" and not report.passed)):
        return None
    category, name = _name(item)
    reason = skip_reason(report) if report.skipped else None
    outcome = report.outcome if report.when == "call" else ("skipped" if report.skipped else "error")
    text = str(report.longrepr) if report.longrepr else ""
    if report.failed and text.startswith("[strict]"):
        outcome, reason = "failed", f"skipped, and --strict fails skips: {text.split(': ', 1)[1]}"
    elif report.failed and not failures:
        reason = text.strip().splitlines()[-1] if text.strip() else None
    return CheckResult(
        item.nodeid, category, name, outcome, [_dict(f, secrets) for f in failures], reason, report.duration, ran=ran
    )


def _name(item: pytest.Item) -> tuple[str, str]:
    module = item.module.__name__.rsplit(".", 1)[-1] if isinstance(item, pytest.Function) else "suite"
    return module.removeprefix("test_"), item.name.removeprefix("test_")


def _text(failure: Failure, secrets: dict[str, str]) -> str:
    if isinstance(failure, TargetUnreachable):
        replay = f"\n  reproduce: {as_curl(failure.sent, secrets)}" if failure.sent is not None else ""
        return f"[{names.TARGET_REACHABLE}] {failure}{replay}"
    return str(failure)


def _dict(failure: Failure, secrets: dict[str, str]) -> dict[str, Any]:
    if isinstance(failure, TargetUnreachable):
        got = clean(str(failure), secrets)
        sent = failure.sent
        return {
            "check": names.TARGET_REACHABLE,
            "request": clean(f"{sent.method} {sent.url}", secrets) if sent is not None else "",
            "expected": "an answer",
            "got": got,
            "curl": as_curl(sent, secrets) if sent is not None else None,
        }
    return {
        key: (clean(value, secrets) if isinstance(value, str) else value) for key, value in failure.as_dict().items()
    }
