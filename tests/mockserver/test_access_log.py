"""Request lines: the text logging would write, made from the journal by one process, each once."""

from __future__ import annotations

import io
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from mockserver.access_log import LINE_FORMAT, AccessLog, shown_target
from mockserver.journal import FIELDS, Journal, request_journal

KEY = {"X-API-Key": "idt_live_***"}


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    named = logging.getLogger("test-access-log")
    named.setLevel(logging.INFO)
    named.propagate = False
    yield named
    named.handlers.clear()


def _stream_handler(fmt: str = LINE_FORMAT) -> tuple[logging.StreamHandler[io.StringIO], io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(fmt))
    return handler, stream


def _following(logger: logging.Logger, journal: Journal, interval: float = 60) -> tuple[AccessLog, io.StringIO]:
    handler, stream = _stream_handler()
    log = AccessLog(logger, interval=interval)
    assert log.write_to(handler)
    assert log.follow(journal)
    return log, stream


def _record(journal: Journal, path: str = "/x", **values: Any) -> None:
    entry = {"method": "GET", "path": path, "query": "", "credentials": {}, "status": 200, "durationMs": 0.1}
    journal.record({**entry, **values})


def test_a_line_made_from_the_journal_is_the_line_logging_writes(logger: logging.Logger) -> None:
    journal = request_journal()
    log, stream = _following(logger, journal)
    _record(journal, "/organizations/org_1/usage", query="startDate=1&endDate=2", credentials=KEY, durationMs=0.4321)
    assert stream.getvalue() == ""  # written by the reader, not by the request
    log.stop()
    from_journal = stream.getvalue()
    direct, direct_stream = _stream_handler()
    logger.addHandler(direct)
    logger.info("GET /organizations/org_1/usage?startDate=1&endDate=2 200 0.4ms key=idt_live_***")
    # The same text but the time: compare past the milliseconds, and the times to a second.
    assert from_journal[23:] == direct_stream.getvalue()[23:]
    assert from_journal.endswith(
        "INFO test-access-log: GET /organizations/org_1/usage?startDate=1&endDate=2 200 0.4ms key=idt_live_***\n"
    )
    assert abs(time.mktime(time.strptime(from_journal[:19], "%Y-%m-%d %H:%M:%S")) - time.time()) < 5


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "GET /x 200 0.1ms"),
        ({"query": "a=1&b=%20"}, "GET /x?a=1&b=%20 200 0.1ms"),
        ({"query": {"api_key": ["idt_live_***"], "a": ["1", "2"]}}, "GET /x?api_key=idt_live_***&a=1&a=2 200 0.1ms"),
        ({"credentials": {"X-API-Key": "idt_***", "token": "***"}}, "GET /x 200 0.1ms key=idt_***,***"),
        ({"path": "/a\nb\x1b[31m", "query": {"q": ["\r\n"]}}, "GET /a\\nb\\x1b[31m?q=\\r\\n 200 0.1ms"),
        ({"method": "DELETE", "status": 503, "durationMs": 1234.56}, "DELETE /x 503 1234.6ms"),
    ],
    ids=["plain", "query text", "query values", "keys", "control characters", "method, status, duration"],
)
def test_a_line_shows_what_the_entry_holds(logger: logging.Logger, values: dict[str, Any], message: str) -> None:
    journal = request_journal()
    log, stream = _following(logger, journal)
    _record(journal, **values)
    log.flush()
    (line,) = stream.getvalue().splitlines()
    assert line[23:] == " INFO test-access-log: " + message
    # The same entry through the logger at once (no handler to batch into): the same message.
    records = _Records()
    logger.addHandler(records)
    entry = {"method": "GET", "path": "/x", "query": "", "credentials": {}, "status": 200, "durationMs": 0.1, **values}
    AccessLog(logger).line(
        *(entry[name] for name in ("method", "path", "query", "status", "durationMs", "credentials"))
    )
    assert records.messages == [message]


def test_every_entry_of_every_worker_is_written_once_in_time_order(logger: logging.Logger) -> None:
    journal = request_journal()
    log, stream = _following(logger, journal)  # one batch, written by stop()
    _record(journal, "/main/0")
    children = []
    for worker in (1, 2):
        pid = os.fork()
        if pid == 0:  # a worker process, as Granian forks them: it records, the reader writes
            try:
                for number in range(300):
                    _record(journal, f"/w{worker}/{number}")
            finally:
                os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    log.stop()
    lines = stream.getvalue().splitlines()
    paths = [line.split(" ")[5] for line in lines]
    assert sorted(paths) == sorted(["/main/0"] + [f"/w{w}/{n}" for w in (1, 2) for n in range(300)])
    for worker in (1, 2):  # each worker's lines in the order it recorded them
        mine = [p for p in paths if p.startswith(f"/w{worker}/")]
        assert mine == [f"/w{worker}/{n}" for n in range(300)]
    stamps = [line[:23] for line in lines]
    assert stamps == sorted(stamps)  # a batch is merged by time


def test_what_was_recorded_before_following_is_not_written_again(logger: logging.Logger) -> None:
    journal = request_journal()
    _record(journal, "/before")
    log, stream = _following(logger, journal)
    _record(journal, "/after")
    log.flush()
    log.flush()
    assert [line.split(" ")[5] for line in stream.getvalue().splitlines()] == ["/after"]


def test_entries_overwritten_before_they_are_read_are_counted(logger: logging.Logger) -> None:
    journal = Journal(3)  # a ring of three entries
    log, stream = _following(logger, journal)
    for number in range(10):
        _record(journal, f"/n/{number}")
    log.flush()
    lines = stream.getvalue().splitlines()
    assert [line.split(" ")[5] for line in lines[:3]] == ["/n/7", "/n/8", "/n/9"]
    assert lines[3].endswith("WARNING test-access-log: 7 request lines left out: the log could not keep up")
    assert len(lines) == 4


def test_the_reader_writes_without_being_asked(logger: logging.Logger) -> None:
    journal = request_journal()
    log, stream = _following(logger, journal, interval=0.005)
    for number in range(50):
        _record(journal, f"/n/{number}")
    deadline = time.monotonic() + 10
    while stream.getvalue().count("\n") < 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    log.stop()
    assert [line.split(" ")[5] for line in stream.getvalue().splitlines()] == [f"/n/{n}" for n in range(50)]


def test_a_fork_waits_for_a_write_under_way(logger: logging.Logger) -> None:
    """A worker forked while the reader writes would start with the stream's lock held."""
    writing = threading.Event()

    class SlowStream(io.StringIO):
        def write(self, text: str) -> int:
            writing.set()
            time.sleep(0.3)
            return super().write(text)

    handler = logging.StreamHandler(SlowStream())
    handler.setFormatter(logging.Formatter(LINE_FORMAT))
    journal = request_journal()
    log = AccessLog(logger, interval=60)
    log.write_to(handler)
    log.follow(journal)
    _record(journal)
    writer = threading.Thread(target=log.flush)
    writer.start()
    assert writing.wait(10)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child can write at once
        os._exit(0 if log._writing.acquire(timeout=1) else 1)
    waited = time.monotonic() - started
    writer.join()
    log.stop()
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert waited >= 0.1  # the fork came after the write


@pytest.mark.parametrize(
    ("fmt", "stream_handler", "batched"),
    [(LINE_FORMAT, True, True), ("%(message)s", True, False), (LINE_FORMAT, False, False)],
    ids=["the command line's format", "another format", "not a stream"],
)
def test_only_a_stream_in_the_line_format_is_batched(
    logger: logging.Logger, fmt: str, stream_handler: bool, batched: bool
) -> None:
    handler: logging.Handler = _stream_handler(fmt)[0] if stream_handler else logging.NullHandler()
    handler.setFormatter(logging.Formatter(fmt))
    log = AccessLog(logger)
    assert log.write_to(handler) is batched
    assert log.follow(request_journal()) is batched
    assert log.from_journal is batched
    log.stop()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_below_info_nothing_is_followed(logger: logging.Logger) -> None:
    handler, stream = _stream_handler()
    logger.setLevel(logging.WARNING)
    log = AccessLog(logger)
    log.write_to(handler)
    journal = request_journal()
    assert not log.follow(journal)
    _record(journal)
    log.line("GET", "/x", "", 200, 0.1, None)
    log.stop()
    assert stream.getvalue() == ""


def test_a_journal_without_a_line_s_fields_is_refused(logger: logging.Logger) -> None:
    log = AccessLog(logger)
    log.write_to(_stream_handler()[0])
    with pytest.raises(ValueError, match="a journal without status, durationMs cannot give request lines"):
        log.follow(Journal(fields=tuple(name for name in FIELDS if name not in ("status", "durationMs"))))


@pytest.mark.parametrize(
    ("pad", "by_request"),
    [(0, False), (8000, True)],
    ids=["from the journal", "too long for the journal: by the request itself"],
)
def test_a_request_of_an_app_whose_log_follows_its_journal_is_written_once(
    make_app: Callable[..., Flask], logger: logging.Logger, pad: int, by_request: bool
) -> None:
    app = make_app()
    runtime = app.extensions["mockserver"]
    log, stream = _following(logger, runtime.journal)
    runtime.access_log = log
    records = _Records()
    logger.addHandler(records)
    target = "/organizations/org_1/usage?startDate=1&endDate=2" + ("&pad=" + "x" * pad if pad else "")
    app.test_client().get(target, headers={"X-API-Key": "k"})
    log.stop()
    (line,) = records.messages + [line.split(": ", 1)[1] for line in stream.getvalue().splitlines()]
    assert len(records.messages) == by_request
    shown = target[:200] + f"... ({len(target):,} characters)" if pad else target
    assert line.startswith(f"GET {shown} 401 ")


@pytest.mark.parametrize(
    ("path", "query", "shown"),
    [
        ("/a", "", "/a"),
        ("/a", "b=1", "/a?b=1"),
        ("/a", "q=" + "x" * 300, "/a?q=" + "x" * 195 + "... (305 characters)"),
        ("/a\n", "b=\x1b[2J", "/a\\n?b=\\x1b[2J"),
        ("/\u2028", "", "/\\u2028"),
    ],
    ids=["path", "query", "long", "control characters", "a line separator"],
)
def test_shown_target_cuts_long_targets_and_escapes_control_characters(path: str, query: str, shown: str) -> None:
    assert shown_target(path, query) == shown
