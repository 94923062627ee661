"""A signal received by another thread wakes the main thread (mockserver.wakeup), in a process of its own."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

# The main thread waits as Granian's does, on an Event without a timeout, and another thread
# receives SIGTERM. Prints how often the main thread's handlers ran, then exits.
SCENARIO = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from mockserver import wakeup

    def run(arm):
        if arm:
            wakeup.wake_main_thread_on_signals()
        handled = []
        waiting, done = threading.Event(), threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: (handled.append(1), done.set()))
        woken = wakeup.wakes()

        def send():
            waiting.wait()
            time.sleep(0.5)  # the main thread is in done.wait() by now
            signal.pthread_kill(threading.get_ident(), signal.SIGTERM)

        threading.Thread(target=send, daemon=True).start()
        waiting.set()
        done.wait()
        time.sleep(0.5)  # a WAKE that came back would be forwarded again meanwhile, every 10 ms
        woken = wakeup.wakes() - woken
        return f"{len(handled)} {'once or a few times' if 1 <= woken <= 5 else woken}"

    arm = sys.argv[1] == "arm"
    print("parent", run(arm), flush=True)
    child = os.fork()
    if child == 0:
        # the parent's descriptor is gone in a child; it arms its own
        print("child-fd", signal.set_wakeup_fd(-1), flush=True)
        print("child", run(arm), flush=True)
        os._exit(0)
    os.waitpid(child, 0)
    """
)


def _run(mode: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCENARIO, mode], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_a_signal_on_another_thread_runs_its_handler_at_once_in_parent_and_forked_child() -> None:
    result = _run("arm", timeout=30)
    assert result.returncode == 0, result.stderr
    # Handled once; woken once, or again if a WAKE came before the main thread blocked, but
    # the main thread's own WAKE is not sent on again.
    assert result.stdout.splitlines() == [
        "parent 1 once or a few times",
        "child-fd -1",
        "child 1 once or a few times",
    ]


def test_without_it_the_main_thread_sleeps_through_the_signal() -> None:
    # What the module is for: the same scenario, unarmed, never ends.
    with pytest.raises(subprocess.TimeoutExpired):
        _run("bare", timeout=3)
