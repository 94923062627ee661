"""Load the files of a mock (spec, and data file in data mode) into an engine state.

Flask-free, so that a child process can check a new version of the files with the same
code the server uses (see :mod:`mockserver.sandbox`). Files may be read from a copy
(``spec_file``, ``data_file``, ``usage_file``) while messages keep naming the user's files.
"""

from __future__ import annotations

from pathlib import Path

from mockserver.core.engine import MockState, build_state
from mockserver.settings import MockSettings
from usage_contract_kit.spec import load_spec
from usage_contract_kit.verdicts import FileMemo

__all__ = ["load_state"]


def load_state(
    settings: MockSettings,
    *,
    spec_file: Path | None = None,
    data_file: Path | None = None,
    usage_file: Path | None = None,
) -> MockState:
    """Load the spec and, in data mode, the data file (and usage CSV) into a fresh engine state."""
    spec = load_spec(
        spec_file or settings.spec,
        source=str(settings.spec),
        max_bytes=settings.max_spec_bytes,
        limit_name="--max-spec-mb, MOCKSERVER_MAX_SPEC_MB",
        memo=FileMemo(),
        lenient=settings.lenient,
        max_nodes=settings.max_spec_nodes,
        nodes_limit_name="--max-spec-nodes, MOCKSERVER_MAX_SPEC_NODES",
    )
    backend = None
    if settings.data is not None:
        # The usage-specific module is wired in here only, when data mode asks for it.
        from mockserver.usage_data import UsageFile, load_usage_data

        usage = None
        if settings.usage is not None:
            usage = UsageFile(
                usage_file or settings.usage,
                source=str(settings.usage),
                max_bytes=settings.max_usage_bytes,
                limit_name="--max-usage-mb, MOCKSERVER_MAX_USAGE_MB",
            )
        backend = load_usage_data(
            data_file or settings.data,
            spec,
            source=str(settings.data),
            max_bytes=settings.max_data_bytes,
            limit_name="--max-data-mb, MOCKSERVER_MAX_DATA_MB",
            usage=usage,
        )
    return build_state(
        spec,
        backend,
        admin_prefix=settings.admin_prefix,
        max_delay_ms=settings.max_delay_ms,
        max_body_bytes=settings.max_body_bytes,
        lenient=settings.lenient,
    )
