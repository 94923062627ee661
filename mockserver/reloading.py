"""Serve the newest good version of the spec and data files.

:class:`LiveState` holds the current :class:`~mockserver.engine.MockState` and, at most
once per ``interval`` seconds, compares the files' modification stamps. A changed file
is loaded anew; if the new version is invalid the last good state keeps serving and the
reason is logged once (and shown by the health endpoint).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from mockserver.engine import MockState
from mockserver.errors import LoadError

__all__ = ["LiveState"]

_Stamp = tuple[tuple[int, int] | None, ...]


def _stamp(paths: Sequence[Path]) -> _Stamp:
    stamps: list[tuple[int, int] | None] = []
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            stamps.append(None)
        else:
            stamps.append((info.st_mtime_ns, info.st_size))
    return tuple(stamps)


class LiveState:
    """The current state, reloaded when its files change."""

    def __init__(
        self,
        loader: Callable[[], MockState],
        paths: Sequence[Path],
        *,
        interval: float,
        logger: logging.Logger,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loader = loader
        self._paths = tuple(paths)
        self._interval = interval
        self._logger = logger
        self._clock = clock
        self._stamp = _stamp(self._paths)
        self._state = loader()
        self._next_check = clock() + interval
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self.generation = 1

    def current(self) -> MockState:
        """The state to serve this request with."""
        if self._interval > 0 and self._clock() >= self._next_check and self._lock.acquire(blocking=False):
            try:
                self._next_check = self._clock() + self._interval
                self._check()
            finally:
                self._lock.release()
        return self._state

    def _check(self) -> None:
        stamp = _stamp(self._paths)
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            state = self._loader()
        except LoadError as exc:
            self.last_error = str(exc)
            self._logger.error("reload failed, still serving the last good version: %s", exc)
            return
        self._state = state
        self.last_error = None
        self.generation += 1
        self._logger.info("reloaded %s", ", ".join(str(p) for p in self._paths))
