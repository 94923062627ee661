"""Tenancy and resources: another tenant's usage is forbidden, an unknown one is not found.

Both over the known-good range and over ranges across the whole domain (the spans the
semantics checks read): usage of another period may come from elsewhere (an archive, a
cold store) that checks less.
"""

from __future__ import annotations

import time

import pytest

from contract_tests.core import names
from contract_tests.core.checks import CheckContext, check_not_server_error, conform, expect_status, fail
from contract_tests.core.contract import Contract
from contract_tests.core.exchange import Exchange
from contract_tests.core.isolation import answer_of
from contract_tests.core.settings import ENV, Target
from contract_tests.core.usage_semantics import DAY_MS, DOMAIN_SPANS, day_start, figures
from contract_tests.core.variants import Baseline, query_for, range_query
from contract_tests.sending import send
from contract_tests.transport.client import Client


def test_other_organization_is_forbidden(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    if not target.api_key or not target.other_org_id:
        pytest.skip(f"set {ENV['other_org_id']} (an existing organization the key may not read) and {ENV['api_key']}")
    for label, query in _ranges(contract, baseline):
        exchange = send(
            client, contract, org=target.other_org_id, query=query, key=target.api_key, shown_key=f"${ENV['api_key']}"
        )
        expect_status(
            ctx,
            exchange,
            {403},
            names.OTHER_TENANT_FORBIDDEN,
            f"the organization exists but this key may not read it (not 200, not 404), over {label}",
        )
        conform(ctx, exchange)


def _ranges(contract: Contract, baseline: Baseline) -> list[tuple[str, list[tuple[str, str]]]]:
    """The known-good range, one range of each span of the whole domain, then today's and the last 30 days'.

    Usage of today often comes from another store than history's (a live counter, a cache).
    """
    now = int(time.time() * 1000)
    spans = [(span.label, span.start, span.end) for span in DOMAIN_SPANS]
    spans += [("today, up to now", day_start(now), now), ("the last 30 days", now - 30 * DAY_MS, now)]
    return [("the known-good range", query_for(contract, baseline))] + [
        (label, range_query(contract, start, end)) for label, start, end in spans
    ]


# Where a framework or a gateway may take the caller's organization from besides the path.
_ORG_HEADERS = ("X-Organization-Id", "X-Org-Id", "X-Tenant-Id", "Organization-Id")


def test_nothing_but_the_path_chooses_the_organization(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    """The path names the organization: another one named in the query (``?organizationId=``) or a header must not override it."""
    if not target.api_key or not target.org_id or not target.other_org_id:
        pytest.skip(f"set {ENV['api_key']}, {ENV['org_id']} and {ENV['other_org_id']}")
    query, pointers, shown = query_for(contract, baseline), figures(contract.success_schema), f"${ENV['api_key']}"
    org, other = target.org_id, target.other_org_id
    elsewhere: list[tuple[str, list[tuple[str, str]], dict[str, str]]]
    elsewhere = [(f"{param} in the query", [(param, other)], {}) for param in contract.path_params]
    elsewhere += [(f"the header {name}", [], {name: other}) for name in _ORG_HEADERS]
    for label, extra_query, headers in elsewhere:

        def attempt(
            extra_query: list[tuple[str, str]] = extra_query, headers: dict[str, str] = headers
        ) -> Exchange | None:
            own = send(client, contract, org=org, query=query, key=target.api_key, shown_key=shown)
            exchange = send(
                client,
                contract,
                org=org,
                query=[*query, *extra_query],
                key=target.api_key,
                shown_key=shown,
                extra_headers=headers,
            )
            check_not_server_error(ctx, exchange)
            if not 200 <= exchange.reply.status < 300:
                return None  # refused: what was added chose nothing
            if answer_of(exchange, pointers, contract.success_status) == answer_of(
                own, pointers, contract.success_status
            ):
                return None
            return exchange

        exchange = attempt()
        if exchange is not None and attempt() is not None:  # twice: a live target's usage may change between reads
            raise fail(
                ctx,
                exchange,
                names.OTHER_TENANT_FORBIDDEN,
                f"the path's organization's usage, or a refusal: {label} names another organization",
                f"{exchange.reply.status} with usage that is not the path's organization's",
            )


def test_other_key_reads_its_organization(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    if not target.other_api_key or not target.other_org_id:
        pytest.skip(f"set {ENV['other_api_key']}, a key that may read {ENV['other_org_id']}")
    exchange = send(
        client,
        contract,
        org=target.other_org_id,
        query=query_for(contract, baseline),
        key=target.other_api_key,
        shown_key=f"${ENV['other_api_key']}",
    )
    expect_status(
        ctx, exchange, {contract.success_status}, names.VALID_KEY_ACCEPTED, "the other key reading its own organization"
    )
    conform(ctx, exchange)


def test_other_key_cannot_read_ours(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    if not target.other_api_key or not target.org_id or not target.api_key:
        pytest.skip(f"set {ENV['other_api_key']} and {ENV['org_id']}")
    mine = send(
        client,
        contract,
        org=target.org_id,
        query=query_for(contract, baseline),
        key=target.other_api_key,
        shown_key=f"${ENV['other_api_key']}",
    )
    theirs = send(
        client,
        contract,
        org=target.org_id,
        query=query_for(contract, baseline),
        key=target.api_key,
        shown_key=f"${ENV['api_key']}",
    )
    conform(ctx, mine)
    if mine.reply.status == contract.success_status and mine.reply.body == theirs.reply.body:
        return  # the other key may read both organizations; nothing to compare
    expect_status(
        ctx,
        mine,
        {403, contract.success_status},
        names.OTHER_TENANT_FORBIDDEN,
        "another tenant's key gets 403 (or 200 if it may read this organization too)",
    )


def test_missing_organization_is_not_found(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    if not target.api_key or not target.missing_org_id:
        pytest.skip(f"set {ENV['missing_org_id']}, an organization id known not to exist")
    for label, query in _ranges(contract, baseline):
        exchange = send(
            client, contract, org=target.missing_org_id, query=query, key=target.api_key, shown_key=f"${ENV['api_key']}"
        )
        expect_status(
            ctx, exchange, {404}, names.MISSING_RESOURCE_NOT_FOUND, f"no organization has this id (over {label})"
        )
        conform(ctx, exchange)
