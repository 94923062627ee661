"""Fuzz the running mock with plain schemathesis, every check, both generation modes, all phases.

Starts the mock (example mode, then data mode with the sample data and a readable
organization pinned) on a free loopback port, runs ``schemathesis run --checks all``
with the given example budget, prints the generated-case counts, stops the mock by PID.
Exit code 0 only if schemathesis found nothing in both modes.

    python scripts/fuzz.py [--examples 10000] [--modes example,data]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "idt_live_acmeFrontend00000000000000000001"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fuzz(mode: str, examples: int, workdir: Path) -> tuple[int, int, str]:
    port = free_port()
    args = [sys.executable, "-m", "mockserver", "--port", str(port), "--log-level", "warning"]
    if mode == "data":
        args += ["--data", str(ROOT / "data" / "sample-usage.yaml")]
    server = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/__admin/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        config = workdir / f"{mode}.toml"
        # Data mode: aim at an organization the key may read, so the success path is fuzzed too.
        config.write_text('[parameters]\n"path.organizationId" = "org_1"\n' if mode == "data" else "")
        command = [
            str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config), "run", str(ROOT / "openapi.yaml"),
            "--url", base, "-H", f"X-API-Key: {KEY}", "--checks", "all", "--mode", "all",
            "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", str(examples), "--seed", "2026",
            "--generation-database", "none", "--request-timeout", "10", "--no-color",
        ]  # fmt: skip
        env = {**os.environ, "SCHEMATHESIS_HOOKS": "contract_tests.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
        result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=3600)
        found = re.search(r"(\d+) generated", result.stdout)
        return result.returncode, int(found.group(1)) if found else 0, result.stdout
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--examples", type=int, default=10000, help="schemathesis --max-examples per mode (default 10000)"
    )
    parser.add_argument("--modes", default="example,data")
    args = parser.parse_args()
    worst = 0
    with tempfile.TemporaryDirectory() as workdir:
        for mode in args.modes.split(","):
            started = time.monotonic()
            code, generated, output = fuzz(mode, args.examples, Path(workdir))
            print(f"{mode} mode: {generated} generated requests, exit {code}, {time.monotonic() - started:.0f} s")
            if code != 0:
                print(output[-6000:])
            worst = max(worst, code)
    return worst


if __name__ == "__main__":
    sys.exit(main())
