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


def measured_cli(*args: str) -> tuple[int, str, float, float]:
    """Exit code, output, seconds and peak memory (MB) of ``python -m mockserver ARGS``."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    with process.stdout:
        output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, output, time.perf_counter() - started, usage.ru_maxrss / 1024
