"""Contract checks: plain functions over an :class:`~contract_tests.http.Exchange`.

Each ``check_<property>(ctx, exchange)`` returns nothing when the property holds and
raises :class:`ContractFailure` otherwise, saying which check failed, what was expected,
what came back and how to replay it. ``RESPONSE_CHECKS`` is the response contract every
answer of the operation must keep; the tests pass it explicitly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from contract_tests.contract import Contract
from contract_tests.http import Exchange, as_curl, redact

__all__ = [
    "RESPONSE_CHECKS",
    "CheckContext",
    "ContractFailure",
    "check_body_schema",
    "check_content_type",
    "check_documented_headers",
    "check_json_error",
    "check_latency",
    "check_not_server_error",
    "check_status",
    "check_status_documented",
    "conform",
]


class ContractFailure(AssertionError):
    """A broken contract property, with what was expected, what came back and a replay."""

    def __init__(self, check: str, expected: str, got: str, curl: str | None = None, *, request: str = "") -> None:
        self.check = check
        self.expected = expected
        self.got = got
        self.curl = curl
        self.request = request
        lines = [f"[{check}] {request}".rstrip(), f"  expected: {expected}", f"  got:      {got}"]
        if curl:
            lines.append(f"  reproduce: {curl}")
        super().__init__("\n".join(lines))

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "request": self.request,
            "expected": self.expected,
            "got": self.got,
            "curl": self.curl,
        }


@dataclass(frozen=True)
class CheckContext:
    contract: Contract
    secrets: dict[str, str]
    latency_budget: float


def fail(ctx: CheckContext, exchange: Exchange, check: str, expected: str, got: str | None = None) -> ContractFailure:
    """Build the failure for ``exchange`` (secrets redacted everywhere)."""
    reply = exchange.reply
    shown = (
        got
        if got is not None
        else f"{reply.status} {reply.headers.get('content-type', '(no content type)')} {reply.excerpt()}"
    )
    request = f"{exchange.sent.method} {exchange.sent.url}"
    return ContractFailure(
        check,
        redact(expected, ctx.secrets),
        redact(shown, ctx.secrets),
        as_curl(exchange.sent, ctx.secrets),
        request=redact(request, ctx.secrets),
    )


def check_not_server_error(ctx: CheckContext, exchange: Exchange) -> None:
    if exchange.reply.status >= 500:
        raise fail(ctx, exchange, "not_a_server_error", "no 5xx status for any request")


def check_status_documented(ctx: CheckContext, exchange: Exchange) -> None:
    if ctx.contract.response(exchange.reply.status) is None:
        documented = ", ".join(map(str, ctx.contract.documented_statuses))
        raise fail(ctx, exchange, "status_documented", f"one of the documented statuses {documented}")


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def check_content_type(ctx: CheckContext, exchange: Exchange) -> None:
    documented = ctx.contract.response(exchange.reply.status)
    if documented is None or not documented.content_types:
        return
    media_type = exchange.reply.media_type
    wanted = [c.lower() for c in documented.content_types]
    if media_type not in wanted and not (_is_json(media_type) and any(_is_json(w) for w in wanted)):
        raise fail(
            ctx,
            exchange,
            "content_type",
            f"Content-Type {' or '.join(wanted)} (parameters such as charset allowed)",
            f"{exchange.reply.status} with Content-Type {exchange.reply.headers.get('content-type', '(none)')!r}",
        )


def _body(ctx: CheckContext, exchange: Exchange, check: str) -> Any:
    try:
        return exchange.reply.json()
    except (ValueError, UnicodeDecodeError):
        raise fail(ctx, exchange, check, f"a JSON body for status {exchange.reply.status}") from None


def check_body_schema(ctx: CheckContext, exchange: Exchange) -> None:
    documented = ctx.contract.response(exchange.reply.status)
    if documented is None or documented.validator is None:
        return
    body = _body(ctx, exchange, "response_schema")
    errors = sorted(documented.validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = "/" + "/".join(map(str, error.absolute_path))
        raise fail(
            ctx,
            exchange,
            "response_schema",
            f"a body matching the documented schema of {documented.status}",
            f"{exchange.reply.status} {exchange.reply.excerpt()} -- at {where}: {error.message}",
        )


def check_documented_headers(ctx: CheckContext, exchange: Exchange) -> None:
    documented = ctx.contract.response(exchange.reply.status)
    missing = [
        h for h in (documented.required_headers if documented else ()) if h.lower() not in exchange.reply.headers
    ]
    if missing:
        raise fail(ctx, exchange, "response_headers", f"the documented header(s) {', '.join(missing)}")


def check_latency(ctx: CheckContext, exchange: Exchange) -> None:
    if exchange.reply.elapsed > ctx.latency_budget:
        raise fail(
            ctx,
            exchange,
            "latency",
            f"an answer within {ctx.latency_budget:g} s",
            f"{exchange.reply.status} after {exchange.reply.elapsed:.3f} s",
        )


Check = Callable[[CheckContext, Exchange], None]
RESPONSE_CHECKS: tuple[Check, ...] = (
    check_not_server_error,
    check_status_documented,
    check_content_type,
    check_body_schema,
    check_documented_headers,
    check_latency,
)


def conform(ctx: CheckContext, exchange: Exchange, checks: tuple[Check, ...] = RESPONSE_CHECKS) -> None:
    """Run ``checks`` on one exchange; the first broken one raises."""
    for check in checks:
        check(ctx, exchange)


def check_status(ctx: CheckContext, exchange: Exchange, expected: Collection[int], check: str, because: str) -> None:
    """The exchange must have one of ``expected`` statuses."""
    if exchange.reply.status not in expected:
        wanted = " or ".join(map(str, sorted(expected)))
        raise fail(ctx, exchange, check, f"{wanted} ({because})")


def check_json_error(ctx: CheckContext, exchange: Exchange, check: str) -> None:
    """A refusal outside the operation (unknown path, other method) is still JSON."""
    if not _is_json(exchange.reply.media_type):
        raise fail(
            ctx,
            exchange,
            check,
            "a JSON error body",
            f"{exchange.reply.status} with Content-Type {exchange.reply.headers.get('content-type', '(none)')!r}",
        )
    try:
        json.loads(exchange.reply.body)
    except (ValueError, UnicodeDecodeError):
        raise fail(ctx, exchange, check, "a JSON error body") from None
