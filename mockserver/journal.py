"""A bounded log of recent requests, for ``GET /__admin/requests``.

The journal lives in an anonymous shared memory map made before the server forks its
workers, so every worker writes into it and any worker can read all of it. Each process
claims a segment of its own (a ring of ``limit`` fixed-size slots with its own lock), so
workers never wait for each other on the hot path; reading merges the segments by time and
keeps the newest ``limit`` entries. Memory stays flat however long the mock runs: old
entries are overwritten. Secrets must be redacted before :meth:`Journal.record`.

Entries are stored with :mod:`marshal` (the same interpreter writes and reads them), which
costs a fraction of JSON on the request path; they are turned into dicts when read.
"""

from __future__ import annotations

import marshal
import mmap
import multiprocessing
import os
import struct
import time
from typing import Any

__all__ = ["FIELDS", "Journal"]

FIELDS = ("method", "path", "query", "credentials", "status", "example", "operationId", "durationMs")
_SEGMENTS = 16
_TABLE = struct.Struct("<q")  # per segment: the PID that owns it, 0 when free
_HEAD = struct.Struct("<QQ")  # per segment: next sequence number, first kept sequence number
_LENGTH = struct.Struct("<I")


class Journal:
    """Process-shared, per-process-segmented ring buffer of request records."""

    def __init__(self, limit: int = 500, *, slot_size: int = 2048) -> None:
        self.limit = limit
        self.slot_size = slot_size
        self._segment_size = _HEAD.size + limit * slot_size
        self._table_size = _SEGMENTS * _TABLE.size
        self._memory = mmap.mmap(-1, self._table_size + _SEGMENTS * self._segment_size)
        self._claim = multiprocessing.Lock()
        self._locks = [multiprocessing.Lock() for _ in range(_SEGMENTS)]
        self._pid = -1
        self._segment = -1

    def _own_segment(self) -> int:
        pid = os.getpid()
        if self._pid == pid:
            return self._segment
        with self._claim:
            owners = [_TABLE.unpack_from(self._memory, i * _TABLE.size)[0] for i in range(_SEGMENTS)]
            if pid in owners:
                segment = owners.index(pid)
            elif 0 in owners:
                segment = owners.index(0)
                _HEAD.pack_into(self._memory, self._base(segment), 1, 1)
            else:
                # Take over the segment of a process that has exited (its entries stay), or,
                # with more live processes than segments, share one (its lock still guards it).
                dead = [i for i, owner in enumerate(owners) if not _alive(owner)]
                segment = dead[0] if dead else pid % _SEGMENTS
            _TABLE.pack_into(self._memory, segment * _TABLE.size, pid)
        self._pid, self._segment = pid, segment
        return segment

    def _base(self, segment: int) -> int:
        return self._table_size + segment * self._segment_size

    def record(self, entry: dict[str, Any]) -> None:
        """Keep one entry (the keys of ``FIELDS``); the oldest of this process falls off."""
        segment = self._own_segment()
        data = marshal.dumps((time.time(), *(entry.get(name) for name in FIELDS)))
        room = self.slot_size - _LENGTH.size
        if len(data) > room:  # keep the record readable: drop the bulky parts, say so
            slim = {**entry, "query": {"truncated": ["true"]}, "path": str(entry.get("path", ""))[:256]}
            data = marshal.dumps((time.time(), *(slim.get(name) for name in FIELDS)))[:room]
        base = self._base(segment)
        with self._locks[segment]:
            seq, first = _HEAD.unpack_from(self._memory, base)
            offset = base + _HEAD.size + (seq % self.limit) * self.slot_size
            _LENGTH.pack_into(self._memory, offset, len(data))
            self._memory[offset + _LENGTH.size : offset + _LENGTH.size + len(data)] = data
            _HEAD.pack_into(self._memory, base, seq + 1, max(first, seq + 1 - self.limit))

    def entries(self) -> list[dict[str, Any]]:
        """The newest ``limit`` entries of all processes, oldest first."""
        rows: list[tuple[Any, ...]] = []
        for segment in range(_SEGMENTS):
            base = self._base(segment)
            with self._locks[segment]:
                seq, first = _HEAD.unpack_from(self._memory, base)
                raw = []
                for number in range(first, seq):
                    offset = base + _HEAD.size + (number % self.limit) * self.slot_size
                    (length,) = _LENGTH.unpack_from(self._memory, offset)
                    raw.append(self._memory[offset + _LENGTH.size : offset + _LENGTH.size + length])
            for blob in raw:
                try:
                    rows.append(marshal.loads(blob))
                except (EOFError, ValueError, TypeError):
                    continue  # a record cut at the slot size: skip rather than fail the listing
        rows.sort(key=lambda row: row[0])
        rows = rows[-self.limit :]
        return [_as_dict(index, row) for index, row in enumerate(rows, start=1)]

    def clear(self) -> int:
        """Forget every entry; return how many there were."""
        cleared = 0
        for segment in range(_SEGMENTS):
            base = self._base(segment)
            with self._locks[segment]:
                seq, first = _HEAD.unpack_from(self._memory, base)
                if seq:
                    _HEAD.pack_into(self._memory, base, seq, seq)
                    cleared += seq - first
        return int(cleared)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _as_dict(index: int, row: tuple[Any, ...]) -> dict[str, Any]:
    stamp = time.gmtime(row[0])
    millis = int(row[0] * 1000) % 1000
    entry: dict[str, Any] = {
        "id": index,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", stamp) + f".{millis:03d}+00:00",
    }
    entry.update(zip(FIELDS, row[1:], strict=True))
    return entry
