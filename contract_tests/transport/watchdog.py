"""Deadlines for exchanges in flight, enforced by one thread per client.

A socket timeout bounds each read, not a whole exchange: a target sending a byte a second
never trips it. :class:`Watchdog` shuts a connection's socket down when its exchange's
deadline passes, which makes the blocked read return at once; the caller then asks
:meth:`Watchdog.disarm` whether that is why.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Watch", "Watchdog"]


@dataclass(order=True)
class Watch:
    due: float
    number: int
    connection: Any = field(compare=False)  # an http.client.HTTPConnection
    done: bool = field(default=False, compare=False)
    fired: bool = field(default=False, compare=False)


class Watchdog:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[Watch] = []
        self._numbers = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, connection: Any, seconds: float) -> Watch:
        """Watch ``connection`` for ``seconds`` from now."""
        watch = Watch(time.monotonic() + max(seconds, 0.0), next(self._numbers), connection)
        with self._condition:
            heapq.heappush(self._heap, watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="contract-watchdog", daemon=True)
                self._thread.start()
            self._condition.notify()
        return watch

    def disarm(self, watch: Watch) -> bool:
        """Stop watching; whether the deadline had passed (and the socket was shut)."""
        with self._condition:
            watch.done = True
            return watch.fired

    def _run(self) -> None:
        while True:
            with self._condition:
                while self._heap and self._heap[0].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._condition.wait()
                    continue
                overdue = self._heap[0].due - time.monotonic()
                if overdue > 0:
                    self._condition.wait(overdue)
                    continue
                watch = heapq.heappop(self._heap)
                watch.fired = True
            sock = watch.connection.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
