"""Hostile files for the tests and for ``make reliability``, and a measured ``mockserver`` run."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import yaml

from tests.conftest import ROOT, SPEC_PATH


def laughs(levels: int = 9, *, top: str = "openapi: 3.0.3") -> str:
    """A "billion laughs" YAML file: ``levels`` of ten aliases each (10**levels strings)."""
    lines = [top, 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def ref_bomb(levels: int = 40) -> str:
    """The project spec plus schemas that each use the previous one twice (2**levels nodes)."""
    document = yaml.safe_load(SPEC_PATH.read_text())
    schemas = document["components"]["schemas"]
    schemas["B0"] = {"type": "string"}
    for n in range(1, levels + 1):
        ref = {"$ref": f"#/components/schemas/B{n - 1}"}
        schemas[f"B{n}"] = {"type": "object", "properties": {"a": ref, "b": dict(ref)}}
    return yaml.safe_dump(document)


def padded(text: str, megabytes: float) -> str:
    return text + "# " + "x" * int(megabytes * 1024 * 1024) + "\n"


# A small launcher forks and runs the command, then writes its peak memory to the fd it is
# given (its first argument). Linux
# carries a process's peak over exec from the process it was forked from, so measured from
# the test process (hundreds of MB) the figure would be the test's, not the command's.
_LAUNCHER = """
import os, sys
report = int(sys.argv[1])
pid = os.fork()
if pid == 0:
    os.close(report)
    os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
os.write(report, str(usage.ru_maxrss).encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measured_cli(*args: str) -> tuple[int, str, float, float]:
    """Exit code, output, seconds and peak memory (MB) of ``python -m mockserver ARGS``."""
    started = time.perf_counter()
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, str(write_end), "-m", "mockserver", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        pass_fds=(write_end,),
    )
    os.close(write_end)
    assert process.stdout is not None
    with process.stdout:
        output = process.stdout.read().decode()
    process.wait()
    with os.fdopen(read_end, "rb") as peak:
        maxrss_kb = int(peak.read() or b"0")
    return process.returncode, output, time.perf_counter() - started, maxrss_kb / 1024
