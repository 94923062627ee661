"""What a process-wide object does around each fork of its process.

A thread, a lock or an owner PID does not survive ``fork`` as such: the journal claims a
segment of its own in each worker, and the access log leaves its reader thread to the main
process and does not let a fork cut into a write. Each registers bound methods with
:func:`reset_in_child` or :func:`around_fork`; they are called around every fork from then
on, for as long as their object lives (the registration holds it weakly, so an app made and
dropped in a test leaves nothing behind but a no-op).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable

__all__ = ["around_fork", "reset_in_child"]


def reset_in_child(method: Callable[[], object]) -> None:
    """Call the bound ``method`` in each child forked from now on, while its object lives."""
    around_fork(after_in_child=method)


def around_fork(
    *,
    before: Callable[[], object] | None = None,
    after_in_parent: Callable[[], object] | None = None,
    after_in_child: Callable[[], object] | None = None,
) -> None:
    """Call bound methods before each fork from now on and after it, in the parent and the child."""
    hooks = {}
    for name, method in (("before", before), ("after_in_parent", after_in_parent), ("after_in_child", after_in_child)):
        if method is not None:
            hooks[name] = _weakly(weakref.WeakMethod(method))
    os.register_at_fork(**hooks)


def _weakly(reference: weakref.WeakMethod[Callable[[], object]]) -> Callable[[], object]:
    return lambda: (bound := reference()) is not None and bound()
