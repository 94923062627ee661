"""Request lines: the same text logging would write, written in batches, nothing lost."""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.access_log import LINE_FORMAT, AccessLog, shown_target


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


def test_a_batched_line_is_the_line_logging_writes(logger: logging.Logger) -> None:
    handler, stream = _stream_handler()
    logger.addHandler(handler)
    log = AccessLog(logger, interval=60)
    assert log.write_to(handler)
    log.line("GET", "/organizations/org_1/usage", "startDate=1&endDate=2", 200, 0.4321, " key=idt_live_***")
    assert stream.getvalue() == ""  # not on the request's path
    log.flush()
    batched = stream.getvalue()
    stream.seek(0)
    stream.truncate()
    logger.info("GET /organizations/org_1/usage?startDate=1&endDate=2 200 0.4ms key=idt_live_***")
    direct = stream.getvalue()
    # The same text but the time: compare past the milliseconds, and the times to a second.
    assert batched[23:] == direct[23:]
    assert batched.endswith(
        "INFO test-access-log: GET /organizations/org_1/usage?startDate=1&endDate=2 200 0.4ms key=idt_live_***\n"
    )
    assert abs(time.mktime(time.strptime(batched[:19], "%Y-%m-%d %H:%M:%S")) - time.time()) < 5


def test_lines_are_written_in_order_by_the_background_thread(logger: logging.Logger) -> None:
    handler, stream = _stream_handler()
    log = AccessLog(logger, interval=0.01)
    log.write_to(handler)
    for number in range(500):
        log.line("GET", f"/n/{number}", "", 200, 0.1, "")
    deadline = time.monotonic() + 10
    while stream.getvalue().count("\n") < 500 and time.monotonic() < deadline:
        time.sleep(0.01)
    lines = stream.getvalue().splitlines()
    assert [line.split(" ")[5] for line in lines] == [f"/n/{number}" for number in range(500)]


@pytest.mark.parametrize(
    ("fmt", "stream_handler", "batched"),
    [(LINE_FORMAT, True, True), ("%(message)s", True, False), (LINE_FORMAT, False, False)],
    ids=["the command line's format", "another format", "not a stream"],
)
def test_only_a_stream_in_the_line_format_is_batched(fmt: str, stream_handler: bool, batched: bool) -> None:
    handler: logging.Handler = _stream_handler(fmt)[0] if stream_handler else logging.NullHandler()
    handler.setFormatter(logging.Formatter(fmt))
    assert AccessLog(logging.getLogger("x")).write_to(handler) is batched


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_without_a_stream_each_line_goes_through_the_logger(logger: logging.Logger) -> None:
    records = _Records()
    logger.addHandler(records)
    AccessLog(logger).line("POST", "/things", "", 201, 12.25, "")
    assert records.messages == ["POST /things 201 12.2ms"]


def test_below_info_nothing_is_queued(logger: logging.Logger) -> None:
    handler, stream = _stream_handler()
    logger.setLevel(logging.WARNING)
    log = AccessLog(logger, interval=60)
    log.write_to(handler)
    log.line("GET", "/x", "", 200, 0.1, "")
    log.flush()
    assert stream.getvalue() == ""


def test_a_log_that_cannot_keep_up_says_how_many_lines_it_left_out(logger: logging.Logger) -> None:
    handler, stream = _stream_handler()
    log = AccessLog(logger, interval=60, backlog=3)
    log.write_to(handler)
    for number in range(5):
        log.line("GET", f"/n/{number}", "", 200, 0.1, "")
    log.flush()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4
    assert lines[-1].endswith("WARNING test-access-log: 2 request lines left out: the log could not keep up")


def test_a_forked_worker_writes_its_own_lines_and_none_of_its_parents(logger: logging.Logger, tmp_path: Path) -> None:
    out = tmp_path / "log.txt"
    with out.open("w") as file:
        handler = logging.StreamHandler(file)
        handler.setFormatter(logging.Formatter(LINE_FORMAT))
        log = AccessLog(logger, interval=60)
        log.write_to(handler)
        log.line("GET", "/parent", "", 200, 0.1, "")
        pid = os.fork()
        if pid == 0:  # the child: one line, written at exit by multiprocessing's exit handlers
            try:
                log.line("GET", "/child", "", 200, 0.1, "")
                from multiprocessing import util

                util._exit_function()  # type: ignore[attr-defined]  # what a multiprocessing child runs at exit
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        log.flush()
    text = out.read_text()
    assert text.count("/parent") == 1
    assert text.count("/child") == 1


@pytest.mark.parametrize(
    ("path", "query", "shown"),
    [
        ("/a", "", "/a"),
        ("/a", "b=1", "/a?b=1"),
        ("/a", "q=" + "x" * 300, "/a?q=" + "x" * 195 + "... (305 characters)"),
    ],
)
def test_shown_target_cuts_long_targets_saying_their_length(path: str, query: str, shown: str) -> None:
    assert shown_target(path, query) == shown


def test_a_queued_line_holds_the_cut_target_not_the_whole_query(logger: logging.Logger) -> None:
    handler, stream = _stream_handler()
    log = AccessLog(logger, interval=60)
    log.write_to(handler)
    log.line("GET", "/a", "q=" + "x" * 100_000, 200, 0.1, "")
    assert all(len(str(part)) < 300 for row in log._pending for part in row)
    log.flush()
    assert stream.getvalue().rstrip().endswith("... (100,005 characters) 200 0.1ms")
