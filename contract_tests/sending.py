"""Sending the suite's requests: the known-good request and its variants, through the client.

The only module besides the tests that sends: :func:`send` builds one request of the
operation (path parameters, query, key header) and hands it to
:class:`~contract_tests.transport.client.Client`; :func:`probe` checks once that the target answers at
all and that the base path is right; :func:`read_usage` reads one range's usage figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contract_tests.core import names
from contract_tests.core.checks import CheckContext, conform, expect_status
from contract_tests.core.contract import Contract
from contract_tests.core.exchange import Exchange, exact_json
from contract_tests.core.settings import ENV, Target
from contract_tests.core.usage_semantics import counts, figures
from contract_tests.core.variants import Baseline, query_for, range_query
from contract_tests.transport.client import Client, TargetUnreachable

__all__ = ["probe", "read_usage", "send"]


def send(
    client: Client,
    contract: Contract,
    *,
    org: str,
    query: Sequence[tuple[str, str]],
    key: str | None,
    shown_key: str | None = None,
    method: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
    raw_path: str | None = None,
    raw_query: str | None = None,
) -> Exchange:
    """One request to the operation; ``shown_key`` is how a replay command writes the key.

    ``raw_path`` and ``raw_query`` replace the built path or query, sent exactly as given.
    """
    headers = dict(extra_headers or {})
    shown = {}
    if key is not None and contract.key_header:
        headers[contract.key_header] = key
        if shown_key is not None:
            shown[contract.key_header] = shown_key
    path = raw_path if raw_path is not None else contract.url_path({name: org for name in contract.path_params})
    return client.request(
        method or contract.method, path, query=query, raw_query=raw_query, headers=headers, shown=shown
    )


def probe(client: Client, contract: Contract, target: Target, baseline: Baseline) -> str | None:
    """``None`` if the target answers; otherwise why not, in one sentence.

    The first request may be slow (a cold start): if nothing at all came back before the
    timeout, it is sent once more.
    When the known-good request and the same request without a key both get 404, the base
    URL most likely lacks a path prefix: one hint replaces dozens of unrelated failures.
    """
    org = target.org_id or "contract-probe"
    query = query_for(contract, baseline)
    try:
        try:
            first = send(client, contract, org=org, query=query, key=target.api_key)
        except TargetUnreachable as exc:
            if not exc.silent or client.down is not None:
                raise
            first = send(client, contract, org=org, query=query, key=target.api_key)
        if first.reply.status != 404:
            return None
        keyless = send(client, contract, org=org, query=query, key=None)
    except TargetUnreachable as exc:
        return None if exc.answered else str(exc)  # an answer past the cap is still an answer
    if keyless.reply.status == 404:
        path = contract.url_path({name: org for name in contract.path_params})
        return (
            f"every request got 404, even without a key (GET {target.base_url}{path}): is the base path right? "
            f"{ENV['base_url']} must include any prefix the API is served under (for example https://host/api/v1)"
        )
    return None


def read_usage(
    ctx: CheckContext,
    client: Client,
    *,
    org: str,
    key: str,
    shown_key: str,
    start: float,
    end: float,
) -> tuple[Exchange, dict[str, Any]]:
    """The usage figures of ``org`` over ``start``..``end``, read exactly; the request must succeed."""
    contract = ctx.contract
    exchange = send(client, contract, org=org, query=range_query(contract, start, end), key=key, shown_key=shown_key)
    expect_status(
        ctx, exchange, {contract.success_status}, names.VALID_INPUT_ACCEPTED, "a valid range of a readable organization"
    )
    conform(ctx, exchange)
    return exchange, counts(exact_json(exchange.reply.body), figures(contract.success_schema))
