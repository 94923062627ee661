"""Give memory the process has freed back to the operating system, where the C library allows.

A load builds its tables in a thread; glibc's allocator keeps what the load freed (its
blocks, lists, sort keys) in that thread's arena for later use, so a server that has
reloaded a large usage file would hold that garbage in every process. ``malloc_trim``
returns the free pages. Elsewhere (musl, macOS) this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable

__all__ = ["release_free_memory"]


def _trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim: Callable[[int], int] | None = getattr(libc, "malloc_trim", None)
    return trim


_MALLOC_TRIM = _trim()


def release_free_memory() -> None:
    """Return free heap pages to the system (after a load; not on the request path)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
