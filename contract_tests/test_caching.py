"""Caching across callers, methods and ranges: every answer is the one its own request deserves.

A response cache keyed without the caller hands the owner's usage to anyone who asks for
the same URL right after; one keyed without part of the range answers a range with
another's usage; one that stores refusals locks the owner out; an answer that tells shared
caches (a CDN, a proxy) to keep it, without varying on the key, reaches callers without one. Each step uses instants no
other check uses, so that a cache entry can only come from the step itself.
"""

from __future__ import annotations

import pytest

from contract_tests.core import names
from contract_tests.core.checks import CheckContext, conform, expect_status, fail
from contract_tests.core.contract import Contract
from contract_tests.core.credentials import unknown_key
from contract_tests.core.exchange import Exchange
from contract_tests.core.isolation import Answer, answer_of, shared_answer_problem, shared_cache_problem
from contract_tests.core.settings import ENV, Target
from contract_tests.core.usage_semantics import DAY_MS, HOUR_MS, day_start, figures
from contract_tests.core.variants import Baseline, number_text, range_query
from contract_tests.sending import send
from contract_tests.transport.client import Client

SHOWN_KEY = f"${ENV['api_key']}"
Caller = tuple[str, str | None, str | None]  # label, key, how a replay command writes it


def _readable(target: Target) -> tuple[str, str]:
    if not target.api_key or not target.org_id:
        pytest.skip(f"set {ENV['api_key']} and {ENV['org_id']}")
    return target.api_key, target.org_id


def _fresh(baseline: Baseline, step: int) -> float:
    """An instant of the baseline's first day that no other check sends."""
    return day_start(baseline.start) + HOUR_MS + 1009 * step + 17


_NOT_MODIFIED = 304


def _refused_callers(target: Target, key: str, contract: Contract) -> list[Caller]:
    callers: list[Caller] = [
        ("no key", None, None),
        ("an unknown key", unknown_key(key, contract.key_prefix), None),
        ("the key plus a character", key + "0", f"${{{ENV['api_key']}}}0"),
    ]
    if target.other_api_key:
        callers.append(("the other tenant's key", target.other_api_key, f"${ENV['other_api_key']}"))
    return callers


def _owner_read(ctx: CheckContext, client: Client, org: str, key: str, query: list[tuple[str, str]]) -> Exchange:
    exchange = send(client, ctx.contract, org=org, query=query, key=key, shown_key=SHOWN_KEY)
    expect_status(ctx, exchange, {ctx.contract.success_status}, names.VALID_INPUT_ACCEPTED, "the owner's read")
    conform(ctx, exchange)
    shared = shared_cache_problem(exchange.reply.headers, ctx.contract.key_header or "")
    if shared is not None and ctx.contract.key_header:
        raise fail(ctx, exchange, names.CACHE_ISOLATED, "an answer only the key's holder can get from a cache", shared)
    return exchange


def test_refused_callers_never_get_the_owners_answer(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    query = range_query(contract, _fresh(baseline, 1), baseline.end)
    for who, value, shown in _refused_callers(target, key, contract):
        _owner_read(ctx, client, org, key, query)
        exchange = send(client, contract, org=org, query=query, key=value, shown_key=shown)
        if exchange.reply.status == contract.success_status:
            raise fail(
                ctx, exchange, names.CACHE_ISOLATED, f"a refusal for {who}, right after the owner read the same URL"
            )
        conform(ctx, exchange)
    for label, other in (
        ("an unknown organization", target.missing_org_id),
        ("another's organization", target.other_org_id),
    ):
        if other:  # the same key and query on another path: a cache keyed without the path answers it
            _owner_read(ctx, client, org, key, query)
            exchange = send(client, contract, org=other, query=query, key=key, shown_key=SHOWN_KEY)
            if exchange.reply.status == contract.success_status:
                raise fail(ctx, exchange, names.CACHE_ISOLATED, f"a refusal for {label}, right after the owner's read")
    if target.other_api_key and target.other_org_id:
        other_shown = f"${ENV['other_api_key']}"
        theirs = send(
            client, contract, org=target.other_org_id, query=query, key=target.other_api_key, shown_key=other_shown
        )
        mine = send(client, contract, org=target.other_org_id, query=query, key=key, shown_key=SHOWN_KEY)
        if theirs.reply.status == contract.success_status and mine.reply.status == contract.success_status:
            raise fail(ctx, mine, names.CACHE_ISOLATED, "a refusal: the other tenant read this URL just before")


def test_conditional_requests_are_refused_like_any_other(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    """A refused caller replaying the owner's validators (``If-None-Match``, ``If-Modified-Since``) gets no 304.

    A 304 says "your copy is current": to a caller refused the resource, it confirms what the
    owner's copy is (an ETag layer in front of the checks answers it).
    """
    key, org = _readable(target)
    query = range_query(contract, _fresh(baseline, 12), baseline.end)
    owner = _owner_read(ctx, client, org, key, query)
    validators = {"If-None-Match": owner.reply.headers.get("etag", "*")}
    if "last-modified" in owner.reply.headers:
        validators["If-Modified-Since"] = owner.reply.headers["last-modified"]
    for who, value, shown in _refused_callers(target, key, contract):
        exchange = send(client, contract, org=org, query=query, key=value, shown_key=shown, extra_headers=validators)
        if exchange.reply.status == _NOT_MODIFIED or exchange.reply.status == contract.success_status:
            raise fail(
                ctx,
                exchange,
                names.CACHE_ISOLATED,
                f"a refusal for {who}, who replays the owner's validators ({', '.join(validators)})",
            )
        conform(ctx, exchange)


def test_owner_is_not_refused_after_a_refusal(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    for step, (who, value, shown) in enumerate(_refused_callers(target, key, contract), start=2):
        query = range_query(contract, _fresh(baseline, step), baseline.end)
        refused = send(client, contract, org=org, query=query, key=value, shown_key=shown)
        conform(ctx, refused)
        owner = send(client, contract, org=org, query=query, key=key, shown_key=SHOWN_KEY)
        expect_status(
            ctx,
            owner,
            {contract.success_status},
            names.CACHE_ISOLATED,
            f"the owner's answer, right after {who} was refused the same URL",
        )


def test_get_after_head_has_its_body(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    if contract.method != "GET":
        pytest.skip("the operation is not a GET")
    query = range_query(contract, _fresh(baseline, 9), baseline.end)
    send(client, contract, org=org, query=query, key=key, shown_key=SHOWN_KEY, method="HEAD")
    exchange = send(client, contract, org=org, query=query, key=key, shown_key=SHOWN_KEY)
    if exchange.reply.status == contract.success_status and not exchange.reply.body:
        raise fail(
            ctx, exchange, names.CACHE_ISOLATED, "a GET right after a HEAD of the same URL gets the body", "no body"
        )
    expect_status(ctx, exchange, {contract.success_status}, names.VALID_INPUT_ACCEPTED, "the owner's read")
    conform(ctx, exchange)


def test_ranges_do_not_share_an_answer(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    pointers = figures(contract.success_schema)
    narrow_end = day_start(baseline.start) + DAY_MS - 1
    wide_end = max(baseline.end, narrow_end + DAY_MS)
    first, second = _fresh(baseline, 10), _fresh(baseline, 11)  # one UTC day: the same usage

    def answer(start: float, end: float) -> tuple[Exchange, Answer]:
        exchange = _owner_read(ctx, client, org, key, range_query(contract, start, end))
        return exchange, answer_of(exchange, pointers, contract.success_status)

    _, narrow = answer(first, narrow_end)
    _, wide = answer(second, wide_end)
    for start, end, alone, other in ((first, wide_end, wide, narrow), (second, narrow_end, narrow, wide)):
        exchange, mixed = answer(start, end)
        problem = shared_answer_problem(other, alone, mixed)
        if problem:
            raise fail(
                ctx,
                exchange,
                names.CACHE_ISOLATED,
                f"the usage of {number_text(start)}..{number_text(end)}, not that of another range read just before",
                problem,
            )
