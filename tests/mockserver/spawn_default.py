"""``python -m tests.mockserver.spawn_default ARGS``: ``mockserver ARGS`` where the interpreter starts processes by spawning.

That is the default on macOS, and on Linux from Python 3.14 (forkserver, which Granian takes
as spawn); the mock must fork its workers there too (``mockserver.serving``).
"""

import multiprocessing

from mockserver.launch import run

multiprocessing.set_start_method("spawn")
run(prog_name="mockserver")
