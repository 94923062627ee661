"""The lock files pin every dependency of their install profile, and nothing of the suite creeps into the mock's."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SELF = re.compile(r"usage-contract-kit\[(\w+)\]")


def _names(requirements: list[str]) -> set[str]:
    found: set[str] = set()
    for requirement in requirements:
        if (extra := SELF.fullmatch(requirement)) is not None:
            found |= _names(PROJECT["optional-dependencies"][extra.group(1)])
        else:
            found.add(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-"))
    return found


def _pinned(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {
        name.lower().replace("_", "-"): version
        for name, version in re.findall(r"^([\w.-]+)==(\S+)", text, re.MULTILINE)
    }


@pytest.mark.parametrize(
    ("lock", "extras"), [("mock.txt", []), ("suite.txt", ["suite"]), ("dev.txt", ["dev"])], ids=["mock", "suite", "dev"]
)
def test_a_lock_pins_every_dependency_of_its_profile(lock: str, extras: list[str]) -> None:
    wanted = _names(PROJECT["dependencies"])
    for extra in extras:
        wanted |= _names(PROJECT["optional-dependencies"][extra])
    pinned = _pinned(lock)
    assert wanted - set(pinned) == set(), f"requirements/{lock} is older than pyproject.toml: run make lock"
    assert all(re.fullmatch(r"[\w.+!-]+", version) for version in pinned.values())


def test_the_mocks_lock_holds_nothing_of_the_suite() -> None:
    pinned = _pinned("mock.txt")
    assert not {"pytest", "schemathesis", "hypothesis", "requests"} & set(pinned)


def test_the_locks_agree_on_every_version() -> None:
    locks = [_pinned(name) for name in ("mock.txt", "suite.txt", "dev.txt")]
    for name in set(locks[0]) & set(locks[1]) & set(locks[2]):
        assert len({lock[name] for lock in locks}) == 1, name
