"""Which implementation to check, and how: a typed :class:`Target` built once, at the edge.

Values come from command-line options, then ``CONTRACT_*`` environment variables (the
interface CI systems use), then built-in defaults. A targets file (YAML) describes several
vendors; secrets in it are given as the *name* of an environment variable
(``api_key_env: VENDOR_A_KEY``) so that keys never sit in the file, and each target's name
must be a plain file name (its reports go into a folder of that name). A bad value raises
:class:`TargetError` naming the setting, the value and what is allowed. A target's ``repr``
shows its secrets as ``***``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from usage_contract_kit.documents import read_yaml
from usage_contract_kit.errors import LoadError
from usage_contract_kit.packaged import CONTRACT

__all__ = ["ENV", "FILE_KEYS", "Target", "TargetError", "load_targets", "target_from"]

# Setting name -> environment variable.
ENV: Mapping[str, str] = {
    "base_url": "CONTRACT_BASE_URL",
    "api_key": "CONTRACT_API_KEY",
    "org_id": "CONTRACT_ORG_ID",
    "other_org_id": "CONTRACT_OTHER_ORG_ID",
    "other_api_key": "CONTRACT_OTHER_API_KEY",
    "missing_org_id": "CONTRACT_MISSING_ORG_ID",
    "window_start": "CONTRACT_WINDOW_START",
    "window_end": "CONTRACT_WINDOW_END",
    "timeout": "CONTRACT_TIMEOUT",
    "latency_budget": "CONTRACT_LATENCY_BUDGET",
    "semantics": "CONTRACT_SEMANTICS",
    "spec": "CONTRACT_SPEC",
    "run_budget": "CONTRACT_RUN_BUDGET",
    "ca_bundle": "CONTRACT_CA_BUNDLE",
    "allow_partial": "CONTRACT_ALLOW_PARTIAL",
    "strict": "CONTRACT_STRICT",
}
_SECRETS = ("api_key", "other_api_key")
_FLAGS = ("semantics", "allow_partial", "strict")
_NUMBERS = ("window_start", "window_end", "timeout", "latency_budget", "run_budget")
# A target's name becomes a folder of the report directory: one plain path component.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class TargetError(ValueError):
    """A target setting the suite cannot use."""


@dataclass(frozen=True)
class Target:
    """One implementation under test."""

    base_url: str
    name: str = "target"
    api_key: str | None = None
    org_id: str | None = None
    other_org_id: str | None = None
    other_api_key: str | None = None
    missing_org_id: str | None = None
    window_start: float | None = None
    window_end: float | None = None
    timeout: float = 5.0
    latency_budget: float = 1.0
    semantics: bool = True
    spec: Path = CONTRACT
    run_budget: float = 900.0
    ca_bundle: Path | None = None
    allow_partial: bool = False
    strict: bool = False

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={'***' if name in _SECRETS and value else value!r}" for name, value in self.__dict__.items()
        )
        return f"Target({shown})"

    @property
    def secrets(self) -> dict[str, str]:
        """Secret value -> the environment variable a reproduction command names instead."""
        return {value: ENV[name] for name in _SECRETS if (value := getattr(self, name))}


def _number(name: str, raw: Any) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise TargetError(f"{name}={raw!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise TargetError(f"{name}={raw!r} is not a finite number")
    return value


def _flag(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise TargetError(f"{name}={raw!r} must be true or false")


def target_from(values: Mapping[str, Any], *, environ: Mapping[str, str] | None = None, name: str = "target") -> Target:
    """Build a target: ``values`` (options; ``None`` means unset) win over ``environ``."""
    env = os.environ if environ is None else environ
    merged: dict[str, Any] = {}
    for key, variable in ENV.items():
        given = values.get(key)
        merged[key] = given if given not in (None, "") else (env.get(variable) or None)
    base_url = merged.pop("base_url")
    if not base_url:
        raise TargetError(f"no target: set {ENV['base_url']} or pass --contract-base-url URL")
    _check_base_url(str(base_url))
    target = Target(base_url=str(base_url).rstrip("/"), name=name)
    updates: dict[str, Any] = {}
    for key in ("api_key", "org_id", "other_org_id", "other_api_key", "missing_org_id"):
        if merged[key] is not None:
            updates[key] = str(merged[key])
    for key in _NUMBERS:
        if merged[key] is not None:
            updates[key] = _number(ENV[key], merged[key])
    for key in _FLAGS:
        if merged[key] is not None:
            updates[key] = _flag(ENV[key], merged[key])
    for key in ("spec", "ca_bundle"):
        if merged[key] is not None:
            updates[key] = Path(merged[key])
    target = replace(target, **updates)
    _check(target)
    return target


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _check_base_url(base_url: str) -> None:
    """A URL every request can be built on, shown in every report: nothing the suite would drop or print."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"base URL {base_url!r} must be an http:// or https:// URL with a host")
    if "@" in parts.netloc:  # never echoed: it may hold a password
        raise TargetError(
            f"base URL {parts.scheme}://***@{parts.netloc.rsplit('@', 1)[1]}{parts.path}: credentials in the URL are never sent "
            f"and would be shown in every report; the key goes in {ENV['api_key']}"
        )
    try:
        parts.port  # noqa: B018 - parsing it is the check
    except ValueError as exc:
        raise TargetError(f"base URL {base_url!r}: {exc}") from None
    if parts.query or parts.fragment or base_url.endswith(("?", "#")):
        raise TargetError(
            f"base URL {base_url!r} must not have a query or a fragment: the suite builds each request's query"
        )
    if any(char.isspace() for char in base_url) or _CONTROL.search(base_url):
        raise TargetError(f"base URL {base_url!r} holds a space or a control character (percent-encode it)")


def _check(target: Target) -> None:
    for name in _SECRETS:
        found = _CONTROL.search(getattr(target, name) or "")
        if found:  # http.client refuses such a header value, with the key in its message
            where = "at its end" if found.start() == len(getattr(target, name)) - 1 else f"at position {found.start()}"
            raise TargetError(
                f"{ENV[name]} holds a control character ({found.group(0)!r}, {where}); a key is sent in an HTTP "
                "header, which cannot carry one: remove it (a line break left by the file the key came from?)"
            )
    if (target.window_start is None) != (target.window_end is None):
        raise TargetError(f"set both {ENV['window_start']} and {ENV['window_end']}, or neither")
    if target.window_start is not None and target.window_end is not None and target.window_end < target.window_start:
        raise TargetError(f"{ENV['window_end']} must not be earlier than {ENV['window_start']}")
    if target.timeout <= 0 or target.latency_budget <= 0 or target.run_budget <= 0:
        raise TargetError(f"{ENV['timeout']}, {ENV['latency_budget']} and {ENV['run_budget']} must be positive seconds")
    if target.other_api_key and not target.other_org_id:
        raise TargetError(f"{ENV['other_api_key']} needs {ENV['other_org_id']}, the organization it may read")


# The keys of a target in a targets file: every setting but the keys, which are named by variable.
FILE_KEYS = frozenset({k for k in ENV if k not in _SECRETS} | {"name", "api_key_env", "other_api_key_env"})
_MAX_TARGETS_BYTES = 1024 * 1024


def load_targets(path: str | Path, *, environ: Mapping[str, str] | None = None) -> list[Target]:
    """Read a targets file: ``targets: [{name, base_url, api_key_env, org_id, ...}, ...]``."""
    env = os.environ if environ is None else environ
    try:
        raw = read_yaml(
            path, source=str(path), max_bytes=_MAX_TARGETS_BYTES, limit_name="targets file", error=LoadError
        )
    except LoadError as exc:
        raise TargetError(str(exc)) from None
    entries = raw.value.get("targets") if isinstance(raw.value, dict) else None
    if not isinstance(entries, list) or not entries:
        raise TargetError(f"{path}: expected a mapping with a non-empty list 'targets'")
    targets: list[Target] = []
    for index, entry in enumerate(entries):
        targets.append(_file_target(entry, f"{path}: targets[{index}]", f"target-{index + 1}", env, targets))
    return targets


def _file_target(entry: Any, where: str, default_name: str, env: Mapping[str, str], earlier: list[Target]) -> Target:
    if not isinstance(entry, dict):
        raise TargetError(f"{where} must be a mapping")
    unknown = set(entry) - FILE_KEYS
    if unknown:
        raise TargetError(f"{where}: unknown key {sorted(unknown)[0]!r}; known: {', '.join(sorted(FILE_KEYS))}")
    name = str(entry.get("name") or default_name)
    if not _NAME.fullmatch(name):
        raise TargetError(
            f"{where}: name {name!r} must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit (it names the target's report folder)"
        )
    if any(target.name == name for target in earlier):
        raise TargetError(f"{where}: name {name!r} is used twice")
    values = {k: v for k, v in entry.items() if k in ENV}
    for secret in _SECRETS:
        variable = entry.get(f"{secret}_env")
        if variable is not None:
            if variable not in env:
                raise TargetError(f"{where}: environment variable {variable} ({secret}_env) is not set")
            values[secret] = env[variable]
    try:
        # Nothing from the process environment leaks into a file-described target.
        return target_from(values, environ={}, name=name)
    except TargetError as exc:
        raise TargetError(f"{where}: {exc}") from None
