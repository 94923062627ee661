"""Check a new version of the files in a child process, under a memory cap and a time limit.

A reload must never take the server down: files that make the loader run out of memory,
crash or run forever may only cost a refused reload. :func:`check_in_child` runs
``python -m mockserver.sandbox`` on copies of the files, with the child's address space
capped (``RLIMIT_AS``) and a timeout, and returns the one-line reason the files cannot be
served (``None`` when they can). The child parses the same ``MOCK_*`` settings and loads
the files with the very code the server uses (:func:`mockserver.loading.load_state`).
"""

from __future__ import annotations

import importlib
import json
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from usage_contract_kit.launching import child_command, child_environment

__all__ = ["check_in_child", "main"]

_LOAD_ERROR, _OUT_OF_MEMORY, _UNEXPECTED = 2, 3, 4


def check_in_child(
    config: Mapping[str, Any],
    *,
    spec_file: Path,
    data_file: Path | None,
    usage_file: Path | None = None,
    memory_mb: int,
    timeout: float,
) -> str | None:
    """Why the files cannot be served, or ``None``; ``config`` holds the ``MOCK_*`` settings."""
    request = json.dumps(
        {
            "config": {k: v for k, v in config.items() if k.startswith("MOCK_")},
            "spec_file": str(spec_file),
            "data_file": str(data_file) if data_file else None,
            "usage_file": str(usage_file) if usage_file else None,
            "memory_mb": memory_mb,
        },
        default=str,
    )
    try:
        result = subprocess.run(  # noqa: S603 - this interpreter, our code; the request goes on stdin
            child_command("-m", "mockserver.sandbox"),
            input=request,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=child_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"loading took longer than {timeout:g} s and was stopped (MOCKSERVER_RELOAD_TIMEOUT)"
    except OSError as exc:
        return f"could not start the loading check ({exc.strerror or exc})"
    said = (result.stdout.strip().splitlines() or result.stderr.strip().splitlines() or [""])[-1]
    if result.returncode == 0:
        return None
    if result.returncode == _LOAD_ERROR:
        return said
    if result.returncode == _OUT_OF_MEMORY:
        return f"loading needs more than {memory_mb} MB of memory and was stopped (MOCKSERVER_RELOAD_MEMORY_MB)"
    if result.returncode < 0:
        name = signal.Signals(-result.returncode).name
        return f"loading crashed ({name}), as a loader over its memory cap of {memory_mb} MB can"
    return f"loading failed: {said or f'exit code {result.returncode}'}"


def preload() -> None:
    """Import the loader and what it imports when first needed, before the cap, which is for the files.

    The spec's validator is imported when a spec is first validated (not when its verdict
    is cached), data mode's modules when data mode is on; imported under a small cap, the
    validator failed with a ``SystemError``.
    """
    for module in ("mockserver.loading", "openapi_spec_validator.shortcuts", "mockserver.usage_data"):
        importlib.import_module(module)


def main() -> None:
    """The child: load the files named on stdin under the memory cap, report by exit code."""
    preload()
    from mockserver.loading import load_state
    from mockserver.settings import DEFAULTS, parse_settings
    from usage_contract_kit.errors import LoadError

    request = json.loads(sys.stdin.read())
    if sys.platform != "win32":
        import resource

        limit = int(request["memory_mb"]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        settings = parse_settings({**DEFAULTS, **request["config"]})
        data_file, usage_file = request["data_file"], request["usage_file"]
        load_state(
            settings,
            spec_file=Path(request["spec_file"]),
            data_file=Path(data_file) if data_file else None,
            usage_file=Path(usage_file) if usage_file else None,
        )
    except LoadError as exc:
        print(str(exc).replace("\n", " "))
        sys.exit(_LOAD_ERROR)
    except MemoryError:
        sys.exit(_OUT_OF_MEMORY)
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}".replace("\n", " ")[:1000])
        sys.exit(_UNEXPECTED)


if __name__ == "__main__":
    main()
