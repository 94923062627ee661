"""The mock's WSGI shell: every API request goes from the environ to the pure engine.

Installed by ``create_app`` as Flask's ``app.wsgi_app`` middleware, it serves the spec's
operations (and CORS preflights) without building a Flask request context, which would
cost more than the engine itself; the admin endpoints under the admin prefix are passed
on to Flask. Per request it parses only what the engine needs (the body only when the
request has one, and at most ``MOCK_MAX_BODY_MB`` of it), serves documented answers from
bytes encoded once at load, and records one journal entry and one log line.

Header names: WSGI hands headers over as CGI keys (``HTTP_API_KEY``), which merge ``api_key``
and ``api-key``; Granian sends both spellings under that one key (the later one, when a
request carries both). A key the spec documents with an underscore is read under the
spec's name, so an ``api_key`` header works; the engine compares names as HTTP does.

A delay a client asks for holds one of the process's threads while it sleeps, so at most
``MOCK_DELAY_SLOTS`` of them sleep at once (the command line allows half the threads); a
request asking for one more gets the validation error naming the limit. Granian's WSGI
interface does not tell the application that a client went away, so a delay always runs
to its end; the slots are what keeps abandoned delays from taking every thread.

An unexpected error of the mock itself becomes a JSON 500 in the spec's error shape, a
journal entry and a log line with the traceback (never in the response). A log line shows
at most about 200 characters of path and query, with their full length.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

from mockserver.access_log import shown_target
from mockserver.core.answers import Served
from mockserver.core.backend import Refusal
from mockserver.core.cors import VARY_ORIGIN, cors_headers, varies
from mockserver.core.engine import MockRequest, MockState, Outcome, handle, handle_plain, internal_error, refuse
from mockserver.core.refusals import REFUSAL_HEADER, reason_header
from mockserver.core.security import name_of, redact
from mockserver.core.wire import parse_cookies, parse_query
from mockserver.runtime import MockRuntime
from usage_contract_kit.model import Operation

__all__ = ["MockMiddleware"]

logger = logging.getLogger("mockserver")
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_NO_LENGTH = (None, "", "0")  # a request without a body: the plain way may answer it
_REASONS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}
# A client sends the same key request after request: its redacted form is remembered (in C).
_redacted = functools.lru_cache(maxsize=256)(redact)
# The usual methods as they arrive: read without making an upper-case copy of each.
_METHODS = {method: method for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")}
_clock, _now = time.perf_counter, time.time  # module globals: one lookup each, not a module's attribute too


def _headers(environ: dict[str, Any], documented: Mapping[str, str]) -> dict[str, str]:
    """Request headers by lower-case name; ``documented`` names the keys the spec spells with ``_``."""
    found = {}
    for key, value in environ.items():
        if key[:5] == "HTTP_":
            found[name_of(key, documented)] = value
    if environ.get("CONTENT_TYPE"):
        found["content-type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):  # "0": an empty body, where the request names its media type
        found["content-length"] = environ["CONTENT_LENGTH"]
    return found


def _body(environ: dict[str, Any], limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the request body (one more than allowed says it is too large)."""
    length = environ.get("CONTENT_LENGTH")
    chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    if not chunked:
        try:
            wanted = int(length) if length else 0
        except ValueError:
            return b""
        if wanted <= 0:
            return b""
        wanted = min(wanted, limit + 1)
    else:
        wanted = limit + 1
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    chunks, size = [], 0
    while size < wanted:
        chunk = stream.read(wanted - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _wsgi_text(raw: str) -> str:
    # WSGI hands over the path as latin-1 decoded bytes; the URL's bytes are UTF-8 (callers
    # pass only text that is not ASCII: ASCII reads the same either way).
    return raw.encode("latin-1").decode("utf-8", "replace")


def _logged_target(state: MockState, path: str, raw_query: str) -> str:
    # A query that may carry a key is left out of an error's line rather than redacted: it may not parse.
    if state.secret_query and raw_query:
        return shown_target(path, "") + " (query left out: it may carry a key)"
    return shown_target(path, raw_query)


class MockMiddleware:
    """Serve the spec's operations; hand admin requests to ``flask_app``."""

    def __init__(self, flask_app: WSGIApp, runtime: MockRuntime) -> None:
        self.flask_app = flask_app
        self.runtime = runtime
        self.live = runtime.live
        self.admin_prefix = runtime.settings.admin_prefix + "/" if runtime.settings.admin_enabled else None
        self._admin_root = runtime.settings.admin_prefix  # the prefix without its slash: a cheap first test
        self.delay_slots = threading.BoundedSemaphore(runtime.settings.delay_slots)
        self.latency = runtime.settings.latency  # simulated latency: (least, most) milliseconds, or None
        # With a list of origins every answer varies by origin (mockserver.core.cors), even one without CORS headers.
        self.vary = varies(runtime.settings.cors_origins)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if not path.isascii():
            path = _wsgi_text(path)
        admin = self.admin_prefix
        if admin is not None and path.startswith(self._admin_root) and (path + "/").startswith(admin):
            return self.flask_app(environ, start_response)
        started = _clock()
        state = self.live.state
        method = environ.get("REQUEST_METHOD") or "GET"
        method = _METHODS.get(method) or method.upper()
        raw_query = environ.get("QUERY_STRING", "")
        if not raw_query.isascii():
            raw_query = _wsgi_text(raw_query)
        query: dict[str, list[str]] | None = None  # parsed when needed: a lane reads the text itself
        try:
            outcome: tuple[Served, Operation | None] | None = None  # an Outcome, or the plain way's pair
            if environ.get("CONTENT_LENGTH") in _NO_LENGTH and "HTTP_TRANSFER_ENCODING" not in environ:
                outcome = handle_plain(state, method, path, raw_query, environ)
            if outcome is None:
                query = parse_query(raw_query)
                headers = _headers(environ, state.header_keys)
                request = MockRequest(
                    method=method,
                    path=path,
                    query=query,
                    headers=headers,
                    cookies=parse_cookies(headers.get("cookie")),
                    body=_body(environ, state.max_body_bytes),
                )
                outcome = handle(state, request)
            served, operation = outcome
            if served.delay_ms or self.latency is not None:
                served, operation = self._delayed(state, served, operation)
            if served.headers or served.encoded is None or not served.content_type or "HTTP_ORIGIN" in environ:
                status, response_headers, body = self._response(method, environ, served)
            else:  # the usual answer: its bytes and media type known, no headers of its own, no CORS to add
                body = served.encoded
                status = _REASONS.get(served.status) or f"{served.status} Unknown"
                response_headers = [("Content-Type", served.content_type), ("Content-Length", str(len(body)))]
                if self.vary:
                    response_headers.append(VARY_ORIGIN)
        except Exception:
            # A fault of the mock itself: the traceback goes to the log, never to the client.
            logger.exception("unexpected error answering %s %s", method, _logged_target(state, path, raw_query))
            served, operation = internal_error(state)
            status, response_headers, body = self._response(method, environ, served)
        start_response(status, response_headers)
        try:
            self._record(state, method, path, raw_query, query, environ, served, operation, started)
        except Exception:
            logger.exception("could not record %s %s", method, _logged_target(state, path, raw_query))
        return [] if method == "HEAD" else [body]

    def _delayed(self, state: MockState, served: Served, operation: Operation | None) -> Outcome:
        """The answer after the delay the client asked for, or the simulated latency."""
        slot = False
        outcome = Outcome(served, operation)
        if served.delay_ms:  # asked for by the client: only while a slot is free
            slot = self.delay_slots.acquire(blocking=False)
            if not slot:
                outcome = refuse(state, operation, Refusal("invalid", self._no_slot()))
        delay = outcome.served.delay_ms
        if delay is None and self.latency is not None:
            delay = random.randint(*self.latency)  # noqa: S311 - simulated latency
        if delay:
            try:
                time.sleep(delay / 1000)
            finally:
                if slot:
                    self.delay_slots.release()
        return outcome

    def _response(
        self, method: str, environ: Mapping[str, Any], served: Served
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        if method == "HEAD" and served.reason and REFUSAL_HEADER not in served.headers:  # the body is not sent
            served = served._replace(headers={**served.headers, REFUSAL_HEADER: reason_header(served.reason)})
        body = served.payload()
        response_headers = [*served.headers.items()] if served.headers else []
        if served.content_type:
            response_headers.append(("Content-Type", served.content_type))
        response_headers.append(("Content-Length", str(len(body))))
        origin = environ.get("HTTP_ORIGIN")
        if origin:  # a browser: the mock's CORS policy answers it, not CORS headers the spec documents
            response_headers = [h for h in response_headers if not h[0].lower().startswith("access-control-")]
        if origin or self.vary:
            response_headers += cors_headers(
                origin,
                self.runtime.settings.cors_origins,
                preflight=method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ,
                methods=served.headers["Allow"].split(", ") if "Allow" in served.headers else (),
                requested_method=environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
                requested_headers=environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
                sent=[*served.headers],
            )
        return _REASONS.get(served.status) or f"{served.status} Unknown", response_headers, body

    def _no_slot(self) -> str:
        slots = self.runtime.settings.delay_slots
        return (
            f"preference delay: at most {slots} delayed answers at once per worker process (MOCK_DELAY_SLOTS), "
            "and they are all taken; ask again without a delay, or later"
        )

    def _record(
        self,
        state: MockState,
        method: str,
        path: str,
        raw_query: str,
        query: Mapping[str, list[str]] | None,
        environ: Mapping[str, Any],
        served: Served,
        operation: Operation | None,
        started: float,
    ) -> None:
        # The journal keeps the text the query was parsed from (request_journal), unless a key
        # may travel in it: then the values, redacted where they hold one.
        kept_query: Any = raw_query
        if state.secret_query:
            kept_query = self._kept_query(state, parse_query(raw_query) if query is None else query)
        credentials = {}
        for name, key in state.secret_environ:
            if key in environ:
                credentials[name] = _redacted(environ[key])
        if state.secret_cookies and "HTTP_COOKIE" in environ:  # a key sent as a cookie, by the cookie's name
            for name, value in parse_cookies(environ["HTTP_COOKIE"]).items():
                if name in state.secret_cookies:
                    credentials[name] = _redacted(value)
        elapsed_ms = (_clock() - started) * 1000
        row = (
            _now(),
            method,
            path,
            kept_query,
            credentials,
            served.status,
            served.example,
            operation.operation_id if operation else None,
            elapsed_ms,  # rounded when read (request_journal)
        )
        log = self.runtime.access_log
        # The main process makes the line from the entry (mockserver.access_log); from one kept
        # without its bulky parts it cannot, so the line is written here.
        if not (self.runtime.journal.write(row) and log.from_journal):
            log.line(method, path, kept_query, served.status, elapsed_ms, credentials)

    @staticmethod
    def _kept_query(state: MockState, query: Mapping[str, list[str]]) -> Any:
        """A query that may carry a key, as the journal keeps it: its values, redacted where they hold one."""
        if any(name in query for name in state.secret_query):
            return {k: [redact(v) for v in vs] if k in state.secret_query else vs for k, vs in query.items()}
        return query
