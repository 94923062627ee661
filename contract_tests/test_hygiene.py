"""HTTP hygiene: the target answers, unknown paths and other methods are refused cleanly,
HEAD is answered like GET without a body (or refused), a browser's ``Accept`` gets the
documented JSON, and answers are fast enough.

What the contract does not document is held to HTTP only: a path it does not name gets a
4xx in any media type (a framework's HTML 404 is fine), a method it does not document a 405
with ``Allow``, or a 501 from a server that does not implement the method at all
(RFC 9110, section 9.1).
"""

from __future__ import annotations

import pytest

from contract_tests.core import names
from contract_tests.core.checks import (
    CheckContext,
    check_not_server_error,
    conform,
    expect_parsable_json,
    fail,
    judge_latency,
)
from contract_tests.core.contract import Contract
from contract_tests.core.settings import ENV, Target
from contract_tests.core.variants import Baseline, query_for
from contract_tests.sending import send
from contract_tests.transport.client import Client


def test_target_answers(unreachable: str | None, target: Target) -> None:
    if unreachable is not None:
        pytest.fail(f"[{names.TARGET_REACHABLE}] {target.base_url}: {unreachable}", pytrace=False)


@pytest.mark.parametrize("path", ["/this-path-is-not-in-the-contract", "{operation}/unknown-child"])
def test_unknown_path_is_a_4xx(
    path: str, ctx: CheckContext, client: Client, contract: Contract, target: Target
) -> None:
    operation = contract.url_path({p: target.org_id or "org" for p in contract.path_params})
    headers = {contract.key_header: target.api_key} if contract.key_header and target.api_key else {}
    shown = {contract.key_header: f"${ENV['api_key']}"} if headers and contract.key_header else {}
    exchange = client.request("GET", path.format(operation=operation), headers=headers, shown=shown)
    check_not_server_error(ctx, exchange)
    if not 400 <= exchange.reply.status < 500:
        raise fail(ctx, exchange, names.UNKNOWN_PATH_REFUSED, "a 4xx status for a path the contract does not document")
    expect_parsable_json(ctx, exchange, names.UNKNOWN_PATH_REFUSED)


_METHODS = ["POST", "PUT", "PATCH", "DELETE"]
_NOT_IMPLEMENTED = 501


@pytest.mark.parametrize("method", _METHODS)
def test_other_method_is_405_with_allow(
    method: str, ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    if method in contract.path_methods:
        pytest.skip(f"{method} is documented for this path")
    exchange = send(
        client,
        contract,
        org=target.org_id or "org",
        query=query_for(contract, baseline),
        key=target.api_key,
        shown_key=f"${ENV['api_key']}",
        method=method,
    )
    if exchange.reply.status == _NOT_IMPLEMENTED:  # a server that implements no such method (RFC 9110, 9.1)
        return
    check_not_server_error(ctx, exchange)
    if exchange.reply.status != 405:
        raise fail(
            ctx,
            exchange,
            names.METHOD_NOT_ALLOWED,
            f"405 for {method}, a method the contract does not document here (or 501: one the server does not implement)",
        )
    if "allow" not in exchange.reply.headers:
        raise fail(
            ctx,
            exchange,
            names.METHOD_NOT_ALLOWED,
            "an Allow header listing the documented methods",
            "405 without Allow",
        )
    allowed = {m.strip().upper() for m in exchange.reply.headers["allow"].split(",")}
    if contract.method not in allowed:
        raise fail(
            ctx,
            exchange,
            names.METHOD_NOT_ALLOWED,
            f"Allow to list {contract.method}",
            f"Allow: {exchange.reply.headers['allow']}",
        )


def test_head_is_get_without_a_body(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    """HEAD may be refused (405), or answered like GET without a body; nothing else.

    Like GET also without a key and for organizations the key may not read: a HEAD served
    before the checks GET makes tells who exists and who may read what.
    """
    if contract.method != "GET" or "HEAD" in contract.path_methods:
        pytest.skip("HEAD is documented for this path, or the operation is not a GET")
    query, shown = query_for(contract, baseline), f"${ENV['api_key']}"
    own = target.org_id or "org"
    cases = [("the valid key", target.api_key, own), ("no key", None, own)]
    cases += [("another tenant's organization", target.api_key, org) for org in [target.other_org_id] if org]
    cases += [("a missing organization", target.api_key, org) for org in [target.missing_org_id] if org]
    for label, key, org in cases:
        head = send(client, contract, org=org, query=query, key=key, shown_key=shown, method="HEAD")
        check_not_server_error(ctx, head)
        if head.reply.status == 405:
            continue
        get = send(client, contract, org=org, query=query, key=key, shown_key=shown)
        if head.reply.status != get.reply.status:
            raise fail(ctx, head, names.HEAD_LIKE_GET, f"405, or the status GET gets with {label} ({get.reply.status})")
        if head.reply.body:
            raise fail(
                ctx, head, names.HEAD_LIKE_GET, "no body in the answer to HEAD", f"{len(head.reply.body)} bytes of body"
            )


def test_options_is_no_server_error(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    """OPTIONS, plain and as a browser's CORS preflight: any answer but a 5xx (501: the method is not implemented)."""
    if "OPTIONS" in contract.path_methods:
        pytest.skip("OPTIONS is documented for this path")
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": contract.method}
    if contract.key_header:
        preflight["Access-Control-Request-Headers"] = contract.key_header.lower()
    for headers in ({}, preflight):
        exchange = send(
            client,
            contract,
            org=target.org_id or "org",
            query=query_for(contract, baseline),
            key=None,
            method="OPTIONS",
            extra_headers=headers,
        )
        if exchange.reply.status != _NOT_IMPLEMENTED:
            check_not_server_error(ctx, exchange)


# What a browser sends: HTML preferred, but */* accepts the JSON the contract documents.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_s_accept_gets_the_documented_json(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    """The known-good request with a browser's Accept: the documented answer, in its documented media type.

    The contract documents one media type per answer; an Accept that prefers another but
    takes any (``*/*``) is no reason for an HTML page, another format or a 406.
    """
    if not target.api_key or not target.org_id:
        pytest.skip(f"set {ENV['api_key']} and {ENV['org_id']}: the media type is checked on the known-good request")
    exchange = send(
        client,
        contract,
        org=target.org_id,
        query=query_for(contract, baseline),
        key=target.api_key,
        shown_key=f"${ENV['api_key']}",
        extra_headers={"Accept": BROWSER_ACCEPT},
    )
    check_not_server_error(ctx, exchange)
    if exchange.reply.status != contract.success_status:
        raise fail(
            ctx,
            exchange,
            names.CONTENT_TYPE,
            f"{contract.success_status}, as without this Accept: {BROWSER_ACCEPT} takes the documented type too",
        )
    conform(ctx, exchange)


@pytest.mark.contract_last
def test_answers_are_fast_enough(ctx: CheckContext, client: Client) -> None:
    """Run last: a request slow once is retried at once; only slowness that repeats fails."""
    judge_latency(ctx, client.slow)
