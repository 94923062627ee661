"""Reloading: one process checks, loads and publishes; workers follow; failures keep the last good."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver import reloading
from mockserver.core.engine import MockState
from mockserver.reload_status import ReloadStatus
from mockserver.reloading import Files, Follower, LiveState, Reloader
from mockserver.snapshots import Snapshots

LOGGER = logging.getLogger("test-reloading")


def _state(name: str) -> MockState:
    return name  # type: ignore[return-value]  # the reloader never looks inside a state


class _Files:
    def __init__(self, tmp_path: Path) -> None:
        self.spec = tmp_path / "spec.yaml"
        self.spec.write_text("v1")
        self.snapshots = Snapshots([(self.spec, 100)])
        self.live = LiveState(_state("v1"))
        self.status = ReloadStatus()

    def change(self, text: str) -> None:
        self.spec.write_text(text)
        os.utime(self.spec, ns=(os.stat(self.spec).st_mtime_ns + 10**9,) * 2)  # a new stamp even within one tick


def _load(files: Files) -> MockState:
    text = files[0].read_text()
    if text == "explodes":
        raise MemoryError("no room")
    return _state(text)


def _check(files: Files) -> str | None:
    return "bad spec" if files[0].read_text() == "bad" else None


def _reloader(files: _Files, **overrides: Any) -> Reloader:
    parts: dict[str, Any] = {"check": _check, "load": _load, "interval": 60, "logger": LOGGER}
    parts.update(overrides)
    return Reloader(live=files.live, status=files.status, snapshots=files.snapshots, **parts)


def test_a_good_change_is_loaded_published_and_pruned(tmp_path: Path) -> None:
    files = _Files(tmp_path)
    reloader = _reloader(files)
    reloader.step()
    assert (files.live.generation, files.status.read()) == (1, (1, None))  # nothing changed
    files.change("v2")
    reloader.step()
    assert (files.live.current(), files.live.generation, files.status.read()) == (_state("v2"), 2, (2, None))
    assert files.snapshots.files(2)[0].read_text() == "v2"
    files.change("v3")
    reloader.step()
    assert not files.snapshots.files(2)[0].exists()  # older copies are pruned


@pytest.mark.parametrize(
    ("text", "error"), [("bad", "bad spec"), ("explodes", "MemoryError: no room")], ids=["refused", "out of memory"]
)
def test_a_failed_reload_keeps_the_last_good_and_says_why_once(
    text: str, error: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = _Files(tmp_path)
    reloader = _reloader(files)
    files.change(text)
    reloader.step()
    reloader.step()  # the same files again: not retried, not logged again
    assert (files.live.current(), files.live.generation) == (_state("v1"), 1)
    assert files.status.read() == (1, error)
    assert [r.getMessage() for r in caplog.records] == [f"reload failed, still serving generation 1: {error}"]
    files.change("v2")
    reloader.step()
    assert files.status.read() == (2, None)


@pytest.mark.parametrize(
    ("make", "kind"),
    [(os.mkfifo, "a named pipe"), (os.mkdir, "a folder"), (lambda path: os.symlink("/dev/zero", path), "a device")],
    ids=["named pipe", "folder", "device"],
)
def test_what_is_not_a_regular_file_is_refused_without_waiting(
    make: Callable[[Path], None], kind: str, tmp_path: Path
) -> None:
    # A named pipe in the spec's place held the reloader on its open() for good: no reload ever after.
    files = _Files(tmp_path)
    reloader = _reloader(files, quiet=0)
    files.spec.unlink()
    make(files.spec)
    done = threading.Thread(target=reloader.step, daemon=True)
    done.start()
    done.join(timeout=10)
    assert not done.is_alive()
    assert files.status.read() == (1, f"{files.spec}: not a regular file but {kind}: nothing is read from it")
    (files.spec.rmdir if files.spec.is_dir() else files.spec.unlink)()
    files.change("v2")
    reloader.step()
    assert (files.live.current(), files.status.read()) == (_state("v2"), (2, None))


def test_a_check_that_raises_is_caught(tmp_path: Path) -> None:
    files = _Files(tmp_path)

    def broken_check(_: Files) -> str | None:
        raise OSError("no child")

    reloader = _reloader(files, check=broken_check)
    files.change("v2")
    reloader.step()
    assert files.status.read() == (1, "OSError: no child")


def test_followers_take_the_published_generation(tmp_path: Path) -> None:
    files = _Files(tmp_path)
    worker = LiveState(_state("v1"))
    follower = Follower(live=worker, status=files.status, snapshots=files.snapshots, load=_load, logger=LOGGER)
    reloader = _reloader(files)
    follower.step()
    assert worker.generation == 1
    files.change("v2")
    reloader.step()
    follower.step()
    assert (worker.current(), worker.generation, worker.error) == (_state("v2"), 2, None)


def test_a_follower_that_cannot_load_keeps_serving_and_says_so(tmp_path: Path) -> None:
    files = _Files(tmp_path)
    worker = LiveState(_state("v1"))
    files.status.publish(generation=5, error=None)  # a generation whose copy is missing
    follower = Follower(live=worker, status=files.status, snapshots=files.snapshots, load=_load, logger=LOGGER)
    follower.step()
    assert (worker.current(), worker.generation) == (_state("v1"), 1)
    assert worker.error is not None
    assert "could not take generation 5" in worker.error


def test_status_is_shared_with_forked_processes() -> None:
    status = ReloadStatus()
    pid = os.fork()
    if pid == 0:  # the reloading process, as the server's main process is for its workers
        status.publish(generation=7, error="why: é" * 2000)
        os._exit(0)
    os.waitpid(pid, 0)
    generation, error = status.read()
    assert generation == 7
    assert error is not None
    assert error.startswith("why: é")
    assert len(error.encode()) <= 4096


@pytest.mark.parametrize("when", ["quiet period", "copy"])
def test_a_file_saved_while_read_is_taken_at_the_next_step(
    tmp_path: Path, when: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _Files(tmp_path)
    reloader = _reloader(files, quiet=0.01)
    files.spec.write_text("")  # an editor's save, caught between truncating and writing
    saves = ["v2"]  # the save completes once, during the quiet period or the copy

    def finish_save() -> None:
        if saves:
            files.change(saves.pop())

    real_sleep, real_take = time.sleep, files.snapshots.take

    def sleep(seconds: float) -> None:
        real_sleep(seconds)
        finish_save()

    def take(generation: int) -> Files:
        copies = real_take(generation)
        finish_save()
        return copies

    if when == "quiet period":
        monkeypatch.setattr("mockserver.reloading.time.sleep", sleep)
    else:
        monkeypatch.setattr(files.snapshots, "take", take)
    reloader.step()
    assert (files.live.generation, files.status.read()) == (1, (1, None))  # nothing taken, nothing said
    reloader.step()
    assert (files.live.current(), files.status.read()) == (_state("v2"), (2, None))


def test_a_loop_makes_its_thread_only_when_it_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    # The follower's loop is made in the main process and started in each forked worker; a
    # thread object made before the fork cannot start after it (Python 3.13 marks it finished).
    made: list[dict[str, Any]] = []
    real = threading.Thread

    def thread(**kwargs: Any) -> Any:
        made.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(threading, "Thread", thread)  # the module reloading uses
    ticks = threading.Event()
    loop = reloading._Loop("test-loop", 0.001, ticks.set)
    assert made == []
    loop.start()
    try:
        assert ticks.wait(5)
        assert [(m["name"], m["daemon"]) for m in made] == [("test-loop", True)]
    finally:
        loop.stop()


def test_a_loop_made_before_a_fork_runs_in_the_child() -> None:
    ticks = threading.Event()
    loop = reloading._Loop("test-loop", 0.001, ticks.set)
    pid = os.fork()
    if pid == 0:  # the worker's side: start the loop made in the parent
        code = 1
        try:
            loop.start()
            code = 0 if ticks.wait(5) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not ticks.is_set()  # the parent's loop was never started
