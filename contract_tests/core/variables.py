"""The suite's settings as its users see them: each ``CONTRACT_*`` variable with its
``--contract-*`` option and meaning, the exit codes and the keys of a targets file.

One table for ``usage-contract --help``, the pytest options and the README, so they
cannot drift apart. Pure data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contract_tests.core.settings import ENV, FILE_KEYS

__all__ = ["EXIT_CODES", "NAME", "SETTINGS", "TARGET_FILE_KEYS", "Setting", "option_name"]


@dataclass(frozen=True)
class Setting:
    """One setting: its variable, its pytest option, whether the option is a flag, what it means."""

    name: str
    variable: str
    option: str
    meaning: str
    flag: bool = False


def option_name(variable: str) -> str:
    """The option of a variable: ``CONTRACT_ORG_ID`` -> ``--contract-org-id``."""
    return "--" + variable.lower().replace("_", "-")


_MEANINGS: Mapping[str, str] = {
    "base_url": "the implementation under test, with any path prefix it is served under (required)",
    "api_key": "a key the target issued (required unless partial runs are allowed; prefer the variable: "
    "argv is visible to others)",
    "org_id": "an organization the key may read (required unless partial runs are allowed)",
    "other_org_id": "an existing organization the key may NOT read (without it the 403 checks are skipped)",
    "other_api_key": "a key that may read CONTRACT_OTHER_ORG_ID (without it the cross-tenant checks are skipped)",
    "missing_org_id": "an organization id known not to exist (without it the 404 check is skipped)",
    "window_start": "start of a historical window (epoch ms) whose usage no longer changes",
    "window_end": "end of that window (epoch ms); both or neither",
    "timeout": "seconds to wait for each answer (default 5)",
    "latency_budget": "slowest acceptable answer in seconds (default 1)",
    "semantics": "false switches the usage-semantics checks off (default true)",
    "spec": "the OpenAPI document (default: the contract shipped with the kit)",
    "run_budget": "seconds the whole run may send requests (default 900)",
    "ca_bundle": "PEM file of the CA(s) that signed the target's certificate (default: public CAs)",
    "allow_partial": "1: run without a key and an organization; only the checks that need neither run",
    "strict": "1: a check that did not run fails the run",
}
# CONTRACT_SEMANTICS=false is the option --contract-no-semantics.
_FLAG_OPTIONS: Mapping[str, str] = {
    "semantics": "--contract-no-semantics",
    "allow_partial": option_name(ENV["allow_partial"]),
    "strict": option_name(ENV["strict"]),
}

SETTINGS: tuple[Setting, ...] = tuple(
    Setting(
        name,
        variable,
        _FLAG_OPTIONS.get(name, option_name(variable)),
        _MEANINGS[name],
        flag=name in _FLAG_OPTIONS,
    )
    for name, variable in ENV.items()
)

# Not a setting of the target: what reports call it (usage-contract sets it for each target of a file).
NAME = Setting(
    "target_name", "CONTRACT_TARGET_NAME", "--contract-target-name", "the target's name in reports (default: target)"
)

EXIT_CODES: Mapping[int, str] = {
    0: "every target passed (with CONTRACT_STRICT=1, every check also ran)",
    1: "a check failed",
    2: "the run was interrupted",
    3: "an internal error of pytest or a plugin",
    4: "the suite could not run: no target, no key or organization, a bad setting, an unreadable spec or targets file",
    5: "no check was selected (a -k or -m expression that matches none)",
}

_FILE_MEANINGS: Mapping[str, str] = {
    "name": "the target's name in reports and its report folder (letters, digits, '.', '_', '-'; default target-N)",
    "api_key_env": "the NAME of the environment variable holding the target's key (keys are never written in the file)",
    "other_api_key_env": "the name of the variable holding a key that may read other_org_id",
}
# In the order of the variables; a key is named by its variable (api_key -> api_key_env).
TARGET_FILE_KEYS: Mapping[str, str] = {
    key: _FILE_MEANINGS.get(key) or f"as {ENV[key]}"
    for key in ["name"] + [f"{name}_env" if f"{name}_env" in FILE_KEYS else name for name in ENV]
}
