"""Soak the mock: c=64 for a bounded time (default 5 minutes) on loopback, in data mode.

Prints the error count (non-200 answers, wrong bodies, socket errors) and the memory
curve (RSS and PSS of the whole process tree, every 10 s), and whether memory stopped
growing: the peak of the last third of the run may exceed the peak of the middle third by
at most 5 %. Exit code 0 only with zero errors and flat memory.

    python scripts/soak.py [--seconds 300] [--connections 64]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run as bench  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--interval", type=int, default=10)
    args = parser.parse_args()
    _, expected = bench.expected_bodies()
    port = bench.free_port()
    url = f"http://127.0.0.1:{port}{bench.PATH}"
    server = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--port", str(port), "--data", "data/sample-usage.yaml"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        if bench.wait_ready(url, server, 30) is None:
            print("error: the mock did not start", file=sys.stderr)
            return 2
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(bench.WRK_SCRIPT % {"key": bench.KEY, "body": bench.lua_string(expected.decode())})
        load = subprocess.Popen(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "5s", "-s", script.name, url],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        curve = []
        started = time.monotonic()
        while load.poll() is None:
            time.sleep(args.interval)
            rss, pss = bench.memory_mb(server.pid)
            curve.append((round(time.monotonic() - started), rss, pss))
            print(f"  t={curve[-1][0]:4d}s  RSS {rss:6.1f} MB  PSS {pss:6.1f} MB", flush=True)
        output = load.communicate()[0]
    finally:
        bench.stop(server)
    values = dict(re.findall(r"^(BAD|REQUESTS|SOCKET_ERRORS) (\d+)$", output, re.M))
    errors = int(values.get("BAD", 0)) + int(values.get("SOCKET_ERRORS", 0))
    requests = int(values.get("REQUESTS", 0))
    third = max(1, len(curve) // 3)
    middle = max(p for _, _, p in curve[third : 2 * third] or curve)
    last = max(p for _, _, p in curve[-third:])
    flat = last <= middle * 1.05
    print(f"requests: {requests:,}, errors: {errors}")
    print(f"PSS peak, middle third {middle:.1f} MB, last third {last:.1f} MB: {'flat' if flat else 'GROWING'}")
    return 0 if errors == 0 and requests > 0 and flat else 1


if __name__ == "__main__":
    sys.exit(main())
