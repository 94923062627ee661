"""A bounded log of recent requests, for ``GET /__admin/requests``.

The journal lives in an anonymous shared memory map made before the server forks its
workers, so every worker writes into it and any worker can read all of it. Each process
claims a segment of its own (a ring of ``limit`` fixed-size slots) and is its only writer,
so workers never wait for each other on the hot path, and no lock is shared between
processes: a worker killed in the middle of a write cannot leave one held. Readers check a
per-slot version (odd while a write is under way) and skip a slot that changes under them.
A process that takes the place of a dead worker takes over its segment (entries kept).
Reading merges the segments by time and keeps the newest ``limit`` entries. Memory stays
flat however long the mock runs: old entries are overwritten. Secrets must be redacted
before :meth:`Journal.record`.

Entries are stored with :mod:`marshal` (the same interpreter writes and reads them), which
costs a fraction of JSON on the request path; they are turned into dicts when read. The
fields default to a request's (:data:`FIELDS`); the proxy keeps a second journal, of
contract violations, with fields of its own. A field may be stored in a cheaper form and
expanded when read (``expand``): the request journal (:func:`request_journal`) keeps a
query as its text unless a key may travel in it, and parses it when read, as the request
was parsed; and it rounds a duration when read.
"""

from __future__ import annotations

import marshal
import mmap
import multiprocessing
import os
import struct
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from mockserver.core.wire import parse_query
from mockserver.forks import reset_in_child

__all__ = ["FIELDS", "SEGMENTS", "Journal", "request_journal"]

FIELDS = ("method", "path", "query", "credentials", "status", "example", "operationId", "durationMs")
SEGMENTS = 65  # one per worker the command line allows (64), and one to spare
_CLEARED = struct.Struct("<d")  # entries recorded before this time were cleared
_TABLE = struct.Struct("<q")  # per segment: the PID that owns it, 0 when free
_HEAD = struct.Struct("<Q")  # per segment: next sequence number
_SLOT = struct.Struct("<QI")  # per slot: version (2 * sequence + 2 when written, odd while writing), length
_MARSHAL_VERSION = 2  # no back-references: a row's values are small and seldom repeated, and it writes faster


class Journal:
    """Process-shared ring buffer of request records, one segment (and one writer) per process."""

    def __init__(
        self,
        limit: int = 500,
        *,
        slot_size: int = 2048,
        fields: tuple[str, ...] = FIELDS,
        expand: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> None:
        self.limit = limit
        self.slot_size = slot_size
        self.fields = fields
        # field -> what turns its stored value into the one read (a field stored in a cheaper form)
        self.expand = [(fields.index(name) + 1, read) for name, read in (expand or {}).items()]
        self._segment_size = _HEAD.size + limit * slot_size
        self._table_size = _CLEARED.size + SEGMENTS * _TABLE.size
        self._memory = mmap.mmap(-1, self._table_size + SEGMENTS * self._segment_size)
        self._claim = multiprocessing.Lock()
        self._writing = threading.Lock()
        self._pid = -1
        self._segment = -1
        self._owned = -1  # where this process's segment starts, once it has one
        self._sequence = 0  # the next sequence number of this process's segment
        reset_in_child(self._after_fork)

    def _after_fork(self) -> None:
        # A thread of the parent may have held the lock at the fork; the child starts afresh.
        self._writing = threading.Lock()
        self._pid = self._segment = -1

    def _own_segment(self) -> int:
        if self._segment >= 0:  # reset in a forked child (_after_fork)
            return self._segment
        pid = os.getpid()
        # Held for microseconds, once per process; a claimer killed meanwhile only costs a wait.
        claimed = self._claim.acquire(timeout=1)
        try:
            owners = [_TABLE.unpack_from(self._memory, _CLEARED.size + i * _TABLE.size)[0] for i in range(SEGMENTS)]
            if pid in owners:
                segment = owners.index(pid)
            else:
                # Take over the segment of a process that has exited (its entries stay), else a free one.
                dead = [i for i, owner in enumerate(owners) if owner and not _alive(owner)]
                segment = dead[0] if dead else owners.index(0) if 0 in owners else pid % SEGMENTS
            _TABLE.pack_into(self._memory, _CLEARED.size + segment * _TABLE.size, pid)
        finally:
            if claimed:
                self._claim.release()
        self._pid, self._segment = pid, segment
        self._owned = self._base(segment)
        (self._sequence,) = _HEAD.unpack_from(self._memory, self._owned)  # a segment taken over goes on
        return segment

    def _base(self, segment: int) -> int:
        return self._table_size + segment * self._segment_size

    def record(self, entry: dict[str, Any]) -> None:
        """Keep one entry (the keys of ``FIELDS``); the oldest of this process falls off."""
        self.record_row(*(entry.get(name) for name in self.fields))

    def record_row(self, *values: Any) -> None:
        """Keep one entry given as the values of ``fields``, in order, stamped now."""
        self.write((time.time(), *values))

    def write(self, row: tuple[Any, ...]) -> None:
        """Keep one entry given as its time (``time.time()``) and the values of ``fields`` (the request path's way)."""
        data = marshal.dumps(row, _MARSHAL_VERSION)
        room = self.slot_size - _SLOT.size
        if len(data) > room:  # keep the record readable: drop the bulky parts, say so
            slim = dict(zip(self.fields, row[1:], strict=True))
            slim.update(query={"truncated": ["true"]}, path=str(slim.get("path", ""))[:256])
            data = marshal.dumps((row[0], *(slim.get(name) for name in self.fields)), _MARSHAL_VERSION)[:room]
        memory = self._memory
        with self._writing:
            if self._segment < 0:
                self._own_segment()
            base = self._owned
            sequence = self._sequence  # this process is its segment's only writer
            offset = base + _HEAD.size + (sequence % self.limit) * self.slot_size
            _SLOT.pack_into(memory, offset, 2 * sequence + 1, 0)
            start = offset + _SLOT.size
            memory[start : start + len(data)] = data
            _SLOT.pack_into(memory, offset, 2 * sequence + 2, len(data))
            self._sequence = sequence + 1
            _HEAD.pack_into(memory, base, sequence + 1)

    def entries(self) -> list[dict[str, Any]]:
        """The newest ``limit`` entries of all processes, oldest first."""
        (cleared,) = _CLEARED.unpack_from(self._memory, 0)
        rows: list[tuple[Any, ...]] = []
        for segment in range(SEGMENTS):
            base = self._base(segment)
            (sequence,) = _HEAD.unpack_from(self._memory, base)
            for number in range(max(0, sequence - self.limit), sequence):
                blob = self._read_slot(base + _HEAD.size + (number % self.limit) * self.slot_size, number)
                if blob is None:
                    continue  # being rewritten right now
                try:
                    # Written by this server's own processes into memory only they share.
                    row = marshal.loads(blob)  # noqa: S302
                except (EOFError, ValueError, TypeError):
                    continue  # a record cut at the slot size: skip rather than fail the listing
                if row[0] >= cleared:
                    rows.append(row)
        rows.sort(key=lambda row: row[0])
        rows = rows[-self.limit :]
        if self.expand:
            rows = [self._expanded(row) for row in rows]
        return [_as_dict(index, row, self.fields) for index, row in enumerate(rows, start=1)]

    def _expanded(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for index, read in self.expand:
            values[index] = read(values[index])
        return tuple(values)

    def _read_slot(self, offset: int, number: int) -> bytes | None:
        version, length = _SLOT.unpack_from(self._memory, offset)
        if version != 2 * number + 2:
            return None
        blob = self._memory[offset + _SLOT.size : offset + _SLOT.size + length]
        return blob if _SLOT.unpack_from(self._memory, offset)[0] == version else None

    def clear(self) -> int:
        """Forget every entry; return how many there were."""
        count = len(self.entries())
        _CLEARED.pack_into(self._memory, 0, time.time())
        return count


def request_journal(limit: int = 500) -> Journal:
    """The journal of the requests a mock serves.

    A query given as its text (``str``) is parsed when read, and a duration is rounded to
    the microsecond when read: the request path stores both as it has them.
    """
    return Journal(limit, expand={"query": _query, "durationMs": _milliseconds})


def _query(stored: Any) -> Any:
    # The text the request's query was parsed from, so parsing it again gives the same values.
    return parse_query(stored) if isinstance(stored, str) else stored


def _milliseconds(stored: Any) -> Any:
    return round(stored, 3) if isinstance(stored, float) else stored


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_a_zombie(pid)


def _not_a_zombie(pid: int) -> bool:
    # A worker that died but that its parent has not reaped yet still answers kill(0).
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _as_dict(index: int, row: tuple[Any, ...], fields: tuple[str, ...]) -> dict[str, Any]:
    stamp = time.gmtime(row[0])
    millis = int(row[0] * 1000) % 1000
    entry: dict[str, Any] = {
        "id": index,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", stamp) + f".{millis:03d}+00:00",
    }
    entry.update(zip(fields, row[1:], strict=True))
    return entry
