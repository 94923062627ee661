"""Contract checks: plain functions over an :class:`~contract_tests.core.exchange.Exchange`.

Nothing here sends a request: the suite's tests send, and hand what came back to these.

* ``check_<property>(ctx, exchange) -> None``, one signature for every check: nothing
  when the property holds, otherwise :class:`ContractFailure` saying which check failed
  (a name of :mod:`contract_tests.core.names`), what was expected, what came back and how
  to replay it. ``RESPONSE_CHECKS`` is the response contract every answer of the
  operation must keep (error bodies that leak nothing included); tests pass it explicitly.
* ``expect_<what>(ctx, exchange, ..., check=...)``: what one test expects of one answer
  (a status, a JSON error), failing under the check name the test gives.
* :func:`judge_latency` looks at the whole run: one slow answer from a busy target is not
  a defect, the same request slow again is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from contract_tests.core import names
from contract_tests.core.contract import Contract
from contract_tests.core.exchange import Exchange, SlowRequest, as_curl, printable, redact
from contract_tests.core.leaks import header_leak_problems, leak_problems
from contract_tests.core.usage_semantics import count_problems, figures
from usage_contract_kit.model import MediaType, Response

__all__ = [
    "RESPONSE_CHECKS",
    "CheckContext",
    "ContractFailure",
    "check_body_schema",
    "check_content_type",
    "check_documented_headers",
    "check_error_body_leak_free",
    "check_not_server_error",
    "check_status_documented",
    "check_usage_counts",
    "conform",
    "expect_parsable_json",
    "expect_status",
    "fail",
    "judge_latency",
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
    contract: Contract = field(repr=False)
    secrets: dict[str, str] = field(repr=False)
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
        printable(redact(expected, ctx.secrets)),
        printable(redact(shown, ctx.secrets)),
        as_curl(exchange.sent, ctx.secrets),
        request=printable(redact(request, ctx.secrets)),
    )


def check_not_server_error(ctx: CheckContext, exchange: Exchange) -> None:
    if exchange.reply.status >= 500:
        raise fail(ctx, exchange, names.NOT_A_SERVER_ERROR, "no 5xx status for any request")


def check_status_documented(ctx: CheckContext, exchange: Exchange) -> None:
    if ctx.contract.response(exchange.reply.status) is None:
        documented = ", ".join(map(str, ctx.contract.documented_statuses))
        raise fail(ctx, exchange, names.STATUS_DOCUMENTED, f"one of the documented statuses {documented}")


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def check_content_type(ctx: CheckContext, exchange: Exchange) -> None:
    documented = ctx.contract.response(exchange.reply.status)
    if documented is None or not documented.contents:
        return
    media_type = exchange.reply.media_type
    wanted = [media.content_type.lower() for media in documented.contents]
    if media_type not in wanted and not (_is_json(media_type) and any(_is_json(w) for w in wanted)):
        raise fail(
            ctx,
            exchange,
            names.CONTENT_TYPE,
            f"Content-Type {' or '.join(wanted)} (parameters such as charset allowed)",
            f"{exchange.reply.status} with Content-Type {exchange.reply.headers.get('content-type', '(none)')!r}",
        )


def _body(ctx: CheckContext, exchange: Exchange, check: str) -> Any:
    reply = exchange.reply
    try:
        return reply.json()
    except (ValueError, UnicodeDecodeError) as exc:
        why = str(exc) if str(exc).startswith("JSON ") else "not JSON"  # parse_json's reasons start so
        content_type = reply.headers.get("content-type", "(no content type)")
        got = f"{reply.status} {content_type}, {why}: {reply.excerpt()}"
        raise fail(ctx, exchange, check, f"a JSON body for status {reply.status}", got) from None


def check_body_schema(ctx: CheckContext, exchange: Exchange) -> None:
    documented = ctx.contract.response(exchange.reply.status)
    media = _json_media(documented) if documented is not None else None
    if documented is None or media is None or media.validator is None:
        return
    body = _body(ctx, exchange, names.RESPONSE_SCHEMA)
    try:
        problem = media.validator.first_error(body)
    except (RecursionError, ValueError):
        raise fail(
            ctx,
            exchange,
            names.RESPONSE_SCHEMA,
            "a body matching the documented schema",
            "a body nested too deeply to validate",
        ) from None
    if problem is not None:
        where, message = problem
        raise fail(
            ctx,
            exchange,
            names.RESPONSE_SCHEMA,
            f"a body matching the documented schema of {documented.status}",
            f"{exchange.reply.status} {exchange.reply.excerpt()} -- at {where or '/'}: {message}",
        )


def _json_media(response: Response) -> MediaType | None:
    """The documented JSON media type of a response (the one the suite can parse and validate)."""
    return next((media for media in response.contents if _is_json(media.content_type.lower())), None)


def check_documented_headers(ctx: CheckContext, exchange: Exchange) -> None:
    documented = ctx.contract.response(exchange.reply.status)
    missing = [
        h for h in (documented.required_headers if documented else ()) if h.lower() not in exchange.reply.headers
    ]
    if missing:
        raise fail(ctx, exchange, names.RESPONSE_HEADERS, f"the documented header(s) {', '.join(missing)}")


def check_error_body_leak_free(ctx: CheckContext, exchange: Exchange) -> None:
    """No answer's headers carry a key or a stack trace; an error body carries no key, usage data, stack trace, path or exception name."""
    carried = header_leak_problems(exchange.reply.headers, secrets=ctx.secrets, request_text=_request_text(exchange))
    if carried:
        raise fail(
            ctx,
            exchange,
            names.ERROR_BODY_LEAK_FREE,
            "response headers that carry no key and no stack trace",
            f"{exchange.reply.status} with the header {'; '.join(carried)}",
        )
    if exchange.reply.status < 400:
        return
    contract = ctx.contract
    problems = leak_problems(
        exchange.reply.body,
        secrets=ctx.secrets,
        envelope=contract.success_envelope,
        figure_names={pointer.rsplit("/", 1)[-1] for pointer in figures(contract.success_schema)},
        allowed_words=contract.documented_words,
        request_text=_request_text(exchange),
        code_fields=contract.error_code_fields,
    )
    if problems:
        raise fail(
            ctx,
            exchange,
            names.ERROR_BODY_LEAK_FREE,
            "an error body without keys, usage data, stack traces, file paths or exception names",
            f"{exchange.reply.status} carrying {'; '.join(problems)}",
        )


def _request_text(exchange: Exchange) -> str:
    from urllib.parse import unquote

    return unquote(exchange.sent.url, errors="replace")


def judge_latency(ctx: CheckContext, slow: Sequence[SlowRequest]) -> None:
    """Fail when a request was slow and, retried, slow again (one slow answer is not a defect)."""
    repeated = [s for s in slow if s.repeated]
    if not repeated:
        return
    worst = max(repeated, key=lambda s: min(s.first, s.retry or 0.0))
    raise ContractFailure(
        names.LATENCY,
        f"answers within {ctx.latency_budget:g} s (a request slow once is retried; only repeated slowness counts)",
        printable(
            f"{len(repeated)} request(s) slow twice in a row; the worst took {worst.first:.2f} s, then "
            f"{worst.retry or 0.0:.2f} s"
        ),
        as_curl(worst.sent, ctx.secrets),
        request=printable(redact(f"{worst.sent.method} {worst.sent.url}", ctx.secrets)),
    )


def check_usage_counts(ctx: CheckContext, exchange: Exchange) -> None:
    """The usage figures of a success body are non-negative whole numbers."""
    problems = count_problems(_body(ctx, exchange, names.RESPONSE_SCHEMA), figures(ctx.contract.success_schema))
    if problems:
        raise fail(
            ctx,
            exchange,
            names.COUNTS_NON_NEGATIVE_INTEGERS,
            "usage counts that are non-negative whole numbers",
            "; ".join(problems),
        )


Check = Callable[[CheckContext, Exchange], None]
RESPONSE_CHECKS: tuple[Check, ...] = (
    check_not_server_error,
    check_status_documented,
    check_content_type,
    check_body_schema,
    check_documented_headers,
    check_error_body_leak_free,
)


def conform(ctx: CheckContext, exchange: Exchange, checks: tuple[Check, ...] = RESPONSE_CHECKS) -> None:
    """Run ``checks`` on one exchange; the first broken one raises."""
    for check in checks:
        check(ctx, exchange)


def expect_status(ctx: CheckContext, exchange: Exchange, expected: Collection[int], check: str, because: str) -> None:
    """The exchange must have one of ``expected`` statuses."""
    if exchange.reply.status not in expected:
        wanted = " or ".join(map(str, sorted(expected)))
        raise fail(ctx, exchange, check, f"{wanted} ({because})")


def expect_parsable_json(ctx: CheckContext, exchange: Exchange, check: str) -> None:
    """A body labelled JSON parses (a refusal outside the contract may come in any media type)."""
    if not _is_json(exchange.reply.media_type):
        return
    try:
        json.loads(exchange.reply.body)
    except (ValueError, UnicodeDecodeError):
        raise fail(ctx, exchange, check, "a body labelled JSON that parses as JSON") from None
