"""Memory a load freed goes back to the system (glibc), so reloaded workers do not keep it."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from mockserver import memory


def _anonymous_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon in /proc/self/status")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_what_a_load_in_a_thread_freed_is_given_back() -> None:
    assert memory._MALLOC_TRIM is not None
    kept: list[bytes] = []

    def load() -> None:
        # 2 KB blocks come from the C allocator (Python's own takes 512 bytes at most); the
        # last one stays, so freeing the others leaves a hole no automatic trim returns.
        blocks = [bytes(2048) for _ in range(50_000)]
        kept.append(blocks[-1])
        del blocks

    thread = threading.Thread(target=load)
    thread.start()
    thread.join()
    before = _anonymous_mb()
    memory.release_free_memory()
    assert before - _anonymous_mb() > 50, before  # of about 100 MB freed
