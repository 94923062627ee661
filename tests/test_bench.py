"""The benchmark's arithmetic: paired ratios against the floor, and the floor's own answers."""

from __future__ import annotations

import sys
import time

import pytest

from tests.conftest import ROOT

# bench/ is not a package, and holds a profile.py: on the path only while its modules are imported.
_PATH = list(sys.path)
sys.path.insert(0, str(ROOT / "bench"))
import floor  # noqa: E402
import run  # noqa: E402
import tail  # noqa: E402

sys.path[:] = _PATH


def _run(rps: float, p50: float, p90: float, p99: float, errors: float = 0) -> dict[str, float]:
    return {"rps": rps, "p50_ms": p50, "p90_ms": p90, "p99_ms": p99, "errors": errors}


FLOOR = [_run(100, 0.5, 1.0, 2.0), _run(80, 1.0, 2.0, 4.0), _run(100, 0.5, 1.0, 1.0)]
MOCK = [_run(60, 1.0, 3.0, 4.0), _run(40, 1.5, 3.0, 6.0), _run(70, 1.5, 2.5, 3.0)]


def test_paired_ratios_are_medians_of_run_by_run_ratios() -> None:
    paired = run.paired_ratios(MOCK, FLOOR)
    assert paired["rps"] == pytest.approx(0.6)  # 0.6, 0.5, 0.7
    assert paired["p99"] == pytest.approx(2.0)  # 2.0, 1.5, 3.0
    assert paired["p50"] == pytest.approx(2.0)  # 2.0, 1.5, 3.0
    assert paired["pairs"] == 3
    assert paired["floor_rps"] == 100


def test_a_floor_run_with_errors_is_left_out_of_the_pairs() -> None:
    bases = [*FLOOR[:2], _run(100, 0.5, 1.0, 1.0, errors=3)]
    paired = run.paired_ratios(MOCK, bases)
    assert paired["pairs"] == 2
    assert paired["rps"] == pytest.approx(0.55)  # median of 0.6 and 0.5
    assert run.paired_ratios(MOCK[:1], [_run(100, 0.5, 1.0, 2.0, errors=1)]) == {}


@pytest.mark.parametrize(
    ("value", "line", "shown"),
    [
        (0.498, 0.5, "0.498"),  # "0.50" would read as met
        (0.5, 0.5, "0.50"),
        (0.503, 0.5, "0.503"),
        (0.58, 0.5, "0.58"),
        (2.004, 2.0, "2.004"),
        (1.85, 2.0, "1.85"),
    ],
)
def test_a_ratio_next_to_the_goal_is_shown_on_its_side_of_the_line(value: float, line: float, shown: str) -> None:
    assert run.near_line(value, line) == shown


def test_tail_ratios_cover_every_figure_and_skip_runs_with_errors() -> None:
    ratios = tail.ratios([*MOCK[:2], _run(70, 1.5, 2.5, 3.0, errors=1)], FLOOR)
    assert ratios == pytest.approx({"p50_ms": 1.75, "p90_ms": 2.25, "p99_ms": 1.75, "rps": 0.55})
    assert tail.ratios([_run(1, 1, 1, 1, errors=1)], FLOOR[:1]) == {}


def test_the_floor_answers_its_bytes_with_or_without_work() -> None:
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        started.append((status, headers))

    assert floor.bare_app(b"{}").__name__ == "app"  # no work: the bare callable itself
    for work_us in (0, 2000):
        app = floor.bare_app(b'{"a":1}', work_us)
        begun = time.perf_counter()
        assert b"".join(app({}, start_response)) == b'{"a":1}'
        if work_us:  # the busy loop runs until the clock has passed it
            assert time.perf_counter() - begun >= 0.002
    assert started == [("200 OK", [("Content-Type", "application/json"), ("Content-Length", "7")])] * 2
