"""Print the reliability figures of the mock, measured on this machine (make reliability).

Each measurement is bounded in time and runs the real command line on loopback:

* hostile files at startup: ``mockserver --check`` on a "billion laughs" spec and data
  file, refs that multiply to 2**40 nodes and a 30 MB spec: exit code, seconds, peak memory;
* the YAML reader against ``yaml.load`` on a 10 MB data file: seconds and peak memory;
* a worker killed with SIGKILL under load (keep-alive connections from a thread pool): the
  share of requests in the next 5 s that did not get their normal answer;
* 32 delays of 10 s whose clients left at once, then normal requests: their answer times;
* a second server on a busy port: exit code, message and seconds;
* Ctrl-C (SIGINT to the server's process group) with every core kept busy by spinning
  processes: seconds to exit, and the stops whose log holds a warning or an error.

    python scripts/reliability.py [--threads 16] [--stops 20]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mockserver.hostile import laughs, measured_cli, ref_bomb  # noqa: E402
from tests.server import get_json, health_by_worker, mock_process, steady_load  # noqa: E402

DATA = ROOT / "data" / "sample-usage.yaml"
SPEC = ROOT / "openapi.yaml"
KEY = "idt_live_acmeFrontend00000000000000000001"
GOOD = "/organizations/org_1/usage?startDate=1735689600000&endDate=1738367999999"


def hostile_files(folder: Path) -> None:
    print("\nHostile files at startup (mockserver --check):")
    print("| file | exit | seconds | peak MB | message |\n| --- | --- | --- | --- | --- |")
    cases = {
        "billion laughs spec (10**9 strings)": ("spec", laughs()),
        "billion laughs data file": ("data", laughs(top="apiKeys: []")),
        "refs that multiply (2**40 nodes)": ("spec", ref_bomb()),
        "30 MB spec (limit 20 MB)": ("spec", None),
    }
    for name, (kind, text) in cases.items():
        path = folder / "hostile.yaml"
        if text is None:
            path.write_bytes(b"")
            os.truncate(path, 30 * 1024 * 1024)
        else:
            path.write_text(text)
        args = ["--spec", str(path)] if kind == "spec" else ["--spec", str(SPEC), "--data", str(path)]
        code, output, seconds, peak = measured_cli(*args, "--check")
        message = output.strip().replace(str(path), "FILE")
        print(f"| {name} | {code} | {seconds:.2f} | {peak:.0f} | {message[:110]} |")


_READ = """
import resource, sys, time, yaml
from usage_contract_kit.documents import read_yaml
from mockserver.errors import DataError
from mockserver.loading import load_state
from mockserver.settings import DEFAULTS, parse_settings
settings = parse_settings({**DEFAULTS, "MOCK_DATA": sys.argv[1]})
load_state(parse_settings(DEFAULTS))  # imports and the spec, not measured
started = time.perf_counter()
if sys.argv[2] == "read_yaml":
    read_yaml(sys.argv[1], source="data", max_bytes=1 << 30, limit_name="-", error=DataError)
elif sys.argv[2] == "yaml.load":
    yaml.load(open(sys.argv[1], "rb"), Loader=yaml.CSafeLoader)
else:
    load_state(settings)
print(f"{time.perf_counter() - started:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
"""

_READERS = {
    "read_yaml": "mockserver.documents.read_yaml",
    "yaml.load": "yaml.load (C loader), as before",
    "load_state": "the whole data-mode load (read, check, index)",
}


def yaml_reader(folder: Path) -> None:
    text = DATA.read_text()
    org = text[text.index("  - id: org_3") :]
    path = folder / "data-10mb.yaml"
    copies = [org.replace("id: org_3", f"id: org_x{n}", 1) for n in range(10 * 1024 * 1024 // len(org) + 1)]
    path.write_text(text + "".join(copies))
    print(f"\nReading {path.stat().st_size / 1024 / 1024:.1f} MB of data YAML (each in a fresh process):")
    print("| reader | seconds | peak MB (process) |\n| --- | --- | --- |")
    for reader, name in _READERS.items():
        out = subprocess.run(
            [sys.executable, "-c", _READ, str(path), reader], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        print(f"| {name} | {out[0]} | {out[1]} |")


def killed_worker(folder: Path, threads: int) -> None:
    with mock_process("--data", str(DATA), "--log-level", "warning", log=folder / "kill.log") as (process, base):
        with urllib.request.urlopen(urllib.request.Request(base + GOOD, headers={"X-API-Key": KEY})) as response:
            expected = response.read()
        victim = next(iter(health_by_worker(base)))
        killed_at: list[float] = []

        def kill() -> None:
            time.sleep(1.0)
            killed_at.append(time.monotonic())
            os.kill(victim, signal.SIGKILL)

        killer = threading.Thread(target=kill)
        killer.start()
        results = steady_load(base + GOOD, headers={"X-API-Key": KEY}, expected=expected, threads=threads, seconds=6.5)
        killer.join()
        window = [ok for answered, ok in results if killed_at[0] <= answered < killed_at[0] + 5]
        failed = window.count(False)
        alive = process.poll() is None
        replaced = len(set(health_by_worker(base)) - {victim}) == 2
    print(f"\nOne of two workers killed (SIGKILL) under load from {threads} keep-alive connections:")
    print(f"  requests in the next 5 s: {len(window):,}, failed: {failed} ({100 * failed / len(window):.3f} %)")
    print(f"  server still serving: {alive}; worker replaced: {replaced}")


def abandoned_delays(folder: Path) -> None:
    with mock_process(log=folder / "delays.log") as (_, base):
        host, port = base.removeprefix("http://").split(":")
        for _ in range(32):
            with socket.create_connection((host, int(port)), timeout=5) as sock:
                sock.sendall(f"GET {GOOD}&__delay=10000 HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        time.sleep(0.5)
        times = []
        for _ in range(20):
            started = time.perf_counter()
            assert get_json(base + GOOD, {"X-API-Key": KEY})[0] == 200
            times.append((time.perf_counter() - started) * 1000)
        status, body = get_json(base + GOOD + "&__delay=100", {"X-API-Key": KEY})
        print("\n32 delays of 10 s whose clients left at once, then 20 normal requests (new connections):")
        print(f"  answer time: median {statistics.median(times):.1f} ms, slowest {max(times):.1f} ms")
        print(f"  one more delay: {status} {body.get('message', '')}")


def busy_port(folder: Path) -> None:
    with mock_process(log=folder / "first.log") as (_, base):
        port = base.rsplit(":", 1)[1]
        started = time.perf_counter()
        second = subprocess.run(
            [sys.executable, "-m", "mockserver", "--port", port], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        seconds = time.perf_counter() - started
    print("\nA second server on the port of a running one:")
    print(f"  exit code {second.returncode} after {seconds:.2f} s: {second.stderr.strip().splitlines()[-1]}")


def stops_under_load(folder: Path, stops: int) -> None:
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range((os.cpu_count() or 1) + 1)]
    seconds, noisy = [], 0
    try:
        for index in range(stops):
            log = folder / f"stop-{index}.log"
            with mock_process(log=log) as (process, _):
                time.sleep(0.3)
                started = time.perf_counter()
                os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
                try:
                    process.wait(timeout=60)
                finally:
                    seconds.append(time.perf_counter() - started)
            text = log.read_text()
            noisy += "WARNING" in text or "ERROR" in text
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    print(f"\nCtrl-C with every core busy ({len(spinners)} spinning processes), {stops} stops:")
    print(f"  seconds to exit: median {statistics.median(seconds):.2f}, slowest {max(seconds):.2f}")
    print(f"  stops whose log holds a warning or an error: {noisy}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=16, help="keep-alive connections while a worker is killed")
    parser.add_argument("--stops", type=int, default=20, help="Ctrl-C stops with every core busy")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}; loopback.")
    with tempfile.TemporaryDirectory(prefix="mock-reliability-") as temporary:
        folder = Path(temporary)
        hostile_files(folder)
        yaml_reader(folder)
        killed_worker(folder, args.threads)
        abandoned_delays(folder)
        busy_port(folder)
        stops_under_load(folder, args.stops)
    return 0


if __name__ == "__main__":
    sys.exit(main())
