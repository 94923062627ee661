"""Start suite runs from a warm process: ``python -m tests.contract.zygote``.

Every run of the suite is its own process with its own exit code, output and memory, as a
user's run is; but starting an interpreter and importing pytest, Hypothesis, schemathesis
and the suite costs about half a second of CPU each time, and the project's tests start
a hundred runs. The zygote imports all that once and forks a child per run.

Protocol, one JSON object per line on standard input and output:

* in: ``{"id": n, "args": [...], "env": {...}, "cwd": "...", "output": "path"}``;
* out: ``{"id": n, "pid": p}`` as soon as the child runs (it leads its own process group,
  so the caller can kill the whole run), then ``{"id": n, "status": s, "maxrss_kb": k}``
  when it ends (``status`` is the exit code, negative for a signal).

The zygote stays single-threaded (it forks only from its one thread) and exits once its
standard input is closed and its last child has ended.
"""

from __future__ import annotations

import json
import os
import select
import sys
from typing import Any

__all__ = ["main"]


def _warm() -> None:
    """Import what every run needs, so each child starts with it."""
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401
    import schemathesis  # noqa: F401

    import contract_tests.plugin  # noqa: F401


def _child(request: dict[str, Any]) -> None:
    """In the forked child: become the run, and never return."""
    code = 70
    try:
        os.setsid()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sink = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(sink, 1)
        os.dup2(sink, 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        import pytest

        code = int(pytest.main(request["args"]))
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def _send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> None:
    _warm()
    running: dict[int, int] = {}  # pid -> request id
    buffer = b""
    stdin = sys.stdin.fileno()
    open_input = True
    while open_input or running:
        ready, _, _ = select.select([stdin] if open_input else [], [], [], 0.02)
        if ready:
            chunk = os.read(stdin, 65536)
            if not chunk:
                open_input = False
                if not running:
                    break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _child(request)
                running[pid] = request["id"]
                _send({"id": request["id"], "pid": pid})
        while running:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            if not pid:
                break
            ident = running.pop(pid, None)
            if ident is not None:
                _send({"id": ident, "status": os.waitstatus_to_exitcode(status), "maxrss_kb": usage.ru_maxrss})


if __name__ == "__main__":
    main()
