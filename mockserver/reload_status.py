"""The reload generation and the last reload error, shared by every process of the server.

One process reloads (see :mod:`mockserver.reloading`); it publishes here which generation
of the files is current and why the newest version was refused, if it was. The memory is
an anonymous shared map made before the server forks its workers (like the journal's), so
every worker reads the same values: health answers alike whichever worker serves it.

There is a single writer, so no lock is needed: a sequence number that is odd while a write
is under way lets readers retry instead of reading half a message.
"""

from __future__ import annotations

import mmap
import struct
import time

__all__ = ["ReloadStatus"]

_HEAD = struct.Struct("<QQI")  # sequence, generation, error length in bytes (0: no error)
_ERROR_ROOM = 4096


class ReloadStatus:
    """Generation and last reload error, written by one process, read by all."""

    def __init__(self, generation: int = 1) -> None:
        self._memory = mmap.mmap(-1, _HEAD.size + _ERROR_ROOM)
        _HEAD.pack_into(self._memory, 0, 0, generation, 0)

    def publish(self, *, generation: int, error: str | None) -> None:
        """Make ``generation`` current and ``error`` (``None``: none) the last reload error."""
        data = (error or "").encode("utf-8", "replace")[:_ERROR_ROOM]
        sequence = _HEAD.unpack_from(self._memory, 0)[0]
        _HEAD.pack_into(self._memory, 0, sequence + 1, generation, 0)  # odd: writing
        self._memory[_HEAD.size : _HEAD.size + len(data)] = data
        _HEAD.pack_into(self._memory, 0, sequence + 2, generation, len(data))

    def read(self) -> tuple[int, str | None]:
        """The current generation and the last reload error (``None`` when the last reload worked)."""
        while True:
            sequence, generation, length = _HEAD.unpack_from(self._memory, 0)
            data = self._memory[_HEAD.size : _HEAD.size + length]
            if sequence % 2 == 0 and _HEAD.unpack_from(self._memory, 0)[0] == sequence:
                return int(generation), data.decode("utf-8", "replace") or None
            time.sleep(0.0001)

    @property
    def generation(self) -> int:
        return self.read()[0]
