"""Copies of the mock's files, one folder per generation.

A reload checks, and every worker then loads, a copy taken once: the very bytes the check
passed, even if the user saves the file again meanwhile. Each copy holds at most its file's
size limit plus one byte, so an oversized file is refused by the loader without being
copied whole. The folder lives under the system's temporary directory and is removed when
the process that made it exits. Only regular files are copied: a named pipe (which blocks
its reader until a writer comes), a device or a folder in a file's place is refused
(:class:`NotAFile`), opened without waiting. While the server lives, its processes hold a lock on a file
in the folder; a server killed before it could remove its folder (``SIGKILL``, the OOM
killer) leaves the folder unlocked, and the next server this user starts removes it.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # no flock: folders of killed servers stay where they are
    fcntl = None  # type: ignore[assignment]

__all__ = ["NotAFile", "Snapshots", "remove_abandoned"]

_CHUNK = 1024 * 1024
_PREFIX = "mockserver-snapshots-"
_OWNER = ".owner"  # locked by the server's processes for as long as one of them lives


class NotAFile(OSError):
    """A source that is not a regular file: a named pipe, a device or a folder."""


class Snapshots:
    """Take, find and prune copies of ``sources`` (each a path and its size limit)."""

    def __init__(self, sources: Sequence[tuple[Path, int]]) -> None:
        self.sources = tuple(sources)
        remove_abandoned(Path(tempfile.gettempdir()))
        self.root = Path(tempfile.mkdtemp(prefix=_PREFIX))
        lock = _hold(self.root)  # forked workers share it: the folder is theirs too
        # At exit, or once nothing uses these copies (an app made and dropped in a test).
        self._finalizer = weakref.finalize(self, _remove, self.root, os.getpid(), lock)

    def remove(self) -> None:
        """Remove every copy (forked workers inherit the exit handler: only the maker removes)."""
        self._finalizer()

    def files(self, generation: int) -> tuple[Path, ...]:
        """Where the copies of ``generation`` are (a file that could not be read has none)."""
        folder = self.root / str(generation)
        return tuple(folder / str(index) for index in range(len(self.sources)))

    def take(self, generation: int) -> tuple[Path, ...]:
        """Copy every source for ``generation`` (replacing an earlier attempt)."""
        folder = self.root / str(generation)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        for (source, limit), target in zip(self.sources, self.files(generation), strict=True):
            try:
                _copy(source, target, limit + 1)
            except NotAFile:
                raise
            except OSError:
                target.unlink(missing_ok=True)  # the loader reports the unreadable file by its name
        return self.files(generation)

    def prune(self, *, keep_from: int) -> None:
        """Remove the copies of generations before ``keep_from``."""
        for folder in self.root.iterdir():
            if folder.name.isdigit() and int(folder.name) < keep_from:
                shutil.rmtree(folder, ignore_errors=True)


def _remove(root: Path, maker: int, lock: IO[bytes] | None) -> None:
    if os.getpid() == maker:
        shutil.rmtree(root, ignore_errors=True)
    if lock is not None:
        lock.close()


def _hold(root: Path) -> IO[bytes] | None:
    """Lock the folder's owner file for this process and its children; ``None`` without flock."""
    if fcntl is None:
        return None
    # Locked before it takes its name: a folder whose owner file can be locked has no server.
    pending = root / (_OWNER + ".new")
    holder = pending.open("wb")
    try:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        pending.rename(root / _OWNER)
    except OSError:
        holder.close()
        return None
    return holder


def remove_abandoned(folder: Path) -> list[Path]:
    """Remove the copies in ``folder`` that no running server holds; return what was removed.

    Only this user's folders of this kit with an owner file are looked at; a folder is
    removed when its owner file can be locked, that is when every process of the server
    that made it has ended.
    """
    removed: list[Path] = []
    if fcntl is None:
        return removed
    try:
        found = list(folder.glob(_PREFIX + "*"))
    except OSError:
        return removed
    for copies in found:
        try:
            if copies.is_symlink() or copies.stat().st_uid != os.getuid():  # only this user's own folders
                continue
            with (copies / _OWNER).open("rb") as owner:
                fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by a running server: BlockingIOError
                shutil.rmtree(copies, ignore_errors=True)
        except OSError:
            continue
        removed.append(copies)
    return removed


def _copy(source: Path, target: Path, most: int) -> None:
    # Without O_NONBLOCK, opening a named pipe waits for a writer: the reloader's thread would wait forever.
    descriptor = os.open(source, os.O_RDONLY | os.O_NONBLOCK)
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = "a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode) else "a device"
        raise NotAFile(f"{source}: not a regular file but {kind}: nothing is read from it")
    os.set_blocking(descriptor, True)
    with open(descriptor, "rb") as reader:
        _copy_from(reader, target, most)


def _copy_from(reader: IO[bytes], target: Path, most: int) -> None:
    with target.open("wb") as writer:
        left = most
        while left > 0 and (chunk := reader.read(min(_CHUNK, left))):
            writer.write(chunk)
            left -= len(chunk)
