"""What a process-wide object does again in each child forked from its process.

A thread, a lock or an owner PID does not survive ``fork`` as such: the journal claims a
segment of its own in each worker, the access log starts a writer thread of its own. Each
registers a bound method with :func:`reset_in_child`; it is called in every child forked
afterwards, for as long as its object lives (the registration holds it weakly, so an app
made and dropped in a test leaves nothing behind but a no-op).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable

__all__ = ["reset_in_child"]


def reset_in_child(method: Callable[[], object]) -> None:
    """Call the bound ``method`` in each child forked from now on, while its object lives."""
    reference = weakref.WeakMethod(method)
    os.register_at_fork(after_in_child=lambda: (bound := reference()) is not None and bound())
