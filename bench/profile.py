"""Where the time of one mock request goes: pyinstrument over the WSGI app, in process.

Data mode, the benchmark's request, request validation and the journal on, logging at
the CLI's default level (info) into /dev/null, the request lines made from the journal as
the command line's main process makes them (here in the same process, after the
requests). Prints the call tree and the microseconds per request: in a worker, and with
the line's making added.

    python bench/profile.py                 # microseconds and the call tree
    python bench/profile.py --instructions  # CPU instructions per request (needs valgrind)

Microseconds move by a fifth from one run to the next on a shared machine; the count of
instructions does not (it is counted, not timed: valgrind runs this script twice, with
few and with many requests, and divides the difference), so it is the figure to compare
two versions of the request path by.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyinstrument import Profiler  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from mockserver.access_log import AccessLog  # noqa: E402
from mockserver.app import create_app  # noqa: E402

KEY = "idt_live_acmeFrontend00000000000000000001"


def build(lines: bool = True) -> Callable[[int], None]:
    """``calls(n)``: the app made as the command line makes it, sent the request ``n`` times.

    With ``lines``, the request lines are then made from the journal and written, as the
    command line's main process does; without, only a worker's part is done.
    """
    sink = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    logging.basicConfig(level="INFO", stream=sink, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging._srcfile = None
    app = create_app(ROOT / "openapi.yaml", {"MOCK_DATA": str(ROOT / "data/sample-usage.yaml")})
    # As the command line does: the request lines are made from the journal, in batches
    # (here when asked, not by a thread of their own every 10 ms).
    runtime = app.extensions["mockserver"]
    access_log = runtime.access_log = AccessLog(logging.getLogger("mockserver"), interval=3600)
    access_log.write_to(logging.getLogger().handlers[0])
    access_log.follow(runtime.journal)
    environ = EnvironBuilder(
        path="/organizations/org_1/usage",
        query_string="startDate=1735689600000&endDate=1738367999999",
        headers=[("X-API-Key", KEY)],
    ).get_environ()

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], object]:
        return lambda data: None

    shell = app.wsgi_app  # what the command line hands to Granian (mockserver.cli._serve)

    def call() -> None:
        b"".join(shell(dict(environ), start_response))

    def calls(count: int) -> None:
        for _ in range(count):
            call()
        if lines:
            access_log.flush()

    return calls


def main() -> None:
    if sys.argv[1:] == ["--instructions"]:
        # Load once first: a first load checks the spec and keeps its verdict in the user's cache,
        # which would count in the first run only (and give a negative difference).
        build(lines=False)
        for part, flag in (("in a worker", "worker"), ("with its log line made", "lines")):
            few, many = _instructions(200, flag), _instructions(1200, flag)
            print(f"{(many - few) / 1000:,.0f} CPU instructions per request {part} (valgrind, log level INFO)")
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--count":  # run under valgrind by _instructions
        calls = build(lines=sys.argv[3] == "lines")
        calls(300)  # warm: the journal's slots, the lanes' routes, the interpreter's caches
        calls(int(sys.argv[2]))
        return
    for part, lines in (("in a worker", False), ("with its log line made", True)):
        calls = build(lines)
        calls(1000)
        started = time.process_time()
        calls(20000)
        print(f"{(time.process_time() - started) / 20000 * 1e6:.1f} us of CPU per request {part} (log level INFO)")
    profiler = Profiler(interval=0.0001)
    profiler.start()
    calls(20000)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def _instructions(requests: int, part: str) -> int:
    """The instructions valgrind counts for this script sending the request ``requests`` times."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        sys.exit("error: counting instructions needs valgrind (make profile installs it)")
    command = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__]
    done = subprocess.run([*command, "--count", str(requests), part], capture_output=True, text=True, check=False)
    found = re.search(r"Collected : ([0-9]+)", done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"error: valgrind failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


if __name__ == "__main__":
    main()
