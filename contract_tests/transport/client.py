"""Send requests to the target, bounded in every way a hostile target could stretch them.

Every request of the suite, fuzzing included, goes through :class:`Client`:

* the request target is sent exactly as given (``http.client``; ``requests`` and urllib3
  would re-encode a malformed escape such as ``%ZZ`` or resolve ``..``), with no proxy;
* a per-operation socket timeout, and a deadline for the whole exchange (three times the
  timeout) enforced by a watchdog that shuts the socket down, so a target trickling its
  headers or body a byte a second cannot stretch it;
* the body capped at 10 MB, counted after decompression (a gzip bomb stops at the cap);
* a run budget (``CONTRACT_RUN_BUDGET``) that also stops the request in flight;
* TLS verified against ``CONTRACT_CA_BUNDLE`` when given (a private CA), else certifi;
* breakers: a refused connection, a TLS error, three timeouts, resets or unusable answers
  (past the body cap, undecodable) in a row, or four answers in a row slower than the
  latency budget make every later request fail at once with the same reason;
* a slow answer to a GET or HEAD is retried once: slowness counts only when it repeats.

The client is thread-safe (one keep-alive connection per thread).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from contract_tests.core.exchange import Exchange, Reply, Sent, SlowRequest, TargetUnreachable, encode_query, redact
from contract_tests.transport.body import ACCEPTED_CODINGS, MAX_BODY, read_body
from usage_contract_kit.connections import KeepAlive
from usage_contract_kit.deadlines import Deadlines

__all__ = ["FAILURES_IN_ALL", "MAX_BODY", "SLOW_IN_A_ROW", "Client", "TargetUnreachable"]

SLOW_IN_A_ROW = 4
FAILURES_IN_ALL = 10  # requests that got no usable answer, in a row or not, before the target is taken as down
_AFTER_HEAD = 0.05  # seconds to wait for a body sent after the answer to HEAD, when none came with it
_SAFE_METHODS = frozenset({"GET", "HEAD"})
_DEFAULT_HEADERS = (
    ("User-Agent", "usage-contract-kit"),
    ("Accept", "*/*"),
    ("Accept-Encoding", ", ".join(ACCEPTED_CODINGS)),
)
# Headers requests adds when preparing a schemathesis case; the client sets its own.
_TRANSPORT_HEADERS = frozenset(
    {"user-agent", "accept-encoding", "accept", "connection", "content-length", "x-schemathesis-testcaseid"}
)


class _Failure(TargetUnreachable):
    def __init__(self, message: str, *, fatal: bool = False, counts: bool = False, silent: bool = False) -> None:
        super().__init__(message, silent=silent)
        self.fatal = fatal  # the target is down: no further requests
        self.counts = counts  # a timeout or reset: three in a row (with unusable answers) take the target down


class Client:
    """HTTP access to one target, recording every exchange."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        secrets: Mapping[str, str],
        on_exchange: Callable[[Exchange], None] | None = None,
        run_budget: float = 900.0,
        ca_bundle: str | None = None,
        latency_budget: float | None = None,
    ) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        self.base_url = base_url.rstrip("/")
        self._scheme = parts.scheme
        self._host = parts.hostname or ""
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._base_path = parts.path
        self.timeout = timeout
        self.deadline = 3 * timeout  # for a whole exchange: a trickling target cannot stretch it
        self.run_budget = run_budget
        self.latency_budget = latency_budget
        self.secrets = dict(secrets)
        self._on_exchange = on_exchange
        self._budget_ends = time.monotonic() + run_budget
        tls = _tls_context(ca_bundle) if parts.scheme == "https" else None
        self._connections = KeepAlive(self._host, self._port, tls)
        self._watchdog = Deadlines("contract-watchdog")
        self._lock = threading.Lock()  # the breaker's and the slow answers' bookkeeping
        self.down: str | None = None
        self.slow: list[SlowRequest] = []
        self._failures_in_a_row = 0
        self._failures_in_all = 0
        self._slow_in_a_row: list[float] = []

    def __repr__(self) -> str:
        return f"Client({self.base_url!r})"

    # ---- sending ------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        raw_query: str | None = None,
        headers: Mapping[str, str] | None = None,
        shown: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Exchange:
        """Send one request; ``path`` (and ``raw_query``) are sent exactly as given."""
        query_text = raw_query if raw_query is not None else encode_query(query)
        target = self._base_path + path + (f"?{query_text}" if query_text else "")
        return self._exchange(method, target, dict(headers or {}), dict(shown or {}), body)

    def send_case(self, case: Any) -> Exchange:
        """Send a schemathesis case, serialised by its transport as ``case.call`` would."""
        import requests  # schemathesis' own serialisation target; used only to encode

        kwargs = case.as_transport_kwargs(base_url=self.base_url)
        prepared = requests.Request(
            method=kwargs["method"],
            url=kwargs["url"],
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
            cookies=kwargs.get("cookies"),
            data=kwargs.get("data"),
            json=kwargs.get("json"),
        ).prepare()
        url = str(prepared.url)
        origin = f"{self._scheme}://{urlsplit(self.base_url).netloc}"
        if not url.startswith(origin):
            raise ValueError(f"a generated case left the target: {url!r}")
        headers = {k: v for k, v in prepared.headers.items() if k.lower() not in _TRANSPORT_HEADERS}
        body = prepared.body.encode("utf-8") if isinstance(prepared.body, str) else prepared.body
        return self._exchange(str(prepared.method), url[len(origin) :], headers, {}, body)

    def close(self) -> None:
        self._connections.close()

    # ---- one exchange -------------------------------------------------------------------
    def _exchange(
        self, method: str, target: str, headers: dict[str, str], shown: dict[str, str], body: bytes | None
    ) -> Exchange:
        url = f"{self._scheme}://{urlsplit(self.base_url).netloc}{target}"
        sent = Sent(method, url, tuple(headers.items()), shown)
        exchange = Exchange(sent, self._send(method, target, headers, body, sent))
        self._record(exchange)
        if self.latency_budget is None or exchange.reply.elapsed <= self.latency_budget:
            self._note_speed(None)
            return exchange
        retry: float | None = None
        self._note_speed(exchange.reply.elapsed)
        if method in _SAFE_METHODS and self.down is None:
            try:
                again = Exchange(sent, self._send(method, target, headers, body, sent))
            except TargetUnreachable:
                pass
            else:
                self._record(again)
                retry = again.reply.elapsed
                self._note_speed(retry if retry > self.latency_budget else None)
        if retry is None or retry > self.latency_budget:
            with self._lock:
                self.slow.append(SlowRequest(sent, exchange.reply.elapsed, retry))
        return exchange

    def _send(self, method: str, target: str, headers: Mapping[str, str], body: bytes | None, sent: Sent) -> Reply:
        url = sent.url
        for attempt in (1, 2):
            self._check_up()
            started = time.monotonic()
            remaining = min(self.deadline, self._budget_ends - started)
            connection, reused = self._connections.get(min(self.timeout, max(remaining, 0.01)))
            watch = self._watchdog.arm(connection, remaining)
            try:
                status, reply_headers, content, keep = self._talk(connection, method, target, headers, body, url)
            except TargetUnreachable as exc:
                self._connections.drop(connection)
                if self._watchdog.disarm(watch):  # the deadline cut the body short: that is the reason
                    raise self._failed(self._overdue(url), sent) from None
                raise self._failed(exc, sent) from None
            except http.client.InvalidURL:
                self._connections.drop(connection)  # a request the suite built badly: a bug, not the target's
                self._watchdog.disarm(watch)
                raise
            except (OSError, http.client.HTTPException) as exc:
                self._connections.drop(connection)
                fired = self._watchdog.disarm(watch)
                # The socket's timeout is cut to what is left of the run's budget: when it is what
                # ended the wait, the budget is spent, whichever of the two came first.
                if fired or (isinstance(exc, TimeoutError) and time.monotonic() >= self._budget_ends - 0.001):
                    raise self._failed(self._overdue(url), sent) from None
                if reused and attempt == 1 and _stale(exc):
                    continue  # the server closed an idle keep-alive connection: retry on a new one
                raise self._failed(self._describe(exc, url), sent) from None
            if self._watchdog.disarm(watch):
                self._connections.drop(connection)
                raise self._failed(self._overdue(url), sent)
            if not keep:
                self._connections.drop(connection)
            with self._lock:
                self._failures_in_a_row = 0
            return Reply(status, reply_headers, content, time.monotonic() - started)
        raise AssertionError("unreachable")  # pragma: no cover

    def _talk(
        self,
        connection: http.client.HTTPConnection,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes | None,
        url: str,
    ) -> tuple[int, dict[str, str], bytes, bool]:
        connection.putrequest(method, target, skip_accept_encoding=True)
        given = {name.lower() for name in headers}
        for name, value in (*((n, v) for n, v in _DEFAULT_HEADERS if n.lower() not in given), *headers.items()):
            connection.putheader(name, _header_bytes(value))
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        try:
            reply_headers: dict[str, str] = {}
            for name, value in response.getheaders():
                key = name.lower()
                reply_headers[key] = f"{reply_headers[key]}, {value}" if key in reply_headers else value
            content = read_body(response, reply_headers.get("content-encoding", ""), url)
            if method == "HEAD" and (stray := _after_head(response, connection)):
                return response.status, reply_headers, stray, False  # its framing is broken: not kept
            return response.status, reply_headers, content, not response.will_close
        finally:
            response.close()  # the connection itself stays open when it may be kept

    # ---- connections ----------------------------------------------------------------------
    # ---- bookkeeping ----------------------------------------------------------------------
    def _check_up(self) -> None:
        if self.down is not None:
            raise TargetUnreachable(f"{self.down} (no further requests sent)")
        if time.monotonic() >= self._budget_ends:
            self.down = f"the run's time budget of {self.run_budget:g} s is spent"
            raise TargetUnreachable(f"{self.down} (no further requests sent)")

    def _overdue(self, url: str) -> _Failure:
        if time.monotonic() >= self._budget_ends - 0.001:
            return _Failure(f"{url}: stopped: the run's time budget of {self.run_budget:g} s is spent", fatal=True)
        return _Failure(f"{url}: no complete answer within {self.deadline:g} s", counts=True)

    def _failed(self, exc: TargetUnreachable, sent: Sent) -> TargetUnreachable:
        """The failure to report: redacted, carrying the request (for its replay), counted by the breaker."""
        message = redact(str(exc), self.secrets)
        with self._lock:
            # A timeout, a reset, or an answer past the body cap or undecodable: three in a row,
            # or ten in all, and the target is down (a target sending 10 MB bombs is not checked
            # 400 times, nor one that hangs on every other request waited on for each).
            if (isinstance(exc, _Failure) and exc.counts) or exc.answered:
                self._failures_in_a_row += 1
                self._failures_in_all += 1
            if isinstance(exc, _Failure) and (exc.fatal or (exc.counts and self._failures_in_a_row >= 3)):
                self.down = message
            elif self._failures_in_all >= FAILURES_IN_ALL and (exc.answered or isinstance(exc, _Failure)):
                self.down = f"{message} ({self._failures_in_all} requests of this run got no usable answer)"
        return TargetUnreachable(message, silent=exc.silent, answered=exc.answered, sent=sent)

    def _describe(self, exc: BaseException, url: str) -> _Failure:
        if isinstance(exc, ssl.SSLError | ssl.CertificateError):
            reason = getattr(exc, "reason", None) or type(exc).__name__
            return _Failure(f"{url}: TLS error ({reason})", fatal=True)
        if isinstance(exc, ConnectionRefusedError | socket.gaierror):
            return _Failure(f"{url}: connection failed (refused, or no such host)", fatal=True)
        if isinstance(exc, TimeoutError):
            return _Failure(f"{url}: no answer within {self.timeout:g} s", counts=True, silent=True)
        return _Failure(
            f"{url}: connection closed or reset before a complete answer ({type(exc).__name__})", counts=True
        )

    def _record(self, exchange: Exchange) -> None:
        with self._lock:
            if self._on_exchange is not None:
                self._on_exchange(exchange)

    def _note_speed(self, slow: float | None) -> None:
        with self._lock:
            if slow is None:
                self._slow_in_a_row = []
                return
            self._slow_in_a_row.append(slow)
            if len(self._slow_in_a_row) >= SLOW_IN_A_ROW and self.down is None:
                self.down = (
                    f"{len(self._slow_in_a_row)} answers in a row took longer than the latency budget of "
                    f"{self.latency_budget:g} s (the slowest {max(self._slow_in_a_row):.1f} s): the target is too "
                    "slow to check"
                )


def _after_head(response: http.client.HTTPResponse, connection: http.client.HTTPConnection) -> bytes:
    """What the target sent after its answer to HEAD, which has no body.

    ``http.client`` reads no body for HEAD, and what it buffered past the head is thrown
    away with the response: a body sent anyway went unseen, while a client keeping the
    connection reads it as the start of its next answer. Bytes already buffered are seen at
    once; others are waited for briefly (:data:`_AFTER_HEAD`).
    """
    sock = getattr(connection, "kept_sock", None) or connection.sock
    if sock is None or response.fp is None:
        return b""
    timeout = sock.gettimeout()
    sock.settimeout(_AFTER_HEAD)
    try:
        return bytes(response.fp.peek(1))
    except OSError:  # nothing came (a timeout), or the connection closed
        return b""
    finally:
        with contextlib.suppress(OSError):
            sock.settimeout(timeout)


def _tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    if ca_bundle:
        return ssl.create_default_context(cafile=ca_bundle)
    try:
        import certifi
    except ImportError:  # pragma: no cover - certifi comes with requests
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _header_bytes(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _stale(exc: BaseException) -> bool:
    return isinstance(exc, http.client.RemoteDisconnected | BrokenPipeError | ConnectionResetError)
