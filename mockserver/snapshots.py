"""Copies of the mock's files, one folder per generation.

A reload checks, and every worker then loads, a copy taken once: the very bytes the check
passed, even if the user saves the file again meanwhile. Each copy holds at most its file's
size limit plus one byte, so an oversized file is refused by the loader without being
copied whole. The folder lives under the system's temporary directory and is removed when
the process that made it exits.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["Snapshots"]

_CHUNK = 1024 * 1024


class Snapshots:
    """Take, find and prune copies of ``sources`` (each a path and its size limit)."""

    def __init__(self, sources: Sequence[tuple[Path, int]]) -> None:
        self.sources = tuple(sources)
        self.root = Path(tempfile.mkdtemp(prefix="mockserver-snapshots-"))
        self._owner = os.getpid()
        atexit.register(self.remove)

    def remove(self) -> None:
        """Remove every copy (forked workers inherit the exit handler: only the maker removes)."""
        if os.getpid() == self._owner:
            shutil.rmtree(self.root, ignore_errors=True)

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
            except OSError:
                target.unlink(missing_ok=True)  # the loader reports the unreadable file by its name
        return self.files(generation)

    def prune(self, *, keep_from: int) -> None:
        """Remove the copies of generations before ``keep_from``."""
        for folder in self.root.iterdir():
            if folder.name.isdigit() and int(folder.name) < keep_from:
                shutil.rmtree(folder, ignore_errors=True)


def _copy(source: Path, target: Path, most: int) -> None:
    with source.open("rb") as reader, target.open("wb") as writer:
        left = most
        while left > 0 and (chunk := reader.read(min(_CHUNK, left))):
            writer.write(chunk)
            left -= len(chunk)
