"""The validating proxy: forward each request to the upstream, check both sides against the spec.

Installed by ``create_app`` in place of the mock's WSGI shell when ``MOCK_PROXY`` names an
upstream (``mockserver --proxy URL``). Per request:

1. the request is checked with the mock's own pipeline pieces
   (:func:`~mockserver.core.conformance.check_request`): a CORS preflight for a path of the
   spec is answered here, as the mock answers it; anything else goes on;
2. it is forwarded unchanged but for hop-by-hop fields (:mod:`mockserver.exchange`), with
   the caller's credentials, which go upstream and nowhere else;
3. the answer is checked (:func:`~mockserver.core.conformance.check_response`) and passed
   back unchanged (status, headers, body; plus ``Via``, and CORS headers for browsers), or,
   with ``MOCK_PROXY_REJECT_VIOLATIONS``, replaced by a 502 listing what it broke;
4. violations go to the log (one line each), to the violations journal and, with
   ``MOCK_PROXY_VIOLATIONS_HEADER``, to ``X-Contract-Violations``.

A request outside the spec is passed on unchecked and marked (``X-Contract-Proxy:
outside-spec``). When the upstream gives no answer the proxy answers 502 in the spec's error
shape, or with ``MOCK_PROXY_FALLBACK`` lets the mock answer (``X-Contract-Proxy: fallback``).
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from mockserver.access_log import printable, shown_key, shown_query, shown_target
from mockserver.core.backend import Refusal
from mockserver.core.conformance import RESPONSE, Answer, RequestVerdict, Violation, check_request, check_response
from mockserver.core.cors import VARY_ORIGIN, cors_headers, origin_allowed, varies
from mockserver.core.engine import MockRequest, MockState, refuse
from mockserver.core.security import redact
from mockserver.exchange import (
    VIA,
    end_to_end,
    forwarded_headers,
    lower_case,
    read_body,
    read_request,
    secrets_of,
    target_of,
    wsgi_text,
)
from mockserver.forwarding import Reply, Unreachable, Upstream, decode_body, size
from mockserver.journal import Journal
from mockserver.proxy_settings import ProxySettings
from mockserver.runtime import MockRuntime
from mockserver.violations import describe, entry, header_value, scrub
from mockserver.wsgi import MockMiddleware

__all__ = ["MARK_HEADER", "VIOLATIONS_HEADER", "ProxyMiddleware"]

logger = logging.getLogger("mockserver.proxy")
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
MARK_HEADER = "X-Contract-Proxy"  # on every answer the upstream did not give as it is
VIOLATIONS_HEADER = "X-Contract-Violations"


@dataclass
class _Result:
    """What the client gets (``status``, ``headers``, ``body``), and what the journal keeps."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    served: str  # "upstream", "rejected" (502 for violations), "unreachable" (502), "too-large" (413), "internal"
    violations: tuple[Violation, ...] = ()
    upstream_status: int | None = None
    content_type: str | None = None
    seen: bytes = b""  # the upstream's body, decoded, for the journal's excerpt
    extra: list[tuple[str, str]] = field(default_factory=list)
    operation_id: str | None = None


class ProxyMiddleware:
    """Forward requests to ``upstream`` and check both sides; hand admin requests to ``flask_app``."""

    def __init__(
        self, flask_app: WSGIApp, runtime: MockRuntime, settings: ProxySettings, upstream: Upstream, journal: Journal
    ) -> None:
        self.flask_app = flask_app
        self.runtime = runtime
        self.settings = settings
        self.upstream = upstream
        self.journal = journal
        self.mock = MockMiddleware(flask_app, runtime)  # CORS preflights, and the fallback
        self.admin_prefix = runtime.settings.admin_prefix + "/" if runtime.settings.admin_enabled else None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = wsgi_text(environ.get("PATH_INFO", "") or "/")
        if self.admin_prefix is not None and (path + "/").startswith(self.admin_prefix):
            return self.flask_app(environ, start_response)
        started = time.perf_counter()
        state = self.runtime.live.current()
        request = read_request(environ, path)
        verdict = RequestVerdict(None)
        try:
            verdict = check_request(state, request)
            if verdict.preflight:
                return self.mock(environ, start_response)
            body = read_body(environ, self.settings.max_body_bytes)
            if body is None:
                result = self._own(
                    state, verdict, "too_large", f"the request body is larger than {size(self.settings.max_body_bytes)}"
                )
            else:
                forwarded = self._forward(state, request, verdict, environ, body)
                if isinstance(forwarded, Unreachable):  # the upstream is down: the mock answers
                    return self._fallback(state, request, verdict, (environ, body), start_response, forwarded)
                result = forwarded
        except Exception:
            logger.exception("unexpected error proxying %s %s", request.method, _shown(state, request))
            result = self._own(state, verdict, "internal", "the proxy failed to answer this request; its log says why")
        result.operation_id = verdict.operation.operation_id if verdict.operation is not None else None
        start_response(_status_line(result.status, result.reason), self._headers(request, result))
        try:
            self._record(state, request, result, started)
        except Exception:
            logger.exception("could not record %s %s", request.method, _shown(state, request))
        return [] if request.method == "HEAD" else [result.body]

    # ---- forwarding and checking ------------------------------------------------------------
    def _forward(
        self, state: MockState, request: MockRequest, verdict: RequestVerdict, environ: dict[str, Any], body: bytes
    ) -> _Result | Unreachable:
        try:
            reply = self.upstream.send(request.method, target_of(environ), forwarded_headers(environ), body)
        except Unreachable as exc:
            if exc.down and self.settings.fallback:
                return exc
            logger.warning(
                "upstream %s failed on %s %s: %s", self.upstream.url, request.method, _shown(state, request), exc
            )
            return self._own(state, verdict, "bad_gateway", f"the upstream {self.upstream.url} failed: {exc}")
        return self._checked(state, request, verdict, reply)

    def _checked(self, state: MockState, request: MockRequest, verdict: RequestVerdict, reply: Reply) -> _Result:
        headers = lower_case(reply.headers)
        seen, problem = decode_body(reply.body, headers.get("content-encoding"), self.settings.max_body_bytes)
        violations = verdict.violations
        if verdict.operation is not None:
            answer = Answer(reply.status, headers, seen, problem)
            violations += check_response(verdict.operation, answer, method=request.method, refusal=verdict.refusal)
        broken = [v for v in violations if v.side == RESPONSE]
        if broken and self.settings.reject_violations:
            secrets = secrets_of(state, request)
            listed = "; ".join(f"{n}) {describe(v, secrets)}" for n, v in enumerate(broken[:3], start=1))
            detail = f"the upstream's answer ({reply.status}) breaks the contract, {len(broken)} violation(s): {listed}"
            result = self._own(state, verdict, "bad_gateway", printable(detail, 1500))
            result.served = "rejected"
            result.headers = [(n, "contract-violation" if n == MARK_HEADER else v) for n, v in result.headers]
        else:
            passed = [(n, v) for n, v in end_to_end(reply.headers) if n.lower() != "content-length"]
            result = _Result(reply.status, reply.reason, passed, reply.body, "upstream")
            if request.method == "HEAD" and "content-length" in headers:  # the length a GET would have
                result.extra.append(("Content-Length", headers["content-length"]))
            if verdict.operation is None:
                result.extra.append((MARK_HEADER, "outside-spec"))
        result.violations, result.upstream_status, result.seen = violations, reply.status, seen
        result.content_type = headers.get("content-type")
        if violations and (self.settings.violations_header or result.served == "rejected"):
            result.extra.append((VIOLATIONS_HEADER, header_value(violations, secrets_of(state, request))))
        return result

    def _own(self, state: MockState, verdict: RequestVerdict, role: str, detail: str) -> _Result:
        """An answer of the proxy itself, in the spec's error shape (``role`` as the mock refuses)."""
        served = refuse(state, verdict.operation, Refusal(role, detail)).served
        body = json.dumps(served.body, ensure_ascii=False, separators=(",", ":")).encode()
        mark, kind = _OWN[role]
        headers = [("Content-Type", served.content_type or "application/json"), (MARK_HEADER, mark)]
        return _Result(served.status, HTTPStatus(served.status).phrase, headers, body, kind, verdict.violations)

    def _fallback(
        self,
        state: MockState,
        request: MockRequest,
        verdict: RequestVerdict,
        sent: tuple[dict[str, Any], bytes],
        start_response: Callable[..., Any],
        problem: Unreachable,
    ) -> Iterable[bytes]:
        """The mock's own answer, marked, when the upstream gave none."""
        started = time.perf_counter()
        environ, body = sent
        mark = f"fallback; upstream: {problem}".encode("ascii", "replace").decode()
        seen: dict[str, int] = {}

        def starting(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = int(status.split(" ", 1)[0])
            headers = [*headers, (MARK_HEADER, mark), *self._cors(request, headers)]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        # The body as read, with the length the request stated: none stated and none read is no body.
        length = str(len(body)) if body or environ.get("CONTENT_LENGTH") else ""
        answer = self.mock({**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": length}, starting)
        redacted = _redacted(state, request)
        logger.warning(
            "upstream %s unreachable (%s): the mock answered %s %s",
            self.upstream.url,
            problem,
            request.method,
            _shown_redacted(redacted),
        )
        if verdict.violations:
            result = _Result(seen.get("status", 0), "", [], b"", "fallback", verdict.violations)
            self._note(state, request, redacted, result, started)
        return answer

    # ---- headers, journal and log -------------------------------------------------------------
    def _cors(self, request: MockRequest, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """What lets a browser read the proxy's own headers, when its origin is allowed."""
        if not origin_allowed(request.headers.get("origin"), self.runtime.settings.cors_origins):
            return []
        listed = [v for n, v in headers if n.lower() == "access-control-expose-headers"]
        return [("Access-Control-Expose-Headers", ", ".join([*listed, MARK_HEADER, VIOLATIONS_HEADER]))]

    def _headers(self, request: MockRequest, result: _Result) -> list[tuple[str, str]]:
        headers = [*result.headers, *result.extra, ("Via", VIA)]
        if not any(name == "Content-Length" for name, _ in result.extra):
            headers.append(("Content-Length", str(len(result.body))))
        origin, origins = request.headers.get("origin"), self.runtime.settings.cors_origins
        if origin:  # the proxy's CORS policy, as the mock's, in place of the upstream's
            cors = cors_headers(origin, origins)
            expose = self._cors(request, headers)
            headers = [(n, v) for n, v in headers if not n.lower().startswith("access-control-")]
            headers += [*cors, *expose]
        elif varies(origins) and not any(n.lower() == "vary" and "origin" in v.lower() for n, v in headers):
            headers.append(VARY_ORIGIN)  # the answer to an origin would differ: caches must tell them apart
        return headers

    def _record(self, state: MockState, request: MockRequest, result: _Result, started: float) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        redacted = _redacted(state, request)
        self.runtime.journal.record(
            {
                **redacted,
                "status": result.status,
                "example": None,
                "operationId": result.operation_id,
                "durationMs": round(elapsed, 3),
            }
        )
        if logger.isEnabledFor(logging.INFO):
            shown, key = _shown_redacted(redacted), shown_key(redacted["credentials"])
            logger.info("%s %s %d %.1fms%s (%s)", request.method, shown, result.status, elapsed, key, result.served)
        if result.violations:
            self._note(state, request, redacted, result, started)

    def _note(
        self, state: MockState, request: MockRequest, redacted: dict[str, Any], result: _Result, started: float
    ) -> None:
        """The log lines and the journal entry of an exchange that broke the contract."""
        secrets = secrets_of(state, request)
        key = shown_key(redacted["credentials"])
        status = result.upstream_status if result.upstream_status is not None else result.status
        shown = _shown_redacted(redacted)
        for violation in result.violations:
            logger.warning(
                "contract violation: %s %s -> %s: %s%s",
                request.method,
                shown,
                status,
                describe(violation, secrets),
                key,
            )
        self.journal.record(
            entry(
                request={**redacted, "operationId": result.operation_id},
                status=status,
                served=result.served,
                content_type=result.content_type,
                body=result.seen,
                violations=result.violations,
                secrets=secrets,
                elapsed_ms=(time.perf_counter() - started) * 1000,
            )
        )


# What each answer of the proxy's own is marked with (X-Contract-Proxy), and how the journal names it.
_OWN = {
    "too_large": ("request-too-large", "too-large"),
    "bad_gateway": ("upstream-unreachable", "unreachable"),
    "internal": ("internal-error", "internal"),
}


def _redacted(state: MockState, request: MockRequest) -> dict[str, Any]:
    """The request as the journals show it: credentials redacted, in their places and wherever else they were sent."""
    secrets = secrets_of(state, request)
    query = {
        scrub(k, secrets): [redact(v) if k in state.secret_query else scrub(v, secrets) for v in vs]
        for k, vs in request.query.items()
    }
    credentials = {name: redact(value) for name, value in request.headers.items() if name in state.secret_headers}
    credentials |= {name: redact(value) for name, value in request.cookies.items() if name in state.secret_cookies}
    path = scrub(request.path, secrets)
    return {"method": request.method, "path": path, "query": query, "credentials": credentials}


def _shown(state: MockState, request: MockRequest) -> str:
    """Path and query for a log line: credentials redacted, control characters escaped, about 200 characters."""
    return _shown_redacted(_redacted(state, request))


def _shown_redacted(redacted: dict[str, Any]) -> str:
    return shown_target(redacted["path"], shown_query(redacted["query"]))


def _status_line(status: int, reason: str) -> str:
    shown = printable(reason, 60).encode("ascii", "replace").decode() if reason else ""
    return f"{status} {shown or 'Unknown'}"
