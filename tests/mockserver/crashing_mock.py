"""``python -m tests.mockserver.crashing_mock ARGS``: the real mock, with an engine fault.

The engine raises on any path ending in ``/crash`` (a stand-in for a bug of the mock's
own); everything else is the real command line, forking the real workers.
"""

from __future__ import annotations

from typing import Any

import mockserver.wsgi

SECRET = "engine-fault-detail-7f3a"
_handle = getattr(mockserver.wsgi, "handle")  # noqa: B009 - replaced below, by name


def _faulty_handle(state: Any, request: Any) -> Any:
    if request.path.endswith("/crash"):
        raise RuntimeError(f"a fault inside the engine ({SECRET})")
    return _handle(state, request)


setattr(mockserver.wsgi, "handle", _faulty_handle)  # noqa: B010 - the name wsgi.py calls

if __name__ == "__main__":
    from mockserver.cli import main

    main(prog_name="crashing_mock")
