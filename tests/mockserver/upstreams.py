"""Upstreams for the proxy's tests: a WSGI app called in process, and one that never answers.

Both have the ``send`` of :class:`mockserver.forwarding.Upstream`, so the proxy can be
tested through Flask's test client without a socket; the real transport has its own tests
(``test_forwarding.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from werkzeug.test import Client

from mockserver.forwarding import Reply, Unreachable

__all__ = ["DownUpstream", "Sent", "WsgiUpstream"]


@dataclass(frozen=True)
class Sent:
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass
class WsgiUpstream:
    """Calls a WSGI app in process; ``sent`` keeps every request it was given."""

    app: Callable[..., Any]
    url: str = "http://upstream.test"
    sent: list[Sent] = field(default_factory=list)

    def send(self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes) -> Reply:
        self.sent.append(Sent(method, target, tuple(headers), body))
        answer = Client(self.app).open(target, method=method, headers=list(headers), data=body)
        reason = answer.status.split(" ", 1)[1] if " " in answer.status else ""
        headers_out = tuple((name, value) for name, value in answer.headers.to_wsgi_list())
        return Reply(answer.status_code, reason, headers_out, answer.get_data())


@dataclass
class DownUpstream:
    """Never answers: raises what the real transport raises for a dead (or broken) upstream."""

    reason: str = "connection failed (refused, or no such host)"
    down: bool = True
    url: str = "http://upstream.test"
    calls: int = 0

    def send(self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes) -> Reply:
        self.calls += 1
        raise Unreachable(self.reason, down=self.down)
