"""The kit as users get it: a wheel built from this checkout, installed into fresh virtual
environments outside the repository, and its commands run from other directories.

Helpers of the packaging tests (``make test-package``): they take minutes (a build and
several installs), so they are marked ``package`` and are not part of ``make test``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import venv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.server import start_server, stop_process

ROOT = Path(__file__).resolve().parents[2]
DEMO_KEY = "idt_live_acmeFrontend00000000000000000001"  # data/sample-keys.yaml: reads org_1 and org_2
DEMO_OTHER_KEY = "idt_live_globexDashboard00000000000000002"  # reads org_3
DEMO_SETTINGS = {
    "CONTRACT_API_KEY": DEMO_KEY,
    "CONTRACT_ORG_ID": "org_1",
    "CONTRACT_OTHER_ORG_ID": "org_3",
    "CONTRACT_OTHER_API_KEY": DEMO_OTHER_KEY,
    "CONTRACT_MISSING_ORG_ID": "org_404",
    "CONTRACT_WINDOW_START": "1735689600000",  # January and February 2025
    "CONTRACT_WINDOW_END": "1740787199999",
}
INSTALL_TIMEOUT = 600.0
RUN_TIMEOUT = 300.0


def clean_environ(**extra: str) -> dict[str, str]:
    """The process environment without this repository's traces: no CONTRACT_*, no virtual environment."""
    drop = ("CONTRACT_", "VIRTUAL_ENV", "PYTHONPATH", "PYTEST_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return env | extra


@dataclass(frozen=True)
class Environment:
    """A virtual environment with the kit installed; ``seconds`` is how long the install took."""

    name: str
    root: Path
    seconds: float
    log: str

    def command(self, name: str) -> str:
        return str(self.root / "bin" / name)

    def environ(self, **extra: str) -> dict[str, str]:
        return clean_environ(PATH=f"{self.root / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", **extra)

    def run(
        self, *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = RUN_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        """Run one of the environment's commands (``args[0]``) from ``cwd``; output captured."""
        return subprocess.run(
            [self.command(args[0]), *args[1:]],
            cwd=cwd,
            env=self.environ(**(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def build(outdir: Path) -> tuple[Path, str]:
    """Build the sdist and, from it, the wheel (``python -m build``); the wheel and the build's output."""
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(outdir), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        env=clean_environ(),
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    (wheel,) = outdir.glob("*.whl")
    return wheel, result.stdout + result.stderr


def install(name: str, where: Path, *requirements: list[str]) -> Environment:
    """A fresh virtual environment at ``where``, then one ``pip install`` per argument list."""
    started = time.monotonic()
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    log = []
    for arguments in requirements:
        result = subprocess.run(
            [
                str(where / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *arguments,
            ],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            cwd=where,
            env=clean_environ(),
            check=False,
        )
        log.append(result.stdout + result.stderr)
        if result.returncode != 0:
            raise RuntimeError(f"pip install {arguments} failed:\n{log[-1][-3000:]}")
    return Environment(name, where, time.monotonic() - started, "\n".join(log))


@contextlib.contextmanager
def serving(environment: Environment, *args: str, cwd: Path, log: Path) -> Iterator[str]:
    """``mockserver ARGS --port N`` from ``environment``, run from ``cwd``, until the block ends; its base URL."""

    def spawn(port: int, out: IO[bytes]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [environment.command("mockserver"), *args, "--port", str(port)],
            cwd=cwd,
            env=environment.environ(PYTHONUNBUFFERED="1"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    process, base = start_server(spawn, log=log, timeout=30)
    try:
        yield base
    finally:
        stop_process(process, timeout=30)
