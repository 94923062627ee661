"""Organization ids are matched exactly, and malformed URLs are refused cleanly.

Variants of the configured ids (another case, spaces, slashes, ``/..`` segments, plain or
percent-encoded, leading from one organization to the other) never return another
organization's usage; malformed percent-escapes and invalid UTF-8 in the path or query
get a 4xx, never a 5xx.
"""

from __future__ import annotations

import pytest

from contract_tests.core import names
from contract_tests.core.checks import CheckContext, check_not_server_error, conform, expect_status, fail
from contract_tests.core.contract import Contract
from contract_tests.core.identifiers import (
    NUMERIC_IDS,
    malformed_paths,
    malformed_queries,
    path_variants,
    route_spellings,
)
from contract_tests.core.isolation import answer_of
from contract_tests.core.settings import ENV, Target
from contract_tests.core.usage_semantics import figures
from contract_tests.core.variants import Baseline, query_for
from contract_tests.sending import send
from contract_tests.transport.client import Client

SHOWN_KEY = f"${ENV['api_key']}"


def _readable(target: Target) -> tuple[str, str]:
    if not target.api_key or not target.org_id:
        pytest.skip(f"set {ENV['api_key']} and {ENV['org_id']}")
    return target.api_key, target.org_id


def test_loose_ids_never_reach_another_organization(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    query = query_for(contract, baseline)
    pointers = figures(contract.success_schema)
    reference = send(client, contract, org=org, query=query, key=key, shown_key=SHOWN_KEY)
    expect_status(ctx, reference, {contract.success_status}, names.VALID_INPUT_ACCEPTED, "the configured organization")
    own = answer_of(reference, pointers, contract.success_status)
    for variant in path_variants(contract, org, target.other_org_id):
        exchange = send(client, contract, org=org, query=query, key=key, shown_key=SHOWN_KEY, raw_path=variant.path)
        check_not_server_error(ctx, exchange)
        if not 200 <= exchange.reply.status < 300:
            continue
        if variant.reads is None:
            raise fail(
                ctx,
                exchange,
                names.ORGANIZATION_ID_EXACT,
                f"a refusal ({variant.label}): the path names no organization this key may read",
            )
        got = answer_of(exchange, pointers, contract.success_status)
        if got != own:
            raise fail(
                ctx,
                exchange,
                names.ORGANIZATION_ID_EXACT,
                f"a refusal, or {org}'s own usage ({variant.label}): {own}",
                f"{got}: another organization's usage",
            )


def test_route_spellings_never_skip_the_checks(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    """A trailing slash, a double slash, fixed segments in upper case or percent-encoded: refused without a key,
    and for another tenant's organization, as the route itself is (a router and an auth layer that read the
    path differently let these through)."""
    query = query_for(contract, baseline)
    org = target.org_id or "org"
    cases: list[tuple[str, str | None, str, str]] = [(org, None, names.MISSING_KEY_REFUSED, "without a key")]
    if target.api_key and target.other_org_id:
        cases.append(
            (target.other_org_id, target.api_key, names.OTHER_TENANT_FORBIDDEN, "another tenant's, with the key")
        )
    for whose, key, check, how in cases:
        for label, path in route_spellings(contract, whose):
            exchange = send(client, contract, org=whose, query=query, key=key, shown_key=SHOWN_KEY, raw_path=path)
            check_not_server_error(ctx, exchange)
            if 200 <= exchange.reply.status < 300:
                raise fail(ctx, exchange, check, f"a refusal: the route with {label}, {how}")


def test_numeric_ids_are_answered_without_a_crash(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    """Ids past 32 and 64 bits, negative, in exponent or hex spelling: a documented answer, never a 5xx."""
    key, _ = _readable(target)
    query = query_for(contract, baseline)
    for org, label in NUMERIC_IDS:
        if org in (target.org_id, target.other_org_id):
            continue
        exchange = send(client, contract, org=org, query=query, key=key, shown_key=SHOWN_KEY)
        check_not_server_error(ctx, exchange)
        if exchange.reply.status == 401:
            raise fail(ctx, exchange, names.VALID_KEY_ACCEPTED, f"the valid key is not refused for an id {label}")
        conform(ctx, exchange)


def test_malformed_urls_get_a_4xx(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    query = query_for(contract, baseline)
    cases: list[tuple[str, str | None, str | None]] = [
        (label, path, None) for label, path in malformed_paths(contract, org)
    ]
    cases += [(label, None, raw) for label, raw in malformed_queries(query)]
    for label, path, raw in cases:
        exchange = send(
            client, contract, org=org, query=query, key=key, shown_key=SHOWN_KEY, raw_path=path, raw_query=raw
        )
        if not 400 <= exchange.reply.status < 500:
            raise fail(ctx, exchange, names.MALFORMED_URL_REFUSED, f"a 4xx, never a 5xx or a success ({label})")
