"""From pytest's reports to the suite's results: a failure names its request, never a key."""

from __future__ import annotations

import pytest

from contract_tests.core.exchange import Sent, TargetUnreachable
from contract_tests.results import sanitise

KEY = "idt_live_0123456789abcdefABCDEF0123456789"
SECRETS = {KEY: "CONTRACT_API_KEY"}


def test_a_target_that_failed_a_request_gets_its_replay() -> None:
    sent = Sent("HEAD", "http://t/organizations/o/usage?startDate=1", (("Cookie", f"session={KEY}"),))
    failure = TargetUnreachable("http://t/organizations/o/usage?startDate=1: no answer within 5 s", sent=sent)
    report = pytest.TestReport("x", ("f", 0, "x"), {}, "failed", "raw", "call")
    sanitise(report, SECRETS, [failure])
    shown = str(report.longrepr)
    assert shown.startswith("[target_reachable] http://t/organizations/o/usage?startDate=1: no answer within 5 s")
    assert (
        """reproduce: curl -I -H "Cookie: session=${CONTRACT_API_KEY}" 'http://t/organizations/o/usage?startDate=1'"""
        in shown
    )
    assert KEY not in shown


def test_a_request_never_sent_has_no_replay() -> None:
    report = pytest.TestReport("x", ("f", 0, "x"), {}, "failed", "raw", "call")
    sanitise(report, SECRETS, [TargetUnreachable("the target is down (no further requests sent)")])
    assert str(report.longrepr) == "[target_reachable] the target is down (no further requests sent)"
