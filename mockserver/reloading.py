"""Serve the newest good version of the spec and data files, in every process alike.

* :class:`LiveState` is what a process serves: one engine state and its generation number.
  Requests only read it; nothing on a request thread ever loads a file.
* :class:`Reloader` runs in one process (the server's main process, or the only one): a
  background thread compares the files' stamps every ``interval`` seconds. A change is
  taken once the stamps hold still for ``QUIET`` seconds and again after the copy (a save
  in progress, truncated or half written, is read at the next step instead), then
  copied (:mod:`mockserver.snapshots`), checked in a child process under a memory cap and a
  time limit (:mod:`mockserver.sandbox`), loaded, swapped in and published with the next
  generation number (:mod:`mockserver.reload_status`). Any failure, out of memory included,
  is logged once and published as the last reload error; the last good version keeps
  serving everywhere.
* :class:`Follower` runs in each worker: a background thread that sees a newer published
  generation, loads that generation's copy and swaps it in, so all workers serve the same
  generation within a moment of each other.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from mockserver.core.engine import MockState
from mockserver.memory import release_free_memory
from mockserver.reload_status import ReloadStatus
from mockserver.snapshots import NotAFile, Snapshots

__all__ = ["FOLLOW_INTERVAL", "QUIET", "Files", "Follower", "LiveState", "Reloader", "Stamp", "stamp_files"]

FOLLOW_INTERVAL = 0.1
QUIET = 0.05  # seconds a changed file's stamp must hold still before it is read
Files = tuple[Path, ...]
Stamp = tuple[tuple[int, int] | None, ...]


class LiveState:
    """The state this process serves, with its generation."""

    def __init__(self, state: MockState, generation: int = 1) -> None:
        self._current = (state, generation)
        self.state = state  # the request path's read: an attribute, not a call (swap sets both)
        self.error: str | None = None  # why this process could not take the published generation

    def current(self) -> MockState:
        """The state to serve this request with."""
        return self._current[0]

    @property
    def generation(self) -> int:
        return self._current[1]

    def swap(self, state: MockState, generation: int) -> None:
        self._current = (state, generation)  # one assignment: readers see the old or the new pair
        self.state = state


def stamp_files(paths: Sequence[Path]) -> Stamp:
    """Modification time and size of each file (``None`` for a file that cannot be read)."""
    stamps: list[tuple[int, int] | None] = []
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            stamps.append(None)
        else:
            stamps.append((info.st_mtime_ns, info.st_size))
    return tuple(stamps)


class _Loop:
    """A daemon thread calling ``step`` every ``interval`` seconds until stopped."""

    def __init__(self, name: str, interval: float, step: Callable[[], None]) -> None:
        self._stop = threading.Event()
        self._name, self._interval, self._step = name, interval, step

    def start(self) -> None:
        # The thread is made where it starts: a worker forked from the process that made the
        # loop could not start one made before the fork (Python 3.13 marks it as finished).
        threading.Thread(target=self._run, args=(self._interval, self._step), name=self._name, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self, interval: float, step: Callable[[], None]) -> None:
        while not self._stop.wait(interval):
            step()


class Reloader:
    """Watch the files; check, load, swap and publish each new version (one process only)."""

    def __init__(
        self,
        *,
        live: LiveState,
        status: ReloadStatus,
        snapshots: Snapshots,
        check: Callable[[Files], str | None],
        load: Callable[[Files], MockState],
        interval: float,
        logger: logging.Logger,
        stamp: Stamp | None = None,
        quiet: float = QUIET,
    ) -> None:
        self.live, self.status, self.snapshots = live, status, snapshots
        self._quiet = quiet
        self._check, self._load, self._logger = check, load, logger
        self._paths = tuple(source for source, _ in snapshots.sources)
        self._stamp = stamp_files(self._paths) if stamp is None else stamp
        self._loop = _Loop("mockserver-reloader", interval, self.step)

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def step(self) -> None:
        """Reload if the files changed since the last attempt."""
        stamp = stamp_files(self._paths)
        if stamp == self._stamp:
            return
        time.sleep(self._quiet)
        if stamp_files(self._paths) != stamp:
            return  # still being saved: the next step reads it
        generation = self.live.generation + 1
        try:
            files = self.snapshots.take(generation)
            if stamp_files(self._paths) != stamp:
                return  # saved again while copied: the next step takes the newer version
            problem = self._check(files)
            if problem is None:
                state = self._load(files)
        except NotAFile as exc:  # a named pipe, a device or a folder where the file was
            problem = str(exc)
        except Exception as exc:  # out of memory included: the server must go on
            problem = f"{type(exc).__name__}: {exc}"
        self._stamp = stamp
        if problem is not None:
            self.status.publish(generation=self.live.generation, error=problem)
            self._logger.error("reload failed, still serving generation %d: %s", self.live.generation, problem)
            return
        self.live.swap(state, generation)
        release_free_memory()  # what loading left behind in this thread's arena
        self.status.publish(generation=generation, error=None)
        self.snapshots.prune(keep_from=generation)
        self._logger.info("reloaded %s (generation %d)", ", ".join(map(str, self._paths)), generation)


class Follower:
    """Take each generation the reloader publishes (in a worker process)."""

    def __init__(
        self,
        *,
        live: LiveState,
        status: ReloadStatus,
        snapshots: Snapshots,
        load: Callable[[Files], MockState],
        logger: logging.Logger,
        interval: float = FOLLOW_INTERVAL,
    ) -> None:
        self.live, self.status, self.snapshots = live, status, snapshots
        self._load, self._logger = load, logger
        self._failed = 0
        self._loop = _Loop("mockserver-follower", interval, self.step)

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def step(self) -> None:
        generation = self.status.generation
        if generation == self.live.generation or generation == self._failed:
            return
        started = time.perf_counter()
        try:
            state = self._load(self.snapshots.files(generation))
        except Exception as exc:  # keep serving what this process has
            self._failed = generation
            self.live.error = f"this worker could not take generation {generation}: {type(exc).__name__}: {exc}"
            self._logger.error("%s", self.live.error)
            return
        self.live.swap(state, generation)
        self.live.error = None
        release_free_memory()  # what loading left behind in this thread's arena
        self._logger.debug("took generation %d in %.0f ms", generation, (time.perf_counter() - started) * 1000)
