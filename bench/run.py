"""Side-by-side benchmark: the mock against its floor, nginx (the ceiling), WireMock and Prism.

The floor is a bare WSGI callable that answers the example's bytes on the mock's own
Granian settings (bench/floor.py): what the server and the load generator cost here. Every
mock row is reported as a ratio to it, and the goal (data mode at least 0.5 of the floor's
rps at c=16 and c=64, p99 at most twice the floor's) is checked against a floor started
beside the mock: each of the mock's runs at those levels follows one of the floor's, and
the goal takes the median of the run-by-run ratios, so a machine busier in one minute than
in another moves both sides of a ratio alike.

Every server is started on loopback with the same spec or the same body, warmed up, and
driven with the same request by the same load generator (wrk, bounded in time) at c=1, 16
and 64. Every response is checked: a non-200 or a body other than the expected one counts
as an error, and a run with errors is reported as failed, not as fast. Cold start (spawn to
first 200) and resident memory after load (the whole process tree) are measured too.
Servers are stopped by the PID of their process group. Results go to bench/results/.
Data mode at 10k, 100k and 1M rows (load time and memory) is bench/data_sizes.py.

    python bench/run.py [--duration 5] [--only floor,mock-data,prism] [--tools bench/.tools] [--no-data-sizes]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
KEY = "idt_live_acmeFrontend00000000000000000001"
PATH = "/organizations/org_1/usage?startDate=1735689600000&endDate=1738367999999"
CONCURRENCY = (1, 16, 64)

WRK_SCRIPT = """
wrk.headers["X-API-Key"] = "%(key)s"
local expected = %(body)s
local bad = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  if status ~= 200 or body ~= expected then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("bad") or 0) end
  io.write(string.format("BAD %%d\\n", total))
  io.write(string.format("P50 %%d\\nP90 %%d\\nP99 %%d\\n", latency:percentile(50), latency:percentile(90), latency:percentile(99)))
  io.write(string.format("REQUESTS %%d\\nSECONDS %%f\\n", summary.requests, summary.duration / 1e6))
  io.write(string.format("SOCKET_ERRORS %%d\\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process and all its descendants, in MB.

    RSS counts pages that forked workers share with their parent once per process; PSS
    (proportional set size) divides each shared page among its sharers, so the sum is what
    the process tree really holds.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


@dataclass
class Server:
    name: str
    command: list[str]
    expected: bytes
    cwd: Path = ROOT
    env: dict[str, str] = field(default_factory=dict)
    ready_timeout: float = 60.0


@dataclass
class Result:
    server: str
    ok: bool = True
    cold_start_s: float | None = None
    rss_mb: float | None = None
    pss_mb: float | None = None
    rest_pss_mb: float | None = None  # after the first answer, before any load
    runs: dict[int, dict[str, float]] = field(default_factory=dict)
    # Against the floor measured in the same minutes: each run of this server follows a run of
    # the floor at the same level, and the medians of the run-by-run ratios are kept.
    paired: dict[int, dict[str, float]] = field(default_factory=dict)
    note: str = ""


def fetch(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"X-API-Key": KEY})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            return None
        try:
            status, _ = fetch(url)
            if status == 200:
                return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.005)
    return None


def wrk(url: str, body: bytes, concurrency: int, duration: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"key": KEY, "body": lua_string(body.decode())})
    threads = min(2, concurrency)
    command = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{duration}s", "--timeout", "5s", "-s", script.name, url]
    output = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60).stdout
    os.unlink(script.name)
    values = dict(re.findall(r"^(BAD|P50|P90|P99|REQUESTS|SECONDS|SOCKET_ERRORS) (\S+)$", output, re.M))
    requests = float(values.get("REQUESTS", 0))
    seconds = float(values.get("SECONDS", 1)) or 1
    return {
        "rps": requests / seconds,
        "p50_ms": float(values.get("P50", 0)) / 1000,
        "p90_ms": float(values.get("P90", 0)) / 1000,
        "p99_ms": float(values.get("P99", 0)) / 1000,
        # Every non-200 or wrong body is counted by the script; socket errors on top.
        "errors": float(values.get("BAD", 0)) + float(values.get("SOCKET_ERRORS", 0)),
        "requests": requests,
    }


def spawn(server: Server, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [part.replace("{port}", str(port)) for part in server.command],
        cwd=server.cwd,
        env={**os.environ, **server.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def run_server(
    server: Server, port: int, duration: int, repeat: int, floor: tuple[Server, int] | None = None
) -> Result:
    """Measure ``server``; with ``floor``, interleave each run at c=16 and c=64 with one of the floor's."""
    result = Result(server.name)
    url = f"http://127.0.0.1:{port}{PATH}"
    started = time.perf_counter()
    process = spawn(server, port)
    beside = None
    try:
        ready = wait_ready(url, process, server.ready_timeout)
        if ready is None:
            result.ok, result.note = False, "did not answer 200"
            return result
        result.cold_start_s = time.perf_counter() - started
        status, body = fetch(url)
        if status != 200 or body != server.expected:
            result.ok, result.note = False, f"unexpected answer {status} {body[:120]!r}"
            return result
        time.sleep(1)  # let start-up settle (workers forked, first answer served)
        result.rest_pss_mb = memory_mb(process.pid)[1]
        floor_url = None
        if floor is not None:
            beside = spawn(floor[0], floor[1])
            floor_url = f"http://127.0.0.1:{floor[1]}{PATH}"
            if wait_ready(floor_url, beside, floor[0].ready_timeout) is None:
                result.note, floor_url = "the floor beside it did not start: no paired ratios", None
            else:
                wrk(floor_url, floor[0].expected, 16, 2)
        wrk(url, server.expected, 16, 2)  # warm-up (JIT, caches)
        for concurrency in CONCURRENCY:
            # Loopback figures on two shared cores are noisy: keep the median of `repeat` runs.
            runs, bases = [], []
            for _ in range(repeat):
                if floor is not None and floor_url is not None and concurrency in GOAL_LEVELS:
                    bases.append(wrk(floor_url, floor[0].expected, concurrency, duration))
                runs.append(wrk(url, server.expected, concurrency, duration))
            run = {key: statistics.median(r[key] for r in runs) for key in ("rps", "p50_ms", "p99_ms")}
            run["errors"] = sum(r["errors"] for r in runs)
            run["requests"] = sum(r["requests"] for r in runs)
            run["rps_min"], run["rps_max"] = min(r["rps"] for r in runs), max(r["rps"] for r in runs)
            result.runs[concurrency] = run
            if bases:
                result.paired[concurrency] = paired_ratios(runs, bases)
            if run["errors"] or not all(r["requests"] for r in runs):
                result.ok = False
                result.note = f"{int(run['errors'])} bad responses at c={concurrency}"
        result.rss_mb, result.pss_mb = memory_mb(process.pid)
        return result
    finally:
        stop(process)
        if beside is not None:
            stop(beside)


def median_ratio(pairs: list[tuple[dict[str, float], dict[str, float]]], figure: str) -> float:
    """The median over ``(run, base)`` pairs of ``run[figure] / base[figure]``."""
    return statistics.median(run[figure] / base[figure] for run, base in pairs)


def paired_ratios(runs: list[dict[str, float]], bases: list[dict[str, float]]) -> dict[str, float]:
    """Medians of the run-by-run ratios to the floor's runs made just before (a floor run with errors is left out)."""
    pairs = [
        (run, base)
        for run, base in zip(runs, bases, strict=True)
        if base["rps"] and base["p99_ms"] and base["p50_ms"] and not base["errors"]
    ]
    if not pairs:
        return {}
    return {
        "rps": median_ratio(pairs, "rps"),
        "p99": median_ratio(pairs, "p99_ms"),
        "p50": median_ratio(pairs, "p50_ms"),  # beside the p99: whether the whole distribution moved
        "floor_rps": statistics.median(base["rps"] for _, base in pairs),
        "floor_p99_ms": statistics.median(base["p99_ms"] for _, base in pairs),
        "pairs": len(pairs),
    }


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server and its children by the PID of the process group we started."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=20)
            return
        except ProcessLookupError:
            process.wait()
            return
        except subprocess.TimeoutExpired:
            continue


def expected_bodies() -> tuple[bytes, bytes]:
    sys.path.insert(0, str(ROOT))
    from mockserver.app import create_app

    example = create_app(ROOT / "openapi.yaml", {"MOCK_RELOAD_INTERVAL": 0}).test_client()
    data = create_app(
        ROOT / "openapi.yaml", {"MOCK_RELOAD_INTERVAL": 0, "MOCK_DATA": str(ROOT / "data/sample-usage.yaml")}
    ).test_client()
    return example.get(PATH, headers={"X-API-Key": KEY}).data, data.get(PATH, headers={"X-API-Key": KEY}).data


def servers(tools: Path, workdir: Path) -> dict[str, Callable[[int], Server]]:
    example, data = expected_bodies()
    python = sys.executable
    # As users run it: request validation on, one log line per request (to /dev/null here).
    mock = [python, "-m", "mockserver", "--host", "127.0.0.1", "--port", "{port}"]

    def nginx(port: int) -> Server:
        conf = workdir / "nginx.conf"
        body = example.decode().replace("'", "\\'")
        temp = " ".join(f"{kind}_temp_path {workdir};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf.write_text(
            f"daemon off; worker_processes 2; pid {workdir}/nginx.pid; error_log /dev/null crit;\n"
            "events { worker_connections 1024; }\n"
            f"http {{ access_log off; {temp}\n"
            f"  server {{ listen 127.0.0.1:{port}; location / {{ default_type application/json; return 200 '{body}'; }} }} }}\n"
        )
        return Server("nginx (static JSON)", ["nginx", "-e", "/dev/null", "-c", str(conf)], example)

    def wiremock(port: int) -> Server:
        jar = next((tools / "node_modules" / "wiremock").rglob("wiremock-standalone-*.jar"))
        root = workdir / "wiremock"
        (root / "mappings").mkdir(parents=True, exist_ok=True)
        mapping = {
            "request": {"method": "GET", "urlPath": "/organizations/org_1/usage"},
            "response": {"status": 200, "body": example.decode(), "headers": {"Content-Type": "application/json"}},
        }
        (root / "mappings" / "usage.json").write_text(json.dumps(mapping))
        return Server(
            "WireMock 3 (one stub, journal off)",
            [
                "java",
                "-jar",
                str(jar),
                "--port",
                "{port}",
                "--bind-address",
                "127.0.0.1",
                "--root-dir",
                str(root),
                "--no-request-journal",
                "--disable-banner",
            ],
            example,
        )

    def prism(port: int) -> Server:
        return Server(
            "Prism 5 (static mode)",
            [
                str(tools / "node_modules" / ".bin" / "prism"),
                "mock",
                str(ROOT / "openapi.yaml"),
                "-h",
                "127.0.0.1",
                "-p",
                "{port}",
            ],
            example,
        )

    def floor(port: int) -> Server:
        body = workdir / "floor-body.json"
        body.write_bytes(example)
        command = [python, str(ROOT / "bench" / "floor.py"), str(body), "--port", "{port}"]
        return Server("floor: bare WSGI on the mock's Granian (2 workers)", command, example)

    return {
        "floor": floor,
        "nginx": nginx,
        "wiremock": wiremock,
        "prism": prism,
        "mock-example": lambda port: Server("mock, example mode (2 workers)", mock, example),
        "mock-data": lambda port: Server(
            "mock, data mode (2 workers)", [*mock, "--data", "data/sample-usage.yaml"], data
        ),
    }


def ratio(value: float | None, base: float | None) -> str:
    if not value or not base:
        return "n/a"
    return f"{value / base:.2f}x"


def render(results: list[Result]) -> str:
    by = {r.server: r for r in results}
    prism = next((r for r in results if r.server.startswith("Prism")), None)
    wiremock = next((r for r in results if r.server.startswith("WireMock")), None)
    nginx = next((r for r in results if r.server.startswith("nginx")), None)
    floor = next((r for r in results if r.server.startswith("floor")), None)
    header = (
        "| server | ok | "
        + " | ".join(f"rps c={c} | p50 ms c={c} | p99 ms c={c}" for c in CONCURRENCY)
        + " | errors | cold start s | RSS MB (sum) | PSS MB | PSS MB at rest |"
    )
    lines = [header, "|" + " --- |" * (header.count("|") - 1)]
    for r in by.values():
        cells = []
        for c in CONCURRENCY:
            run = r.runs.get(c, {})
            cells += [f"{run.get('rps', 0):,.0f}", f"{run.get('p50_ms', 0):.2f}", f"{run.get('p99_ms', 0):.2f}"]
        errors = int(sum(run.get("errors", 0) for run in r.runs.values()))
        lines.append(
            f"| {r.server} | {'yes' if r.ok else 'FAILED: ' + r.note} | "
            + " | ".join(cells)
            + f" | {errors} | {r.cold_start_s or 0:.2f} | {r.rss_mb or 0:.0f} | {r.pss_mb or 0:.0f} | {r.rest_pss_mb or 0:.0f} |"
        )
    lines += [
        "",
        "Ratios (this server / reference; rps higher is better, p99, cold start and RSS lower are better):",
        "",
    ]
    lines.append("| server | vs | rps c=16 | rps c=64 | p99 c=16 | p99 c=64 | cold start | PSS |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        if not r.server.startswith("mock"):
            continue
        for ref in (floor, prism, wiremock, nginx):
            if ref is None:
                continue
            lines.append(
                f"| {r.server} | {ref.server.split(' (')[0].split(':')[0]} | "
                + " | ".join(ratio(r.runs.get(c, {}).get("rps"), ref.runs.get(c, {}).get("rps")) for c in (16, 64))
                + " | "
                + " | ".join(
                    ratio(r.runs.get(c, {}).get("p99_ms"), ref.runs.get(c, {}).get("p99_ms")) for c in (16, 64)
                )
                + " | "
                + f"{ratio(r.cold_start_s, ref.cold_start_s)} | {ratio(r.pss_mb, ref.pss_mb)} |"
            )
    if floor is not None:
        lines += ["", *goal_lines(results, floor)]
    return "\n".join(lines)


GOAL_RPS, GOAL_P99 = 0.5, 2.0  # of the floor's rps (at least) and p99 (at most), at c=16 and c=64
GOAL_LEVELS = (16, 64)


def near_line(value: float, line: float) -> str:
    """``value`` with two decimals, or three where two would round it onto the goal's ``line``."""
    text = f"{value:.2f}"
    return f"{value:.3f}" if float(text) == line and value != line else text


def goal_lines(results: list[Result], floor: Result) -> list[str]:
    """Whether each mock row meets the goal against the floor, one line each.

    The ratios are the paired ones (each run against a floor run made just before it, the
    median of the run-by-run ratios) when the row has them, else the rows' medians.
    """
    lines = [
        f"Goal: at least {GOAL_RPS:g} of the floor's rps and at most {GOAL_P99:g}x its p99, at c=16 and c=64; "
        "measured against the floor run beside each mock row, run by run (median of the ratios).",
        "",
    ]
    for r in results:
        if not r.server.startswith("mock"):
            continue
        verdicts = []
        for c in GOAL_LEVELS:
            paired = r.paired.get(c)
            if paired:
                rps, p99 = paired["rps"], paired["p99"]
                how = (
                    f"{paired['p50']:.2f}x the p50; {int(paired['pairs'])} pairs, "
                    f"floor {paired['floor_rps']:,.0f} rps, p99 {paired['floor_p99_ms']:.2f} ms"
                )
            else:
                run, base = r.runs.get(c, {}), floor.runs.get(c, {})
                rps = run.get("rps", 0) / base["rps"] if base.get("rps") else 0.0
                p99 = run.get("p99_ms", 0) / base["p99_ms"] if base.get("p99_ms") else float("inf")
                how = "against the floor's row"
            met = r.ok and rps >= GOAL_RPS and p99 <= GOAL_P99
            verdicts.append(
                f"c={c}: {near_line(rps, GOAL_RPS)} of the rps, {near_line(p99, GOAL_P99)}x the p99 ({how}), "
                f"{'met' if met else 'NOT MET'}"
            )
        lines.append(f"- {r.server}: " + "; ".join(verdicts))
    return lines


def time_contract_suite(tools: Path) -> dict[str, Any]:
    """The ci profile against the local mock (data mode), and plain schemathesis, same budget."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--port", str(port), "--data", "data/sample-usage.yaml", "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base + PATH, process, 30)
        suite_env = {
            **env,
            "CONTRACT_BASE_URL": base, "CONTRACT_API_KEY": KEY, "CONTRACT_ORG_ID": "org_1", "CONTRACT_OTHER_ORG_ID": "org_3",
            "CONTRACT_OTHER_API_KEY": "idt_live_globexDashboard00000000000000002", "CONTRACT_MISSING_ORG_ID": "org_404",
            "CONTRACT_WINDOW_START": "1735689600000", "CONTRACT_WINDOW_END": "1738367999999",
        }  # fmt: skip
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as reports:
            suite = subprocess.run(
                [sys.executable, "-m", "contract_tests.cli", "--profile", "ci", "--report-dir", reports],
                cwd=ROOT,
                env=suite_env,
                capture_output=True,
                text=True,
            )
            suite_report = json.loads((Path(reports) / "conformance.json").read_text())
        suite_seconds = time.perf_counter() - started
        schemathesis = Path(sys.executable).parent / "schemathesis"
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as scratch:
            plain = subprocess.run(
                [str(schemathesis), "run", str(ROOT / "openapi.yaml"), "--url", base, "-H", f"X-API-Key: {KEY}", "--checks", "all",
                 "--max-examples", "40", "--seed", "1", "--no-color"],
                cwd=scratch, capture_output=True, text=True, timeout=600,
            )  # fmt: skip
        plain_seconds = time.perf_counter() - started
        cases = re.search(r"(\d+) generated", plain.stdout)
        return {
            "suite_seconds": round(suite_seconds, 2),
            "suite_exit": suite.returncode,
            "suite_requests": suite_report["requests"],
            "suite_checks": suite_report["summary"],
            "schemathesis_seconds": round(plain_seconds, 2),
            "schemathesis_exit": plain.returncode,
            "schemathesis_cases": int(cases.group(1)) if cases else None,
        }
    finally:
        stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per run (default 5)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="runs per concurrency level; the median is reported, and the goal's the median of as many pairs (default 5)",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated subset: floor,nginx,wiremock,prism,mock-example,mock-data"
    )
    parser.add_argument(
        "--tools", type=Path, default=ROOT / "bench" / ".tools", help="where npm installed Prism and WireMock"
    )
    parser.add_argument("--no-suite", action="store_true", help="skip timing the contract suite")
    parser.add_argument("--no-data-sizes", action="store_true", help="skip data mode at 10k, 100k and 1M rows")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("error: wrk is not installed (make bench installs it)", file=sys.stderr)
        return 2
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        available = servers(args.tools, Path(workdir))
        chosen = [n for n in (args.only.split(",") if args.only else available) if n]
        for name in chosen:
            port = free_port()
            server = available[name](port)
            print(f"... {server.name}", flush=True)
            # Each mock row is also measured against a floor running beside it, run by run.
            beside = None
            if name.startswith("mock") and "floor" in chosen:
                floor_port = free_port()
                beside = (available["floor"](floor_port), floor_port)
            results.append(run_server(server, port, args.duration, args.repeat, beside))
    table = render(results)
    suite = None if args.no_suite else time_contract_suite(args.tools)
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}"
    text = (
        f"# Benchmark\n\n{machine}; wrk on loopback, median of {args.repeat} runs of {args.duration} s per level, "
        f"load generator sharing the cores.\n\n{table}\n"
    )
    if suite:
        text += (
            "\nContract suite against the local mock (data mode):\n\n"
            "| run | seconds | requests / cases | exit |\n| --- | --- | --- | --- |\n"
            f"| contract suite, ci profile (every check) | {suite['suite_seconds']} | {suite['suite_requests']} requests | {suite['suite_exit']} |\n"
            f"| schemathesis run --checks all --max-examples 40 | {suite['schemathesis_seconds']} | {suite['schemathesis_cases']} cases | {suite['schemathesis_exit']} |\n"
        )
    sizes_ok = True
    if not args.no_data_sizes:
        from data_sizes import measure_data_sizes  # bench/data_sizes.py; also writes results/data-sizes.*

        sizes, sizes_ok = measure_data_sizes()
        text += "\n" + sizes
    print("\n" + text)
    (RESULTS / "latest.md").write_text(text)
    (RESULTS / "latest.json").write_text(
        json.dumps(
            {
                "machine": machine,
                "duration_s": args.duration,
                "results": [r.__dict__ for r in results],
                "contract_suite": suite,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written: {RESULTS / 'latest.md'}, {RESULTS / 'latest.json'}")
    return 0 if all(r.ok for r in results) and sizes_ok else 1


if __name__ == "__main__":
    sys.exit(main())
