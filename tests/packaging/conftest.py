"""One wheel per session, and the environments it is installed into (two installs at a time).

Every test module here is marked ``package`` (``make test-package``). The session writes what it
measured (wheel size, each install's time) to ``reports/package/figures.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.packaging.kit import ROOT, Environment, build, install


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built from this checkout (through its sdist), and the build's output."""
    return build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def wheel(built: tuple[Path, str]) -> Path:
    return built[0]


# profile -> the pip install argument lists, in order ({wheel} is the built wheel)
PROFILES: dict[str, list[list[str]]] = {
    "mock": [["{wheel}"]],
    "suite": [["{wheel}[suite]"]],
    "all": [["{wheel}[all]"]],
    "suite from the lock": [["-r", str(ROOT / "requirements" / "suite.txt")], ["--no-deps", "{wheel}"]],
    "mock from the lock": [["-r", str(ROOT / "requirements" / "mock.txt")], ["--no-deps", "{wheel}"]],
}


@pytest.fixture(scope="session")
def environment(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Environment]]:
    """``environment(profile)``: a fresh virtual environment, outside the repository, with the kit installed."""
    root = tmp_path_factory.mktemp("environments")
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="install")
    futures: dict[str, Future[Environment]] = {
        name: pool.submit(
            install,
            name,
            root / name.replace(" ", "-"),
            *[[argument.format(wheel=wheel) for argument in arguments] for arguments in steps],
        )
        for name, steps in PROFILES.items()
    }
    yield lambda name: futures[name].result()
    pool.shutdown(wait=True, cancel_futures=True)
    figures = {
        "wheel": wheel.name,
        "wheel_bytes": wheel.stat().st_size,
        "install_seconds": {
            name: round(f.result().seconds, 1) for name, f in futures.items() if f.done() and not f.exception()
        },
    }
    folder = ROOT / "reports" / "package"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")
