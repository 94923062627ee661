"""A bounded log of recent requests, for ``GET /__admin/requests``.

The journal lives in an anonymous shared memory map made before the server forks its
workers, so every worker writes into it and any worker can read all of it. Each process
claims a segment of its own and is its only writer, so workers never wait for each other
on the hot path, and no lock is shared between processes: a worker killed in the middle of
a write cannot leave one held. A segment is a ring of entries: an index of ``capacity``
slots (version, position, length) over a ring of bytes the entries are written into one
after another, each taking what it needs (at most ``entry_size``). The segment's counters
and the index are 8-byte words, each stored and loaded whole. A writer reserves the bytes
it is about to write before it writes them, marks the index slot it rewrites (an odd
version) before it changes it, and moves the segment's head once the entry is whole; a
reader copies an entry, then checks that its slot still holds the same version and that
no reservation has reached its bytes since, and skips it otherwise. A process that takes the place
of a dead worker takes over its segment (entries kept). Reading merges the segments by
time and keeps the newest ``limit`` entries. Memory stays flat however long the mock runs:
old entries are overwritten. Secrets must be redacted before :meth:`Journal.record`.

A ring may hold many more entries than the listing shows (``capacity``, ``ring_bytes``),
so that a reader that must see every entry once (:meth:`Journal.since`: the access log,
written by the main process from the request journal) has time to come by before a busy
worker laps it.

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
import operator
import os
import struct
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from mockserver.core.wire import parse_query
from mockserver.forks import reset_in_child

__all__ = ["FIELDS", "REQUEST_CAPACITY", "REQUEST_RING_BYTES", "SEGMENTS", "Journal", "request_journal"]

FIELDS = ("method", "path", "query", "credentials", "status", "example", "operationId", "durationMs")
SEGMENTS = 65  # one per worker the command line allows (64), and one to spare
# The request journal's ring per process: 16,384 entries in 4 MB (a plain request's entry
# takes about 200 bytes), about a second of a worker answering 15,000 requests a second,
# for the access log (which reads it every 10 ms) to come by. Pages are touched only as
# requests are recorded.
REQUEST_CAPACITY = 16_384
REQUEST_RING_BYTES = 4 << 20
_CLEARED = struct.Struct("<d")  # entries recorded before this time were cleared
_TABLE = struct.Struct("<q")  # per segment: the PID that owns it, 0 when free
# A segment, in 8-byte words (each stored and loaded whole, so a reader never sees half of
# one): its head (the next sequence number), how far into its byte ring (counted from the
# start) writes may reach, then per entry an index slot of three words (version: odd while
# it is rewritten, 2 * sequence + 2 once whole; position in the byte ring; length), then
# the byte ring.
_WORD = 8
_SLOT_WORDS = 3
_SLIM = 1 << 31  # in an entry's length: kept without its bulky parts
_SIZE = _SLIM - 1
# Version 4 writes a short ASCII text as it is (version 2 encodes every text to UTF-8 first):
# a third faster to write, on the request path, and a third slower to read, in the main process.
_MARSHAL_VERSION = 4


class Journal:
    """Process-shared ring buffer of request records, one segment (and one writer) per process."""

    def __init__(
        self,
        limit: int = 500,
        *,
        capacity: int = 0,
        entry_size: int = 2048,
        ring_bytes: int = 0,
        fields: tuple[str, ...] = FIELDS,
        expand: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> None:
        self.limit = limit
        self.capacity = max(limit, capacity, 1)  # entries a segment keeps; the listing shows the newest ``limit``
        self.entry_size = entry_size  # an entry's most bytes: a larger one is kept without its bulky parts
        # Room for ``limit`` entries of the most bytes, whatever else is asked.
        self.ring_bytes = -(-max(max(limit, 1) * entry_size, ring_bytes) // _WORD) * _WORD
        self.fields = fields
        # field -> what turns its stored value into the one read (a field stored in a cheaper form)
        self.expand = [(fields.index(name) + 1, read) for name, read in (expand or {}).items()]
        self._data = (2 + _SLOT_WORDS * self.capacity) * _WORD  # where a segment's byte ring starts, from its start
        self._segment_size = self._data + self.ring_bytes
        self._table_size = _CLEARED.size + SEGMENTS * _TABLE.size  # a multiple of 8: segments start on a word
        self._memory = mmap.mmap(-1, self._table_size + SEGMENTS * self._segment_size)
        self._words = memoryview(self._memory).cast("Q")
        self._claim = multiprocessing.Lock()
        self._writing = threading.Lock()
        self._pid = -1
        self._segment = -1
        self._word = -1  # the word where this process's segment starts, once it has one
        self._ring_start = -1  # and the byte where its ring starts
        self._sequence = 0  # the next sequence number of this process's segment
        self._position = 0  # where in its byte ring (counted from the start) the next entry goes
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
        base = self._base(segment)
        self._word, self._ring_start = base // _WORD, base + self._data
        # A segment taken over goes on after its last entry, and past what its writer reserved.
        word = self._word
        self._sequence, self._position = self._words[word], self._words[word + 1]
        return segment

    def _base(self, segment: int) -> int:
        return self._table_size + segment * self._segment_size

    def record(self, entry: dict[str, Any]) -> None:
        """Keep one entry (the keys of ``FIELDS``); the oldest of this process falls off."""
        self.record_row(*(entry.get(name) for name in self.fields))

    def record_row(self, *values: Any) -> None:
        """Keep one entry given as the values of ``fields``, in order, stamped now."""
        self.write((time.time(), *values))

    def write(self, row: tuple[Any, ...]) -> bool:
        """Keep one entry given as its time (``time.time()``) and the values of ``fields`` (the request path's way).

        Returns whether it was kept whole: one of more than ``entry_size`` bytes is kept
        without its bulky parts (the query, and the path past 256 characters), which
        :meth:`entries` lists and :meth:`since` leaves out.
        """
        data = _dumps(row, _MARSHAL_VERSION)
        length = len(data)
        if length > self.entry_size:  # keep the record readable: drop the bulky parts, say so
            slim = dict(zip(self.fields, row[1:], strict=True))
            slim.update(query={"truncated": ["true"]}, path=str(slim.get("path", ""))[:256])
            data = marshal.dumps((row[0], *(slim.get(name) for name in self.fields)), _MARSHAL_VERSION)
            data = data[: self.entry_size]  # unreadable if still too long: readers skip it
            length = len(data) | _SLIM
        memory, words, ring = self._memory, self._words, self.ring_bytes
        writing = self._writing
        writing.acquire()  # not `with`: its two method lookups and calls cost twice as much
        try:
            if self._segment < 0:
                self._own_segment()
            word = self._word
            sequence, position = self._sequence, self._position  # this process is its segment's only writer
            size = length & _SIZE
            start = position % ring
            if start + size > ring:  # an entry is never split: the ring's tail is left empty this lap
                position += ring - start
                start = 0
            words[word + 1] = position + size  # reserved before the bytes are written
            start += self._ring_start
            memory[start : start + size] = data
            slot = word + 2 + (sequence % self.capacity) * _SLOT_WORDS
            words[slot] = 2 * sequence + 1  # rewritten: a reader copying the entry it held drops its copy
            words[slot + 1] = position
            words[slot + 2] = length
            words[slot] = 2 * sequence + 2
            self._sequence, self._position = sequence + 1, position + size
            words[word] = sequence + 1  # the entry is whole
        finally:
            writing.release()
        return size == length

    def entries(self) -> list[dict[str, Any]]:
        """The newest ``limit`` entries of all processes, oldest first."""
        (cleared,) = _CLEARED.unpack_from(self._memory, 0)
        rows: list[tuple[Any, ...]] = []
        for segment in range(SEGMENTS):
            base = self._base(segment)
            sequence = self._words[base // _WORD]
            for found in self._run(base, max(0, sequence - self.limit), sequence):
                if found is None:
                    continue  # being rewritten right now
                try:
                    # Written by this server's own processes into memory only they share.
                    row = marshal.loads(found[0])  # noqa: S302
                except (EOFError, ValueError, TypeError):
                    continue  # a record cut at the slot size: skip rather than fail the listing
                if row[0] >= cleared:
                    rows.append(row)
        rows.sort(key=lambda row: row[0])
        rows = rows[-self.limit :]
        if self.expand:
            rows = [self._expanded(row) for row in rows]
        return [_as_dict(index, row, self.fields) for index, row in enumerate(rows, start=1)]

    def heads(self) -> list[int]:
        """Per segment, the sequence number of its next entry: a cursor for :meth:`since` past every entry so far."""
        return [self._words[self._base(segment) // _WORD] for segment in range(SEGMENTS)]

    def since(self, cursor: list[int]) -> tuple[list[tuple[Any, ...]], int]:
        """Every entry recorded since ``cursor`` (per segment, the next sequence number to read).

        Returns the rows as written (time first, values not expanded), oldest first, and how
        many entries were overwritten before they could be read; moves ``cursor`` past them.
        An entry :meth:`write` could not keep whole is left out: its writer knows (it said so).
        A segment's head moves only once its entry is written, so every slot before it is
        whole unless a later entry overwrites it. :meth:`clear` does not apply: a reader of
        every entry sees those a listing no longer shows too.
        """
        rows: list[tuple[Any, ...]] = []
        lost = 0
        words, capacity, width = self._words, self.capacity, len(self.fields) + 1
        for segment in range(SEGMENTS):
            base = self._base(segment)
            head = words[base // _WORD]
            number = cursor[segment]
            if number >= head:
                continue
            if head - number > capacity:  # lapped: the oldest of these are gone
                lost += head - capacity - number
                number = head - capacity
            for found in self._run(base, number, head):
                if found is None:
                    lost += 1  # a later entry took its place
                    continue
                blob, whole = found
                if not whole:  # one kept without its bulky parts is left out
                    continue
                try:
                    # Written by this server's own processes into memory only they share.
                    row = marshal.loads(blob)  # noqa: S302
                except (EOFError, ValueError, TypeError):  # cut at the most bytes
                    lost += 1
                    continue
                if type(row) is tuple and len(row) == width:
                    rows.append(row)
                else:
                    lost += 1
            cursor[segment] = head
        rows.sort(key=_time)
        return rows, lost

    def _expanded(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for index, read in self.expand:
            values[index] = read(values[index])
        return tuple(values)

    def _run(self, base: int, first: int, end: int) -> list[tuple[bytes, bool] | None]:
        """Entries ``first..end - 1`` of the segment at ``base``: each with whether it was kept whole, or None if a later one took its place."""
        words, memory, capacity, ring = self._words, self._memory, self.capacity, self.ring_bytes
        word = base // _WORD
        slots, data = word + 2, base + self._data
        found: list[tuple[bytes, bool] | None] = []
        for number in range(first, end):
            slot = slots + (number % capacity) * _SLOT_WORDS
            version = words[slot]
            if version != 2 * number + 2:
                found.append(None)
                continue
            position, length = words[slot + 1], words[slot + 2]
            start = data + position % ring
            blob = memory[start : start + (length & _SIZE)]
            # Whole if, since it was copied, its slot was not rewritten and no reservation reached its bytes.
            if words[slot] != version or words[word + 1] > position + ring:
                found.append(None)
            else:
                found.append((blob, not length & _SLIM))
        return found

    def clear(self) -> int:
        """Forget every entry; return how many there were."""
        count = len(self.entries())
        _CLEARED.pack_into(self._memory, 0, time.time())
        return count


def request_journal(limit: int = 500) -> Journal:
    """The journal of the requests a mock serves.

    A query given as its text (``str``) is parsed when read, and a duration is rounded to
    the microsecond when read: the request path stores both as it has them. Each process's
    ring holds :data:`REQUEST_CAPACITY` entries however few the listing shows: the access
    log reads every entry from it (:meth:`Journal.since`).
    """
    return Journal(
        limit,
        capacity=REQUEST_CAPACITY,
        ring_bytes=REQUEST_RING_BYTES,
        expand={"query": _query, "durationMs": _milliseconds},
    )


_dumps = marshal.dumps
_time = operator.itemgetter(0)  # a row's time, without a Python call per row


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
