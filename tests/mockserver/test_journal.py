from __future__ import annotations

import os
import signal
import time

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


def test_oversized_entry_is_kept_readable() -> None:
    journal = Journal(2, slot_size=512)
    journal.record(_entry(200, path="/" + "x" * 5000, query={"q": ["y" * 5000]}))
    (entry,) = journal.entries()
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
