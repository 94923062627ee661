"""Deadlines for HTTP exchanges in flight, enforced by one thread per process.

A socket timeout bounds each read, not a whole exchange: a peer sending a byte a second
never trips it. :class:`Deadlines` shuts a connection's socket down when its exchange's
deadline passes, which makes the blocked read return at once; the caller then asks
:meth:`Deadlines.disarm` whether that is why. The thread starts at the first exchange of
each process (server workers are forked, and threads do not survive a fork). Shared by the
mock's proxy (its upstream) and the suite's client (its target).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Deadlines", "Watch"]


@dataclass(order=True)
class Watch:
    due: float
    number: int
    connection: Any = field(compare=False)  # an http.client.HTTPConnection
    done: bool = field(default=False, compare=False)
    fired: bool = field(default=False, compare=False)


class Deadlines:
    def __init__(self, name: str = "deadlines") -> None:
        self.name = name  # the watching thread's
        self._pid = -1
        self._numbers = itertools.count()
        self._start()

    def _start(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[Watch] = []
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def arm(self, connection: Any, seconds: float) -> Watch:
        """Watch ``connection`` for ``seconds`` from now."""
        if self._pid != os.getpid():
            self._start()  # in a forked worker: the parent's thread and lock stayed behind
        watch = Watch(time.monotonic() + max(seconds, 0.0), next(self._numbers), connection)
        with self._condition:
            heapq.heappush(self._heap, watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._condition.notify()
        return watch

    def disarm(self, watch: Watch) -> bool:
        """Stop watching; whether the deadline had passed (and the socket was shut)."""
        with self._condition:
            watch.done = True
            watch.connection = None  # the heap may keep the watch a while: not the connection
            return watch.fired

    def _run(self) -> None:
        while True:
            with self._condition:
                while self._heap and self._heap[0].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._condition.wait()
                    continue
                remaining = self._heap[0].due - time.monotonic()
                if remaining > 0:
                    self._condition.wait(remaining)
                    continue
                watch = heapq.heappop(self._heap)
                watch.fired = True
                connection, watch.connection = watch.connection, None
            # ``sock`` is None once a response that closes the connection reads on alone; the
            # socket it reads from is kept (see usage_contract_kit.connections).
            sock = getattr(connection, "kept_sock", None) or connection.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
