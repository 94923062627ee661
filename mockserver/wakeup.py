"""A signal that lands on another thread wakes the main thread, so its handler runs at once.

CPython runs a signal's Python handler in the main thread, the next time that thread runs.
Granian parks the main thread of each of its processes in ``threading.Event.wait()``, which
a signal ends only when the kernel delivers it to that very thread. The kernel may give a
signal sent to the process to any thread that does not block it, Granian's Rust threads
included, and does so whenever the main thread has a signal pending already: Ctrl-C sends
SIGINT to every process of the group, and Granian's main process sends each worker SIGTERM
right after. A worker whose second signal went to another thread kept waiting until Granian
killed it 30 s later, with a warning.

:func:`wake_main_thread_on_signals` sets Python's wakeup descriptor (its C-level handler writes
each signal's number there, whichever thread receives it) and starts a thread that reads it
and sends the main thread :data:`WAKE`: the wait ends, and every handler due runs. WAKE's own
handler only counts, and the thread sends WAKE again every 10 ms until the count moves: a
WAKE that lands in the instant before the main thread blocks interrupts nothing. A forked
child starts without it (the descriptor would be its parent's) and calls it again.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from types import FrameType

from mockserver.forks import reset_in_child

__all__ = ["WAKE", "wake_main_thread_on_signals", "wakes"]

# Ignored by default, so a stray one stops nothing, and sent by nothing the mock runs.
WAKE = signal.SIGURG


def wake_main_thread_on_signals() -> None:
    """From now on, a signal another thread of this process receives wakes the main thread.

    Call it from the main thread. A second call in the same process changes nothing.
    """
    _WAKER.start()


class _Waker:
    def __init__(self) -> None:
        self._pid = 0  # the process it runs in, or 0
        self._fds: tuple[int, int] | None = None
        reset_in_child(self._after_fork)

    def start(self) -> None:
        if self._pid == os.getpid():
            return
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)  # a full pipe loses a byte, never blocks a handler
        signal.signal(WAKE, _count)
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        self._fds = (read_fd, write_fd)
        self._pid = os.getpid()
        main = threading.get_ident()  # the main thread: signal.signal refuses any other
        threading.Thread(target=_forward, args=(read_fd, main), name="mockserver-wakeup", daemon=True).start()

    def _after_fork(self) -> None:
        if self._fds is None:
            return
        try:
            signal.set_wakeup_fd(-1)
        except ValueError:  # only the main thread may (a fork's thread is the child's): keep what is set open
            return
        for fd in self._fds:
            os.close(fd)
        self._fds = None
        self._pid = 0


def wakes() -> int:
    """How many times WAKE's handler has run in this process."""
    return _wakes[0]


_wakes = [0]
_RETRIES = 100  # at 10 ms: a main thread that runs no Python for a second has more to fix than this


def _forward(read_fd: int, main: int) -> None:
    while True:
        try:
            numbers = os.read(read_fd, 256)
        except OSError:
            return
        if not numbers:
            return
        # Bytes of WAKE itself come from the main thread's own handler: nothing to forward.
        if any(number != WAKE for number in numbers):
            _wake(main)


def _wake(main: int) -> None:
    before = _wakes[0]
    for _ in range(_RETRIES):
        signal.pthread_kill(main, WAKE)
        time.sleep(0.01)
        if _wakes[0] != before:
            return


def _count(_signum: int, _frame: FrameType | None) -> None:
    """WAKE's handler, run by the main thread once woken (with the handlers of the signals due)."""
    _wakes[0] += 1


_WAKER = _Waker()
