"""A bounded log of recent requests, for ``GET /__admin/requests``.

Entries are plain dicts with secrets already redacted. The journal is a ring of
``limit`` fixed-size slots in an anonymous shared memory map, guarded by a
multiprocessing lock: server workers forked after it is made all write into the same
ring, so the admin endpoint shows every worker's requests, and memory stays flat however
long the mock runs (the oldest entries are overwritten).
"""

from __future__ import annotations

import json
import mmap
import multiprocessing
import struct
from typing import Any

__all__ = ["Journal"]

_HEADER = struct.Struct("<QQ")  # next sequence number, sequence number of the first kept entry
_LENGTH = struct.Struct("<I")


class Journal:
    """Process-shared ring buffer of request records, oldest first."""

    def __init__(self, limit: int = 500, *, slot_size: int = 2048) -> None:
        self.limit = limit
        self.slot_size = slot_size
        self._memory = mmap.mmap(-1, _HEADER.size + limit * slot_size)
        self._lock = multiprocessing.Lock()
        _HEADER.pack_into(self._memory, 0, 1, 1)

    def _encode(self, seq: int, entry: dict[str, Any]) -> bytes:
        data = json.dumps({"id": seq, **entry}, separators=(",", ":"), default=str).encode()
        room = self.slot_size - _LENGTH.size
        if len(data) > room:  # keep the record valid JSON: drop the bulky parts, say so
            slim = {k: v for k, v in entry.items() if k not in ("query", "credentials")}
            slim["path"] = str(slim.get("path", ""))[:256]
            data = json.dumps({"id": seq, **slim, "truncated": True}, separators=(",", ":"), default=str).encode()
        return data[:room]

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            seq, first = _HEADER.unpack_from(self._memory, 0)
            data = self._encode(seq, entry)
            offset = _HEADER.size + (seq % self.limit) * self.slot_size
            _LENGTH.pack_into(self._memory, offset, len(data))
            self._memory[offset + _LENGTH.size : offset + _LENGTH.size + len(data)] = data
            _HEADER.pack_into(self._memory, 0, seq + 1, max(first, seq + 1 - self.limit))

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            seq, first = _HEADER.unpack_from(self._memory, 0)
            raw = []
            for number in range(first, seq):
                offset = _HEADER.size + (number % self.limit) * self.slot_size
                (length,) = _LENGTH.unpack_from(self._memory, offset)
                raw.append(self._memory[offset + _LENGTH.size : offset + _LENGTH.size + length])
        return [json.loads(item) for item in raw]

    def clear(self) -> int:
        """Forget every entry; return how many there were."""
        with self._lock:
            seq, first = _HEADER.unpack_from(self._memory, 0)
            _HEADER.pack_into(self._memory, 0, seq, seq)
            return int(seq - first)
