from __future__ import annotations

import os
import signal
import time

import pytest

from mockserver.journal import SEGMENTS, Journal


def _entry(status: int, **extra: object) -> dict[str, object]:
    return {"method": "GET", "path": "/x", "query": {}, "credentials": {}, "status": status, **extra}


def test_keeps_the_newest_entries_in_order() -> None:
    journal = Journal(3)
    for status in range(5):
        journal.record(_entry(status))
    entries = journal.entries()
    assert [e["status"] for e in entries] == [2, 3, 4]
    assert [e["id"] for e in entries] == [1, 2, 3]
    assert entries[0]["time"].endswith("+00:00")


def test_clear_counts_and_empties() -> None:
    journal = Journal(10)
    journal.record(_entry(1))
    journal.record(_entry(2))
    assert journal.clear() == 2
    assert journal.entries() == []


def test_forked_workers_share_one_journal() -> None:
    journal = Journal(10)
    journal.record(_entry(200))
    children = []
    for status in (201, 202):
        pid = os.fork()
        if pid == 0:  # a worker process, as Granian forks them
            journal.record(_entry(status, method="POST"))
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    assert sorted(e["status"] for e in journal.entries()) == [200, 201, 202]


def test_oversized_entry_is_kept_readable_and_said_not_whole() -> None:
    journal = Journal(2, entry_size=512)
    cursor = journal.heads()
    big = _entry(200, path="/" + "x" * 5000, query={"q": ["y" * 5000]})
    assert journal.write((time.time(), *(big.get(name) for name in journal.fields))) is False
    assert journal.write((time.time(), *(_entry(201).get(name) for name in journal.fields))) is True
    assert [row[5] for row in journal.since(cursor)[0]] == [201]  # not for a reader of every entry
    entry = journal.entries()[0]
    assert entry["query"] == {"truncated": ["true"]}
    assert len(entry["path"]) == 256


def test_a_worker_killed_while_writing_blocks_nobody_and_its_segment_is_reused() -> None:
    journal = Journal(50)
    pid = os.fork()
    if pid == 0:  # a worker writing as fast as it can until it is killed
        while True:
            journal.record(_entry(200))
    time.sleep(0.3)
    dead_segment = next(i for i in range(SEGMENTS) if _owner(journal, i) == pid)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    started = time.monotonic()
    entries = journal.entries()
    assert time.monotonic() - started < 1  # no lock left held by the dead writer
    assert 40 <= len(entries) <= 50
    assert {e["status"] for e in entries} == {200}
    replacement = os.fork()
    if replacement == 0:  # the worker that takes its place
        journal.record(_entry(201))
        os._exit(0 if _owner(journal, dead_segment) == os.getpid() else 1)
    assert os.waitstatus_to_exitcode(os.waitpid(replacement, 0)[1]) == 0
    assert journal.entries()[-1]["status"] == 201


def _owner(journal: Journal, segment: int) -> int:
    return int.from_bytes(journal._memory[8 + segment * 8 : 16 + segment * 8], "little", signed=True)


@pytest.mark.parametrize("sizes", [[10] * 30, [10, 400, 30, 590, 5, 300] * 8, list(range(0, 600, 17))])
def test_entries_of_any_size_are_whole_after_the_ring_wraps_and_stay_in_their_segment(sizes: list[int]) -> None:
    journal = Journal(4, entry_size=700)  # a byte ring of 2,800 bytes: laps every few entries
    journal.record(_entry(200))  # this process's segment first: the worker's is the next one
    pid = os.fork()
    if pid == 0:  # a worker with two entries in the segment after this process's
        journal.record(_entry(999))
        journal.record(_entry(999))
        os._exit(0)
    os.waitpid(pid, 0)
    paths = []
    for size in sizes:
        paths.append("/" + "x" * size)
        journal.record(_entry(200, path=paths[-1]))
        if len(paths) >= 4:  # the newest four are this process's
            assert [e["path"] for e in journal.entries()] == paths[-4:]
    rows, _ = journal.since([0] * SEGMENTS)
    assert [row[5] for row in rows if row[5] == 999] == [999, 999]  # the neighbour's entries untouched


def test_since_gives_each_entry_once() -> None:
    journal = Journal(10)
    cursor = journal.heads()
    for status in (1, 2, 3):
        journal.record(_entry(status))
    rows, lost = journal.since(cursor)
    assert ([row[5] for row in rows], lost) == ([1, 2, 3], 0)
    journal.record(_entry(4))
    rows, lost = journal.since(cursor)
    assert ([row[5] for row in rows], lost) == ([4], 0)
    assert journal.since(cursor) == ([], 0)


@pytest.mark.parametrize(
    ("journal", "kept"),
    [
        (Journal(3), 3),  # the index laps: three entries are kept
        (Journal(2, capacity=100, entry_size=200), None),  # the bytes lap first: what fits in 400 bytes
    ],
    ids=["index", "bytes"],
)
def test_since_counts_the_entries_overwritten_before_it_came_by(journal: Journal, kept: int | None) -> None:
    cursor = journal.heads()
    for status in range(20):
        journal.record(_entry(status, path="/" + "p" * 60))
    rows, lost = journal.since(cursor)
    statuses = [row[5] for row in rows]
    assert statuses == list(range(20 - len(statuses), 20))  # the newest, whole and in order
    assert len(rows) + lost == 20
    assert len(rows) == kept if kept is not None else 1 < len(rows) < 6
    assert [e["status"] for e in journal.entries()] == statuses[-journal.limit :]


def _three_entries() -> tuple[Journal, list[int], int]:
    """A journal with three entries (statuses 1, 2, 3) of this process, a cursor before them, and their segment."""
    journal = Journal(5)
    cursor = journal.heads()
    for status in (1, 2, 3):
        journal.record(_entry(status))
    return journal, cursor, next(i for i in range(SEGMENTS) if _owner(journal, i) == os.getpid())


@pytest.mark.parametrize("taken", ["index slot", "bytes"])
def test_an_entry_a_later_write_reached_while_it_was_read_is_skipped(taken: str) -> None:
    """What a writer lapping a reader in the middle of a read leaves: the entry is skipped, not misread."""
    journal, cursor, segment = _three_entries()
    word = journal._base(segment) // 8  # the head, the reserve, then index slots of three words
    if taken == "index slot":  # entry 1's slot now holds a later entry's version
        journal._words[word + 2 + 1 * 3] = 2 * 7 + 2
        expected = [1, 3]
    else:  # a write has reserved the bytes a lap past every entry
        journal._words[word + 1] = journal.ring_bytes * 3
        expected = []
    rows, lost = journal.since(cursor)
    assert ([row[5] for row in rows], lost) == (expected, 3 - len(expected))
    assert [e["status"] for e in journal.entries()] == expected


def test_a_reader_racing_a_writer_that_laps_it_gets_each_entry_once_or_counts_it_lost() -> None:
    journal = Journal(4, capacity=8, entry_size=256)  # small rings: the writer laps the reader all the time
    cursor = journal.heads()
    written = 100_000
    pid = os.fork()
    if pid == 0:  # a worker writing as fast as it can
        try:
            for number in range(written):
                journal.record(_entry(number, path="/" + "p" * (number % 97)))
        finally:
            os._exit(0)
    seen: list[int] = []
    lost = 0
    while True:
        done = os.waitpid(pid, os.WNOHANG)[0] != 0
        rows, missed = journal.since(cursor)
        lost += missed
        for row in rows:
            assert row[2] == "/" + "p" * (row[5] % 97)  # whole: its path is its own
        seen.extend(row[5] for row in rows)
        if done:
            break
    assert seen == sorted(set(seen))  # in order, none twice
    assert len(seen) + lost == written
    assert seen


class _RewrittenWhileCopied:
    """The journal's memory, with a later entry taking the first copied entry's index slot meanwhile."""

    def __init__(self, journal: Journal, segment: int) -> None:
        self.memory, self.words = journal._memory, journal._words
        self.ring = journal._base(segment) + journal._data
        self.slot = journal._base(segment) // 8 + 2  # entry 0's index slot (after the head and the reserve)
        self.copies = 0

    def __getitem__(self, key: slice) -> bytes:
        data: bytes = self.memory[key]
        if isinstance(key, slice) and key.start >= self.ring:
            self.copies += 1
            if self.copies == 1:  # a writer lapping the reader rewrites the slot right after the copy
                self.words[self.slot] = 2 * 99 + 1
        return data


@pytest.mark.parametrize("reader", ["since", "the listing's read"])
def test_an_entry_whose_slot_is_rewritten_while_it_is_copied_is_skipped(reader: str) -> None:
    journal, cursor, segment = _three_entries()
    journal._memory = _RewrittenWhileCopied(journal, segment)  # type: ignore[assignment]
    if reader == "since":
        rows, lost = journal.since(cursor)
        assert ([row[5] for row in rows], lost) == ([2, 3], 1)
    else:  # what entries() calls per segment
        found = journal._run(journal._base(segment), 0, 2)
        assert found[0] is None
        assert found[1] is not None
