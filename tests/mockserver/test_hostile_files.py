"""Hostile and careless files, at startup and at reload, against the real server.

At startup a bomb or an oversized file stops the command with one line and exit code 2,
quickly and in little memory; at reload it is refused in a child process while every worker
keeps serving the last good generation and health says why. (Exact times and memory:
``make reliability``.)
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import DATA_PATH, KEY, SPEC_PATH
from tests.mockserver.hostile import laughs, measured_cli, padded, ref_bomb
from tests.server import get_json, health_by_worker, running_mock, wait_until

pytestmark = pytest.mark.server
KEYS_PATH = DATA_PATH.parent / "sample-keys.yaml"
GOOD = "/organizations/org_1/usage?startDate=1735689600000&endDate=1738367999999"


STARTUP = [
    ("billion laughs spec", "spec", lambda: laughs(), [], "#/a1/0: YAML aliases are not allowed (*a0 at line 3"),
    ("billion laughs data file", "data", lambda: laughs(top="apiKeys: []"), [], "#/a1/0: YAML aliases are not allowed"),
    ("refs that multiply", "spec", ref_bomb, [], "inlining the $refs would make"),
    (
        "oversized spec",
        "spec",
        lambda: padded(SPEC_PATH.read_text(), 2),
        ["--max-spec-mb", "1"],
        "the file is 2 MB, over the limit of 1 MB (--max-spec-mb, MOCKSERVER_MAX_SPEC_MB)",
    ),
    (
        "oversized data file",
        "data",
        lambda: padded(DATA_PATH.read_text(), 2),
        ["--max-data-mb", "1.5"],
        "over the limit of 1.5 MB (--max-data-mb, MOCKSERVER_MAX_DATA_MB)",
    ),
    ("deep nesting", "spec", lambda: "openapi: 3.0.3\nx: " + "[" * 500 + "]" * 500, [], "deeper than 128 levels"),
    (
        "a count of more digits than int() reads",
        "usage",
        lambda: (
            "organizationId,date,usageSms,usageWhatsapp,usageEmail,usageSage\norg_1,2025-01-01,0,0,0," + "9" * 50_000
        ),
        [],
        "line 2, column usageSage: 99999999999999999999... (50,000 digits) is over 2**63 - 1",
    ),
]


@pytest.mark.parametrize(("name", "kind", "make", "options", "fragment"), STARTUP, ids=[c[0] for c in STARTUP])
def test_hostile_file_stops_startup_quickly_in_little_memory(
    name: str, kind: str, make: Callable[[], str], options: list[str], fragment: str, tmp_path: Path
) -> None:
    hostile = tmp_path / ("hostile.csv" if kind == "usage" else "hostile.yaml")
    hostile.write_text(make())
    args = {
        "spec": ["--spec", str(hostile)],
        "data": ["--spec", str(SPEC_PATH), "--data", str(hostile)],
        "usage": ["--spec", str(SPEC_PATH), "--data", str(KEYS_PATH), "--usage", str(hostile)],
    }[kind]
    code, output, seconds, peak_mb = measured_cli(*args, *options, "--check")
    assert code == 2, output
    assert output.startswith(f"error: {hostile}"), output
    assert output.count("\n") == 1, output
    assert fragment in output
    assert "Traceback" not in output
    assert peak_mb < 200, peak_mb  # the bombs, expanded, take gigabytes
    assert seconds < 20, seconds  # a generous bound for a busy machine; expanded, they take minutes


def test_unquoted_date_in_an_example_is_served_as_its_text(tmp_path: Path) -> None:
    text = SPEC_PATH.read_text().replace("usageSms: 1\n", "usageSms: 1\n                      asOf: 2020-01-01\n", 1)
    spec = tmp_path / "dated.yaml"
    spec.write_text(text)
    code, output, _, _ = measured_cli("--spec", str(spec), "--check")
    assert code == 0, output
    with running_mock("--spec", str(spec), log=tmp_path / "mock.log") as base:
        status, body = get_json(base + GOOD, {"X-API-Key": KEY})
    assert (status, body["data"]["asOf"]) == (200, "2020-01-01")


def test_undefined_security_scheme_stops_startup(tmp_path: Path) -> None:
    spec = tmp_path / "open.yaml"
    operation_security = "      security:\n        - ApiKeyAuth: []"
    assert operation_security in SPEC_PATH.read_text()
    spec.write_text(SPEC_PATH.read_text().replace(operation_security, "      security:\n        - PartnerKey: []"))
    code, output, _, _ = measured_cli("--spec", str(spec), "--check")
    assert code == 2
    assert "#/paths/~1organizations~1{organizationId}~1usage/get/security/0/PartnerKey: " in output
    assert "names scheme 'PartnerKey', which components/securitySchemes does not define" in output


class Reloading:
    """A data-mode server on copies of the spec and the data file, reloading every 0.2 s."""

    def __init__(self, base: str, spec: Path, data: Path) -> None:
        self.base, self.spec, self.data = base, spec, data

    def agreed(self) -> tuple[int, str | None]:
        """Generation and last reload error, once every worker reports the same."""
        found: dict[str, tuple[int, str | None, str]] = {}

        def agree() -> bool:
            healths = health_by_worker(self.base)
            views = {(h["generation"], h["lastReloadError"], h["status"]) for h in healths.values()}
            found["view"] = next(iter(views))
            return len(views) == 1

        wait_until(agree, what="every worker reporting the same generation")
        generation, error, status = found["view"]
        assert status == ("degraded" if error else "ok")
        return generation, error

    def settle(self, generation: int, *, error: bool | str) -> str | None:
        """Wait until every worker serves ``generation`` with (or without) a reload error.

        A reload error named by a fragment must say it: one the reloader shows while the test
        is still writing the file (a save is not atomic) is not the one to wait for.
        """

        def settled() -> bool:
            now, problem = self.agreed()
            if isinstance(error, str):
                return now == generation and problem is not None and error in problem
            return now == generation and (problem is not None) == error

        wait_until(settled, what=f"generation {generation} ({'degraded' if error else 'ok'})")
        return self.agreed()[1]


@pytest.fixture(scope="module")
def reloading(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reloading]:
    folder = tmp_path_factory.mktemp("reloading")
    spec, data = folder / "spec.yaml", folder / "data.yaml"
    shutil.copy(SPEC_PATH, spec)
    shutil.copy(DATA_PATH, data)
    args = ["--spec", str(spec), "--data", str(data), "--reload-interval", "0.2", "--max-spec-mb", "1"]
    with running_mock(*args, log=folder / "mock.log") as base:
        yield Reloading(base, spec, data)


def _touch(path: Path, text: str) -> None:
    path.write_text(text)
    later = time.time_ns() + 10**9  # a new stamp even if the clock has not ticked
    os.utime(path, ns=(later, later))


RELOADS = [
    ("billion laughs spec", "spec", lambda: laughs(), "YAML aliases are not allowed"),
    ("billion laughs data file", "data", lambda: laughs(top="apiKeys: []"), "YAML aliases are not allowed"),
    ("refs that multiply", "spec", ref_bomb, "inlining the $refs would make"),
    ("oversized spec", "spec", lambda: padded(SPEC_PATH.read_text(), 2), "over the limit of 1 MB"),
    ("invalid example", "spec", lambda: SPEC_PATH.read_text().replace("usageSms: 1\n", "usageSms: lots\n", 1), "lots"),
    (
        "undefined security scheme",
        "spec",
        lambda: SPEC_PATH.read_text().replace("- ApiKeyAuth: []", "- PartnerKey: []"),
        "#/security/0/PartnerKey: security requirement names scheme 'PartnerKey'",
    ),
]


@pytest.mark.parametrize(("name", "kind", "make", "fragment"), RELOADS, ids=[c[0] for c in RELOADS])
def test_reload_refuses_hostile_files_and_keeps_serving(
    name: str, kind: str, make: Callable[[], str], fragment: str, reloading: Reloading
) -> None:
    generation, _ = reloading.agreed()
    target = reloading.spec if kind == "spec" else reloading.data
    _touch(target, make())
    error = reloading.settle(generation, error=fragment)
    assert error is not None
    assert error.startswith(str(target))
    for _ in range(6):  # both workers still answer, with the last good version
        assert get_json(reloading.base + GOOD, {"X-API-Key": KEY})[0] == 200
    _touch(target, (SPEC_PATH if kind == "spec" else DATA_PATH).read_text())
    assert reloading.settle(generation + 1, error=False) is None


def test_a_good_change_reaches_every_worker(reloading: Reloading) -> None:
    generation, _ = reloading.agreed()
    _touch(reloading.data, DATA_PATH.read_text().replace("organizations: [org_1, org_2]", "organizations: [org_1]", 1))
    reloading.settle(generation + 1, error=False)
    for _ in range(6):  # every worker now refuses org_2 to this key
        assert (
            get_json(reloading.base + "/organizations/org_2/usage?startDate=1&endDate=2", {"X-API-Key": KEY})[0] == 403
        )
    _touch(reloading.data, DATA_PATH.read_text())
    reloading.settle(generation + 2, error=False)


def test_a_slow_reload_does_not_hold_requests(reloading: Reloading) -> None:
    """Loading 3 MB of data takes over a second in each process; requests meanwhile are answered at once."""
    generation, _ = reloading.agreed()
    text = DATA_PATH.read_text()
    org = text[text.index("  - id: org_3") :]
    copies = [org.replace("id: org_3", f"id: org_x{n}", 1) for n in range(3 * 1024 * 1024 // len(org) + 1)]
    _touch(reloading.data, text + "".join(copies))
    slowest, answered, moved = 0.0, 0, set[int]()
    touched = time.monotonic()
    deadline = touched + 120
    while len(moved) < 2:  # until both workers serve the new generation
        started = time.perf_counter()
        assert get_json(reloading.base + GOOD, {"X-API-Key": KEY})[0] == 200
        slowest, answered = max(slowest, time.perf_counter() - started), answered + 1
        health = get_json(reloading.base + "/__admin/health")[1]
        if health["generation"] > generation:
            moved.add(health["pid"])
        assert time.monotonic() < deadline
    reload_took = time.monotonic() - touched
    assert answered >= 5  # the reload took a while...
    # ...and no request waited for it: a request held for a load would take as long as the
    # load (over a second here, longer on a busy machine); answered ones take milliseconds.
    assert slowest < max(0.5, reload_took / 4), (slowest, reload_took)
    _touch(reloading.data, DATA_PATH.read_text())
    reloading.settle(generation + 2, error=False)
