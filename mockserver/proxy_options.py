"""The command line's proxy options: ``mockserver --proxy UPSTREAM`` and what goes with it.

:func:`proxy_options` adds them to the ``mockserver`` command (which takes them as keyword
arguments), and :func:`proxy_config` turns them into the ``MOCK_PROXY*`` keys of
``create_app``; a proxy option without ``--proxy`` is a usage error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from mockserver.proxy_settings import check_upstream
from mockserver.settings import SettingsError

__all__ = ["proxy_config", "proxy_options"]

F = TypeVar("F", bound=Callable[..., Any])
_ONLY_WITH_PROXY = ("fallback", "violations_header", "reject_violations", "upstream_ca_bundle")


def _upstream(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return check_upstream(value, "--proxy")
    except SettingsError as exc:
        raise click.BadParameter(str(exc).replace("setting ", ""), ctx, param) from None


_OPTIONS = (
    click.option(
        "--proxy",
        metavar="UPSTREAM",
        default=None,
        callback=_upstream,
        help="Be a validating proxy: forward each request to UPSTREAM (an http:// or https:// URL, with any base "
        "path), pass its answer back and check both against the spec (GET /__admin/violations lists what broke).",
    ),
    click.option(
        "--fallback",
        is_flag=True,
        help="With --proxy: when the upstream gives no answer (down, refusing, too slow), the mock answers "
        "instead (header X-Contract-Proxy: fallback).",
    ),
    click.option(
        "--violations-header",
        is_flag=True,
        help="With --proxy: add X-Contract-Violations (how many, and the first) to answers that break the contract.",
    ),
    click.option(
        "--reject-violations",
        is_flag=True,
        help="With --proxy: answer 502 with the violations instead of passing on an answer that breaks the "
        "contract (Prism's --errors).",
    ),
    click.option(
        "--upstream-timeout",
        type=click.FloatRange(0, min_open=True),
        default=5.0,
        help="With --proxy: seconds to connect and per read; a whole exchange may take three times that.",
    ),
    click.option(
        "--max-upstream-mb",
        type=click.FloatRange(0, min_open=True),
        default=10,
        help="With --proxy: the largest answer passed on (and request body forwarded), in megabytes.",
    ),
    click.option(
        "--upstream-ca-bundle",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="With --proxy: PEM file of the private CA that signed an https upstream's certificate.",
    ),
)


def proxy_options(command: F) -> F:
    """Add the proxy's options to a click command."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def proxy_config(options: Mapping[str, Any]) -> dict[str, Any]:
    """The ``MOCK_PROXY*`` keys for the options :func:`proxy_options` added ({} without ``--proxy``)."""
    if options["proxy"] is None:
        given = [f"--{name.replace('_', '-')}" for name in _ONLY_WITH_PROXY if options[name]]
        if given:
            raise click.UsageError(f"{', '.join(given)} only apply with --proxy UPSTREAM")
        return {}
    ca_bundle = options["upstream_ca_bundle"]
    return {
        "MOCK_PROXY": options["proxy"],
        "MOCK_PROXY_FALLBACK": options["fallback"],
        "MOCK_PROXY_VIOLATIONS_HEADER": options["violations_header"],
        "MOCK_PROXY_REJECT_VIOLATIONS": options["reject_violations"],
        "MOCK_PROXY_TIMEOUT": options["upstream_timeout"],
        "MOCK_PROXY_MAX_BODY_MB": options["max_upstream_mb"],
        "MOCK_PROXY_CA_BUNDLE": str(ca_bundle) if ca_bundle else None,
    }
