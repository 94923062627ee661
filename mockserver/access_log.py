"""One log line per request, made from the request journal by the main process.

Every request a worker answers is recorded in the request journal (:mod:`mockserver.journal`),
which lives in memory the main process shares with its workers. When the command line
serves, the main process reads each new entry of every worker from there every
``interval`` seconds and writes its line (:meth:`AccessLog.follow`), many lines per write,
through the configured handler's stream and under its lock, so a line never cuts into
another. A request thread writes no line of its own: the line costs a worker nothing
beyond the journal entry it records anyway. The exception is a request the journal cannot
keep whole (an entry of more than 2 KB: a query of thousands of characters), whose line its
worker writes at once through the logger, since its entry no longer holds what the line
shows. The line is the one the logging configuration would write (``2026-01-31 12:00:00,123 INFO mockserver: GET /organizations/org_1/usage?...
200 0.4ms key=idt_live_***``); a target of path and query is cut to about 200 characters
and its control characters are escaped, so a request cannot forge or colour a line.

Without a handler to write to (an app made by ``create_app`` in a test or embedded
elsewhere) each request's line goes through the ``mockserver`` logger at once, as any log
call does (:meth:`AccessLog.line`).

Nothing is lost on a normal exit: the main process writes what the journal still holds
once the workers have stopped (:meth:`AccessLog.stop`). A worker's ring holds its last
16,384 entries (fewer when they are large: 4 MB of them, at least 2,048 of the largest),
about a second of a worker answering 15,000 requests a second; entries overwritten before
the main process came by are counted, and the count is written in their place. A fork
waits for a write under way, so no worker starts with the stream's lock held.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any, TextIO

from mockserver.forks import around_fork

if TYPE_CHECKING:
    from mockserver.journal import Journal

__all__ = ["LINE_FORMAT", "AccessLog", "printable", "shown_target"]

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # the command line's, made here for request lines
_TARGET = 200  # characters of path and query a line shows
# The journal's fields a line is made of, in the order of a line's parts.
_LINE_FIELDS = ("method", "path", "query", "status", "durationMs", "credentials")


def printable(text: str, limit: int) -> str:
    """One line of at most about ``limit`` characters: control characters (and ``\\r``, ANSI escapes) escaped."""
    if len(text) <= limit and text.isprintable():
        return text
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    if len(shown) <= limit and len(text) <= limit:
        return shown
    return f"{shown[:limit]}... ({len(text):,} characters)"


def shown_target(path: str, query: str) -> str:
    """Path and query for a log line: control characters escaped, about 200 characters with the full length said."""
    return printable(path + ("?" + query if query else ""), _TARGET)


def shown_query(query: str | dict[str, list[str]]) -> str:
    """A query as the journal keeps it (its text, or its values, redacted), as a line shows it."""
    if isinstance(query, str):
        return query
    return "&".join(f"{name}={value}" for name, values in query.items() for value in values)


def shown_key(credentials: dict[str, str] | None) -> str:
    """`` key=idt_live_***`` for the redacted credentials a request sent, or nothing."""
    return " key=" + printable(",".join(credentials.values()), _TARGET) if credentials else ""


class AccessLog:
    """The request lines of one app: at once through its logger, or from its journal by the main process."""

    def __init__(self, logger: logging.Logger, *, interval: float = 0.01) -> None:
        self.logger = logger
        self.interval = interval
        self._handler: logging.StreamHandler[TextIO] | None = None
        self._journal: Journal | None = None
        self.from_journal = False  # whether the lines are made from the journal (then a request thread writes none)
        self._cursor: list[int] = []
        self._columns: tuple[int, ...] = ()
        self._reader: threading.Thread | None = None
        self._stopped = threading.Event()
        self._reading = threading.Lock()
        # Held by a write, and across a fork: a worker forked (or respawned) while the reader
        # writes would otherwise start with the stream's own lock held, and hang on its first line.
        self._writing = threading.Lock()
        around_fork(before=self._hold_writes, after_in_parent=self._release_writes, after_in_child=self._after_fork)

    def _hold_writes(self) -> None:
        self._writing.acquire()

    def _release_writes(self) -> None:
        self._writing.release()

    def _after_fork(self) -> None:
        # The reader stays in the main process; a forked worker only records journal entries.
        self._reader = None
        self._reading = threading.Lock()
        self._writing = threading.Lock()

    def write_to(self, handler: logging.Handler) -> bool:
        """Write the lines to ``handler``'s stream in batches, if it is a stream in :data:`LINE_FORMAT`."""
        formatter = handler.formatter
        if not isinstance(handler, logging.StreamHandler) or formatter is None or formatter._fmt != LINE_FORMAT:
            return False
        self._handler = handler
        return True

    def follow(self, journal: Journal) -> bool:
        """From now on, write a line for every entry ``journal`` records, in any process, from this one.

        Needs a handler (:meth:`write_to`) and the INFO level; returns whether it follows.
        """
        if self._handler is None or not self.logger.isEnabledFor(logging.INFO):
            return False
        missing = [name for name in _LINE_FIELDS if name not in journal.fields]
        if missing:
            raise ValueError(f"a journal without {', '.join(missing)} cannot give request lines")
        self._columns = tuple(journal.fields.index(name) + 1 for name in _LINE_FIELDS)
        self._cursor = journal.heads()  # what was recorded before has had its lines already
        self._journal = journal
        self.from_journal = True
        self._stopped.clear()
        self._reader = threading.Thread(target=self._run, name="mockserver-access-log", daemon=True)
        self._reader.start()
        return True

    def line(
        self,
        method: str,
        path: str,
        query: str | dict[str, list[str]],
        status: int,
        elapsed_ms: float,
        credentials: dict[str, str] | None,
    ) -> None:
        """One request's line through the logger, at once, from what its journal entry holds."""
        if self.logger.isEnabledFor(logging.INFO):
            target = shown_target(path, shown_query(query))
            self.logger.info("%s", _MESSAGE % (method, target, status, elapsed_ms, shown_key(credentials)))

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                self.flush()
            except Exception:  # a fault of the mock's own: say so, and go on with the next entries
                self.logger.exception("request lines could not be written")

    def stop(self) -> None:
        """Stop reading, after writing the lines of every entry recorded so far."""
        self._stopped.set()
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        self.flush()

    def flush(self) -> None:
        """Write the lines of every entry recorded since the last call."""
        handler, journal = self._handler, self._journal
        if handler is None or journal is None:
            return
        # The reader thread and a final flush never read the same entries twice, nor write out of order.
        with self._reading:
            rows, lost = journal.since(self._cursor)
            if not rows and not lost:
                return
            text = _lines(rows, self._columns, self.logger.name)
            if lost:
                text += (
                    _prefix(time.time())
                    + f" WARNING {self.logger.name}: {lost:,} request lines left out: the log could not keep up\n"
                )
            with self._writing:
                handler.acquire()
                try:
                    handler.stream.write(text)
                    handler.stream.flush()
                except (OSError, ValueError):  # a closed or full stream: the server goes on
                    pass
                finally:
                    handler.release()


_MESSAGE = "%s %s %d %.1fms%s"  # method, target, status, milliseconds, key


def _prefix(stamp: float) -> str:
    # logging's default asctime: local time, comma, milliseconds
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) + f",{int(stamp * 1000) % 1000:03d}"


def _lines(rows: list[tuple[Any, ...]], columns: tuple[int, ...], name: str) -> str:
    out = []
    second, head = -1, ""
    line = "%s,%03d INFO " + name.replace("%", "%%") + ": " + _MESSAGE + "\n"  # the prefix, then the message
    m, p, q, s, d, c = columns
    # Requests in a row often share a target or a key: each is shown again only when it changes.
    path = query = credentials = target = key = None
    for row in rows:
        stamp = row[0]
        if int(stamp) != second:
            second = int(stamp)
            head = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))
        if row[p] != path or row[q] != query:
            path, query = row[p], row[q]
            target = shown_target(path, shown_query(query))
        if row[c] != credentials:
            credentials = row[c]
            key = shown_key(credentials)
        out.append(line % (head, int(stamp * 1000) % 1000, row[m], target, row[s], row[d], key))
    return "".join(out)
