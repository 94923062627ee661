"""Send requests to the target and keep what came back, with a replayable ``curl``.

Every request goes through :class:`Client`: one ``requests`` session, a per-request
timeout, no redirects followed, no proxies from the environment. What was sent and what
came back is an :class:`Exchange`; :func:`as_curl` renders it as a command in which each
secret is replaced by the environment variable that holds it (``$CONTRACT_API_KEY``), and
:func:`redact` removes any trace of a secret from text shown to people.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import requests

__all__ = ["Client", "Exchange", "Reply", "Sent", "TargetUnreachable", "as_curl", "redact"]

_MAX_BODY = 10 * 1024 * 1024
_T = TypeVar("_T")
_SHOWN_BODY = 300


class TargetUnreachable(Exception):
    """The target could not be reached or did not answer in time."""


class _SlowAnswer(TargetUnreachable):
    """The answer kept arriving past the deadline (a trickling target)."""


@dataclass(frozen=True)
class Sent:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    # Header name -> how a reproduction command shows its value (a shell expression).
    shown: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    elapsed: float  # seconds

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        import json

        return json.loads(self.body)

    def excerpt(self) -> str:
        text = self.body[:_SHOWN_BODY].decode("utf-8", "replace")
        return text + ("..." if len(self.body) > _SHOWN_BODY else "")


@dataclass(frozen=True)
class Exchange:
    sent: Sent
    reply: Reply


def redact(text: str, secrets: Mapping[str, str]) -> str:
    """Replace each secret, and any run of 12 or more of its characters, with its variable."""
    for secret, variable in secrets.items():
        if len(secret) < 8:
            continue
        text = text.replace(secret, f"${variable}")
        window = 12
        for start in range(len(secret) - window + 1):
            piece = secret[start : start + window]
            if piece in text:
                text = text.replace(piece, "***")
    return text


def _double_quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")
    return f'"{escaped}"'


def _single_quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def as_curl(sent: Sent, secrets: Mapping[str, str]) -> str:
    """A ``curl`` command that replays ``sent``; secrets appear as ``$VARIABLE`` only."""
    parts = ["curl", "-i"]
    if sent.method != "GET":
        parts += ["-X", sent.method]
    for name, value in sent.headers:
        if name in sent.shown:
            parts += ["-H", f'"{name}: {sent.shown[name]}"']
            continue
        secret = next(((s, v) for s, v in secrets.items() if s and s in value), None)
        if secret is None:
            parts += ["-H", _single_quoted(f"{name}: {value}")]
        else:
            pieces = value.split(secret[0])
            if not any(pieces):
                inner = f"${secret[1]}"
            else:
                inner = f"${{{secret[1]}}}".join(_double_quoted(p)[1:-1] for p in pieces)
            parts += ["-H", f'"{name}: {inner}"']
    parts.append(_single_quoted(sent.url))
    return redact(" ".join(parts), secrets)


def encode_query(query: Sequence[tuple[str, str]]) -> str:
    """Percent-encode query pairs (spaces as %20, so padding stays visible in a URL)."""
    return urlencode(list(query), quote_via=quote, safe="")


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
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.secrets = dict(secrets)
        self._on_exchange = on_exchange
        self.session = self._new_session()
        self.deadline = 3 * timeout  # for a whole exchange: a trickling target cannot stretch it
        self._budget_ends = time.monotonic() + run_budget
        # Once the target refuses connections, or times out three times in a row, every
        # further request fails at once with the same reason instead of waiting again.
        self.down: str | None = None
        self._timeouts = 0

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
        shown: Mapping[str, str] | None = None,
    ) -> Exchange:
        """Send one request; ``path`` is already percent-encoded."""
        url = self.base_url + path + (("?" + encode_query(query)) if query else "")
        sent = Sent(method, url, tuple((headers or {}).items()), dict(shown or {}))
        self._check_up()
        started = time.perf_counter()
        session = self.session

        def exchange() -> tuple[requests.Response, bytes]:
            response = session.request(
                method,
                url,
                headers=dict(headers or {}),
                timeout=(self.timeout, self.timeout),
                allow_redirects=False,
                stream=True,
            )
            return response, self._read(response, started)

        try:
            response, body = self._bounded(exchange, url)
        except requests.exceptions.RequestException as exc:
            raise self._unreachable(exc, url) from None
        except TargetUnreachable as exc:
            raise self._unreachable(exc, url) from None
        reply = Reply(
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body,
            elapsed=time.perf_counter() - started,
        )
        return self._record(Exchange(sent, reply))

    def call_case(self, case: Any) -> Exchange:
        """Send a schemathesis-generated case (its serialisation of odd values is kept)."""
        self._check_up()
        started = time.perf_counter()
        try:
            response = case.call(
                base_url=self.base_url, session=self.session, timeout=self.timeout, allow_redirects=False
            )
        except requests.exceptions.RequestException as exc:
            raise self._unreachable(exc, self.base_url + case.formatted_path) from None
        prepared = response.request
        headers = tuple((k, v) for k, v in prepared.headers.items() if k.lower() not in _TRANSPORT_HEADERS)
        sent = Sent(str(prepared.method), str(prepared.url), headers)
        reply = Reply(
            status=response.status_code,
            headers={k.lower(): ", ".join(v) for k, v in response.headers.items()},
            body=response.content or b"",
            elapsed=time.perf_counter() - started,
        )
        return self._record(Exchange(sent, reply))

    def _read(self, response: requests.Response, started: float) -> bytes:
        chunks = []
        size = 0
        for chunk in response.iter_content(chunk_size=65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > _MAX_BODY:
                response.close()
                raise TargetUnreachable(f"{response.url}: response body larger than {_MAX_BODY // (1024 * 1024)} MB")
            if time.perf_counter() - started > 3 * self.timeout:
                response.close()
                raise _SlowAnswer(f"{response.url}: response still arriving after {3 * self.timeout:g} s")
        return b"".join(chunks)

    @staticmethod
    def _new_session() -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # never route a contract run through an environment proxy
        return session

    def _bounded(self, call: Callable[[], _T], url: str) -> _T:
        """Run ``call`` in a thread and give up after the deadline (headers may trickle too)."""
        box: dict[str, Any] = {}
        finished = threading.Event()

        def run() -> None:
            try:
                box["value"] = call()
            except BaseException as exc:  # handed to the caller below
                box["error"] = exc
            finally:
                finished.set()

        threading.Thread(target=run, daemon=True).start()
        if not finished.wait(self.deadline):
            self.session = self._new_session()  # the abandoned thread keeps the old one
            raise _SlowAnswer(f"{url}: no complete answer within {self.deadline:g} s")
        if "error" in box:
            raise box["error"]
        value: _T = box["value"]
        return value

    def _check_up(self) -> None:
        if self.down is not None:
            raise TargetUnreachable(f"{self.down} (no further requests sent)")
        if time.monotonic() > self._budget_ends:
            self.down = "the run's time budget is spent"
            raise TargetUnreachable(f"{self.down} (no further requests sent)")

    def _unreachable(self, exc: Exception, url: str) -> TargetUnreachable:
        message = str(exc) if isinstance(exc, TargetUnreachable) else self._describe(exc, url)
        timed_out = isinstance(exc, (requests.exceptions.Timeout, _SlowAnswer))
        self._timeouts = self._timeouts + 1 if timed_out else 0
        if (isinstance(exc, requests.exceptions.ConnectionError) and not timed_out) or self._timeouts >= 3:
            self.down = message
        return TargetUnreachable(message)

    def _record(self, exchange: Exchange) -> Exchange:
        self._timeouts = 0
        if self._on_exchange is not None:
            self._on_exchange(exchange)
        return exchange

    def _describe(self, exc: Exception, url: str) -> str:
        kind = {
            requests.exceptions.ConnectTimeout: "connection timed out",
            requests.exceptions.ReadTimeout: f"no answer within {self.timeout:g} s",
            requests.exceptions.SSLError: "TLS error",
            requests.exceptions.ConnectionError: "connection failed (refused or reset)",
        }
        reason = next((text for cls, text in kind.items() if isinstance(exc, cls)), type(exc).__name__)
        return redact(f"{url}: {reason}", self.secrets)


_TRANSPORT_HEADERS = frozenset(
    {"user-agent", "accept-encoding", "accept", "connection", "content-length", "x-schemathesis-testcaseid"}
)
