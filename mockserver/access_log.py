"""One log line per request, written off the request path.

A request hands its line's parts to :meth:`AccessLog.line` (a tuple appended to a deque,
a fraction of a microsecond); the text is made and written by a background thread of the
same process every ``interval`` seconds, many lines per write. The line is the one the
logging configuration would write (``2026-01-31 12:00:00,123 INFO mockserver: GET
/organizations/org_1/usage?... 200 0.4ms key=idt_live_...0001``), through the handler's
own stream and under its lock, so it never cuts into another line.

The command line sends the lines to the handler it configures (:meth:`AccessLog.write_to`).
Without one (an app made by ``create_app`` in a test or embedded elsewhere) each line goes
through the ``mockserver`` logger at once, as any log call does.

Nothing is lost on a normal exit: the pending lines are written when the process ends
(the main process and each forked worker alike). A process killed outright loses at most
the last ``interval`` of lines. A queued line holds the target already cut to about 200
characters, so the queue stays small whatever the requests carry; lines past ``backlog``
waiting ones (a stream that cannot keep up, about a second of a busy server's lines) are
counted and the count is written instead of them.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from multiprocessing import util
from typing import Any, TextIO

from mockserver.forks import reset_in_child

__all__ = ["LINE_FORMAT", "AccessLog", "shown_target"]

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # the command line's, made here for request lines
_TARGET = 200  # characters of path and query a line shows


def shown_target(path: str, query: str) -> str:
    """Path and query for a log line, cut to about 200 characters with the full length said."""
    target = path + ("?" + query if query else "")
    if len(target) <= _TARGET:
        return target
    return f"{target[:_TARGET]}... ({len(target):,} characters)"


class AccessLog:
    """The request lines of one app: queued by request threads, written by a background thread."""

    def __init__(self, logger: logging.Logger, *, interval: float = 0.05, backlog: int = 20_000) -> None:
        self.logger = logger
        self.interval = interval
        self.backlog = backlog
        self._pending: collections.deque[tuple[Any, ...]] = collections.deque()
        self._handler: logging.StreamHandler[TextIO] | None = None
        self._writer: threading.Thread | None = None
        self._wake = threading.Event()
        self._dropped = 0
        self._start_lock = threading.Lock()
        reset_in_child(self._after_fork)

    def _after_fork(self) -> None:
        # The writer thread stayed in the parent; the child starts one when it writes its first line.
        self._writer = None
        self._start_lock = threading.Lock()

    def write_to(self, handler: logging.Handler) -> bool:
        """Write the lines to ``handler``'s stream in batches, if it is a stream in :data:`LINE_FORMAT`."""
        formatter = handler.formatter
        if not isinstance(handler, logging.StreamHandler) or formatter is None or formatter._fmt != LINE_FORMAT:
            return False
        self._handler = handler
        return True

    def line(
        self, method: str, path: str, query: str, status: int, elapsed_ms: float, key: str, stamp: float | None = None
    ) -> None:
        """One request's line (``key``: the redacted credentials, or empty; ``stamp``: its ``time.time()``)."""
        if not self.logger.isEnabledFor(logging.INFO):
            return
        if self._handler is None:
            self.logger.info("%s", _message(method, shown_target(path, query), status, elapsed_ms, key))
            return
        if self._writer is None:  # none yet in this process (a forked worker starts without one)
            self._start()
        pending = self._pending
        if len(pending) >= self.backlog:
            self._dropped += 1
            return
        pending.append(
            (time.time() if stamp is None else stamp, method, shown_target(path, query), status, elapsed_ms, key)
        )

    def _start(self) -> None:
        with self._start_lock:
            if self._writer is not None:
                return
            # A forked worker starts with its parent's deque and no writer: what the parent
            # had queued is the parent's to write.
            self._pending = collections.deque()
            self._wake = threading.Event()
            writer = threading.Thread(target=self._run, name="mockserver-access-log", daemon=True)
            writer.start()
            # Written at exit, in the main process and in each worker (multiprocessing's exit
            # handlers run in forked children too, unlike atexit's).
            util.Finalize(self, self.flush, exitpriority=100)
            self._writer = writer

    def _run(self) -> None:
        while not self._wake.wait(self.interval):
            self.flush()

    def flush(self) -> None:
        """Write every pending line now."""
        handler = self._handler
        if handler is None:
            return
        rows = []
        pending = self._pending
        while pending:
            rows.append(pending.popleft())
        dropped, self._dropped = self._dropped, 0
        if not rows and not dropped:
            return
        text = _lines(rows, self.logger.name)
        if dropped:
            text += (
                _prefix(time.time())
                + f" WARNING {self.logger.name}: {dropped:,} request lines left out: the log could not keep up\n"
            )
        handler.acquire()
        try:
            handler.stream.write(text)
            handler.stream.flush()
        except (OSError, ValueError):  # a closed or full stream: the server goes on
            pass
        finally:
            handler.release()


_MESSAGE = "%s %s %d %.1fms%s"  # method, target, status, milliseconds, key


def _message(method: str, target: str, status: int, elapsed_ms: float, key: str) -> str:
    return _MESSAGE % (method, target, status, elapsed_ms, key)


def _prefix(stamp: float) -> str:
    # logging's default asctime: local time, comma, milliseconds
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) + f",{int(stamp * 1000) % 1000:03d}"


def _lines(rows: list[tuple[Any, ...]], name: str) -> str:
    out = []
    second, head = -1, ""
    line = "%s,%03d INFO " + name.replace("%", "%%") + ": " + _MESSAGE + "\n"  # the prefix, then _message
    for stamp, method, target, status, elapsed_ms, key in rows:
        if int(stamp) != second:
            second = int(stamp)
            head = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))
        out.append(line % (head, int(stamp * 1000) % 1000, method, target, status, elapsed_ms, key))
    return "".join(out)
