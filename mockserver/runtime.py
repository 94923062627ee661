"""The mock's per-app state, kept in ``app.extensions["mockserver"]``.

Its own module so that the shell's parts (the app factory, the WSGI shell, the admin
blueprint) all depend on it and not on each other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from mockserver.access_log import AccessLog
from mockserver.journal import Journal
from mockserver.reload_status import ReloadStatus
from mockserver.reloading import Follower, LiveState, Reloader
from mockserver.settings import MockSettings

__all__ = ["MockRuntime"]


@dataclass
class MockRuntime:
    """Per-app state, kept in ``app.extensions["mockserver"]``."""

    settings: MockSettings
    live: LiveState
    journal: Journal
    status: ReloadStatus
    reloader: Reloader | None = None
    follower: Follower | None = None
    violations: Journal | None = None  # the proxy's journal of contract violations (None: not a proxy)
    upstream: str | None = None  # the proxy's upstream
    access_log: AccessLog = field(default_factory=lambda: AccessLog(logging.getLogger("mockserver")))

    @property
    def mode(self) -> str:
        return "data" if self.settings.data is not None else "example"

    def follow(self) -> None:
        """In a worker forked from the reloading process: take every generation it publishes."""
        if self.follower is not None and self.reloader is not None:
            self.reloader = None  # the reloader thread stayed in the parent
            self.follower.start()

    def stop(self) -> None:
        """Stop the background threads (reloader or follower) of this process."""
        for loop in (self.reloader, self.follower):
            if loop is not None:
                loop.stop()
