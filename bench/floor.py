"""The floor: a bare WSGI callable answering fixed bytes, on the mock's own Granian settings.

    python bench/floor.py BODY_FILE --port PORT [--workers 2] [--threads 4] [--work-us 0]

It does nothing a mock must do (no routing, no validation, no journal, no log line), so
what it serves per second is what the server and the load generator cost on this machine;
``bench/run.py`` reports every mock row as a ratio to it. With ``--work-us``, it spends that
many microseconds of Python (a busy loop, holding the GIL) on each request before it
answers: what any Python work per request costs on this server (``bench/tail.py --work-us``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mockserver.serving import MOCK_THREADS, granian_server, serve  # noqa: E402 - after the path is set


def bare_app(body: bytes, work_us: float = 0) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return [body]

    if not work_us:
        return app
    clock, seconds = time.perf_counter, work_us / 1e6

    def working_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        until = clock() + seconds
        while clock() < until:
            pass
        return app(environ, start_response)

    return working_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("body", type=Path, help="the bytes every answer carries")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=MOCK_THREADS, help="threads per worker (the mock's default)")
    parser.add_argument("--work-us", type=float, default=0, help="microseconds of Python per request (default 0)")
    args = parser.parse_args()
    app = bare_app(args.body.read_bytes(), args.work_us)
    server = granian_server(
        "floor:app", host="127.0.0.1", port=args.port, workers=args.workers, threads=args.threads, log_level="warning"
    )
    serve(server, lambda: app)


if __name__ == "__main__":
    main()
