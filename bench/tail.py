"""The latency distribution of data mode against the floor's, at one level, run by run.

    python bench/tail.py [--rounds 6] [--concurrency 64] [--duration 4] [--threads 4] [--workers 2]
                         [--log-level info] [--work-us N]

Starts the floor (bench/floor.py) and the mock in data mode side by side, each with
``--workers`` processes of ``--threads`` request threads (the mock's defaults unless
given), and alternates wrk runs between them: per round, the floor's run, then the mock's.
Prints each run's p50, p90, p99 and rps, then the medians of the run-by-run ratios.
``make bench`` measures the goal; this is for looking into it: whether the mock's tail
moved or its whole distribution did, and how the worker or thread count or the request
line (``--log-level warning`` writes none) changes either side. With ``--work-us N`` the
other side is not the mock but the floor itself spending N microseconds of Python per
request: what any Python work costs on this server. Every answer is checked as in
``make bench``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import PATH, ROOT, Server, expected_bodies, free_port, median_ratio, spawn, stop, wait_ready, wrk

from mockserver.serving import MOCK_THREADS

_FIGURES = ("p50_ms", "p90_ms", "p99_ms", "rps")


def ratios(mock: list[dict[str, float]], floor: list[dict[str, float]]) -> dict[str, float]:
    """Medians of the run-by-run ratios mock / floor of each figure (runs with errors left out)."""
    pairs = [(m, f) for m, f in zip(mock, floor, strict=True) if not m["errors"] and not f["errors"]]
    return {name: median_ratio(pairs, name) for name in _FIGURES if pairs and all(f[name] for _, f in pairs)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=6, help="runs of each server (default 6)")
    parser.add_argument("--concurrency", type=int, default=64, help="connections (default 64)")
    parser.add_argument("--duration", type=int, default=4, help="seconds per run (default 4)")
    parser.add_argument("--threads", type=int, default=MOCK_THREADS, help="request threads per worker, both sides")
    parser.add_argument("--workers", type=int, default=2, help="worker processes, both sides (default 2)")
    parser.add_argument(
        "--log-level", default="info", choices=("info", "warning"), help="the mock's (info: a line per request)"
    )
    parser.add_argument(
        "--work-us", type=float, default=0, help="against the floor spending this much Python per request, not the mock"
    )
    args = parser.parse_args()
    _, data = expected_bodies()
    python = sys.executable
    with tempfile.TemporaryDirectory() as workdir:
        body = Path(workdir) / "floor-body.json"
        body.write_bytes(data)
        threads = ["--threads", str(args.threads), "--workers", str(args.workers)]
        sides = {
            "floor": Server("floor", [python, str(ROOT / "bench" / "floor.py"), str(body), "--port", "{port}", *threads], data),
            "mock": Server(
                "mock",
                [python, "-m", "mockserver", "--host", "127.0.0.1", "--port", "{port}", "--data", "data/sample-usage.yaml",
                 "--log-level", args.log_level, *threads],
                data,
            ),
        }  # fmt: skip
        if args.work_us:
            sides["mock"] = Server("floor+work", [*sides["floor"].command, "--work-us", str(args.work_us)], data)
        ports = {name: free_port() for name in sides}
        processes = {name: spawn(server, ports[name]) for name, server in sides.items()}
        try:
            urls = {name: f"http://127.0.0.1:{ports[name]}{PATH}" for name in sides}
            for name, server in sides.items():
                if wait_ready(urls[name], processes[name], server.ready_timeout) is None:
                    print(f"error: the {name} did not answer 200", file=sys.stderr)
                    return 1
                wrk(urls[name], data, args.concurrency, 2)  # warm-up
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
            against = f"the floor spending {args.work_us:g} us of Python per request" if args.work_us else "the mock"
            print(
                f"c={args.concurrency}, {args.workers} workers of {args.threads} threads, {args.duration} s runs: "
                f"floor, then {against}"
            )
            for number in range(1, args.rounds + 1):
                for name in sides:
                    run = wrk(urls[name], data, args.concurrency, args.duration)
                    runs[name].append(run)
                    figures = "  ".join(f"{n[:-3]} {run[n]:.2f} ms" for n in _FIGURES[:3])
                    errors = f"  {int(run['errors'])} bad answers" if run["errors"] else ""
                    print(f"{number:2d} {sides[name].name:10s}  {figures}  {run['rps']:,.0f} rps{errors}", flush=True)
        finally:
            for process in processes.values():
                stop(process)
    medians = ratios(runs["mock"], runs["floor"])
    if not medians:
        print("error: no pair of runs without errors", file=sys.stderr)
        return 1
    print(
        f"{'floor+work' if args.work_us else 'mock'} / floor, medians of the run-by-run ratios: "
        + ", ".join(f"{n[:-3] if n != 'rps' else n} {v:.2f}x" for n, v in medians.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
