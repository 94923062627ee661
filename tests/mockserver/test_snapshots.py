"""The copies a server takes of its files: removed when it exits, and after it was killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mockserver.snapshots import Snapshots, remove_abandoned
from tests.conftest import ROOT

_HOLD = """
import sys, time
from pathlib import Path
from mockserver.snapshots import Snapshots
copies = Snapshots([(Path(sys.argv[1]), 100)])
print(copies.root, flush=True)
time.sleep(60)
"""


@contextmanager
def _server_copies(tmp_path: Path, source: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A process that took copies under ``tmp_path`` and holds them until it is stopped."""
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(source)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    ) as process:
        try:
            assert process.stdout is not None
            yield process, Path(process.stdout.readline().strip())
        finally:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_the_copies_of_a_killed_server_are_removed_by_the_next_one(temp: Path, tmp_path: Path) -> None:
    source = tmp_path / "spec.yaml"
    source.write_text("x")
    with _server_copies(temp, source) as (killed, killed_root), _server_copies(temp, source) as (_, running_root):
        assert killed_root.is_dir()
        assert running_root.is_dir()
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        assert killed_root.is_dir()  # nothing ran to remove it
        fresh = Snapshots([(source, 100)])
        assert not killed_root.exists()
        assert running_root.is_dir()  # its server still runs
        assert fresh.root.is_dir()
        fresh.remove()
        assert not fresh.root.exists()


def test_only_folders_of_this_kit_with_an_unlocked_owner_file_are_removed(temp: Path) -> None:
    older = temp / "mockserver-snapshots-older"  # a folder without an owner file: left as it is
    older.mkdir()
    other = temp / "someone-else"
    other.mkdir()
    (other / ".owner").write_text("")
    held = Snapshots([])
    abandoned = temp / "mockserver-snapshots-abandoned"
    abandoned.mkdir()
    (abandoned / ".owner").write_text("")
    elsewhere = temp.parent / "elsewhere"  # a link by that name to a folder of this user's: not followed
    elsewhere.mkdir()
    (elsewhere / ".owner").write_text("")
    (temp / "mockserver-snapshots-link").symlink_to(elsewhere)
    foreigners = []
    if os.geteuid() == 0:  # only root can give a folder to another user
        foreign = temp / "mockserver-snapshots-foreign"  # another user's: not ours to remove
        foreign.mkdir()
        (foreign / ".owner").write_text("")
        os.chown(foreign, os.getuid() + 1, -1)
        foreigners.append(foreign)
    assert remove_abandoned(temp) == [abandoned]
    assert older.is_dir()
    assert other.is_dir()
    assert all(foreign.is_dir() for foreign in foreigners)
    assert (elsewhere / ".owner").exists()
    assert held.root.is_dir()  # locked by this process
    held.remove()


def test_copies_no_longer_used_are_removed_without_waiting_for_exit(temp: Path) -> None:
    root = Snapshots([]).root  # dropped at once, as an app made and dropped in a test
    assert not root.exists()
