from __future__ import annotations

import os

from mockserver.journal import Journal


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
