"""The floor: a bare WSGI callable answering fixed bytes, on the mock's own Granian settings.

    python bench/floor.py BODY_FILE --port PORT [--workers 2] [--threads 4]

It does nothing a mock must do (no routing, no validation, no journal, no log line), so
what it serves per second is what the server and the load generator cost on this machine;
``bench/run.py`` reports every mock row as a ratio to it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mockserver.serving import MOCK_THREADS, granian_server, serve  # noqa: E402 - after the path is set


def bare_app(body: bytes) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return [body]

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("body", type=Path, help="the bytes every answer carries")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=MOCK_THREADS, help="threads per worker (the mock's default)")
    args = parser.parse_args()
    app = bare_app(args.body.read_bytes())
    server = granian_server(
        "floor:app", host="127.0.0.1", port=args.port, workers=args.workers, threads=args.threads, log_level="warning"
    )
    serve(server, lambda: app)


if __name__ == "__main__":
    main()
