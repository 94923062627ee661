"""Faulty and hostile targets are reported, not fatal: bounded time and memory, no leaks.

Each run is a real suite subprocess (``ci`` profile) against a raw-socket server. Bounds
here are generous so a loaded machine cannot make them flake; the figures themselves are
printed (``-s``) and reported by ``python -m tests.contract.figures``.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.contract import hostile
from tests.contract import implementations as impl
from tests.contract.figures import run_hostile, run_slow_target
from tests.contract.harness import Outcome, run_suite, suite_env

pytestmark = pytest.mark.server

RUN_BUDGET = 30  # CONTRACT_RUN_BUDGET for the hostile runs, seconds
STARTUP_ALLOWANCE = 60  # interpreter start, collection and reports on a loaded machine, seconds
MEMORY_MB = 300


def _huge(conn: socket.socket, request: bytes) -> None:
    size = 11 * 1024 * 1024
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n".encode())
    chunk = b" " * 65536
    for _ in range(size // len(chunk)):
        conn.sendall(chunk)


def _redirect(conn: socket.socket, request: bytes) -> None:
    conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /organizations/org_alpha/usage\r\nContent-Length: 0\r\n\r\n")


def _not_json(conn: socket.socket, request: bytes) -> None:
    body = b"<html>Service Unavailable... just kidding, 200</html>"
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


FAULTS = [
    ("10 MB body", _huge, "http", "1", "larger than 10 MB"),
    ("redirect loop", _redirect, "http", "1", "302"),
    ("non-JSON 200", _not_json, "http", "1", "text/html"),
    ("TLS error", _not_json, "https", "1", "TLS error"),
]


@pytest.mark.parametrize(("name", "behaviour", "scheme", "timeout", "fragment"), FAULTS, ids=[f[0] for f in FAULTS])
def test_faulty_target_is_reported(
    name: str, behaviour: hostile.Behaviour, scheme: str, timeout: str, fragment: str, tmp_path: Path
) -> None:
    with hostile.raw_server(behaviour) as address:
        outcome = run_suite(suite_env(f"{scheme}://{address}", CONTRACT_TIMEOUT=timeout), tmp_path, timeout=240)
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert outcome.seconds < 120, f"took {outcome.seconds:.0f} s"
    assert fragment in outcome.output, outcome.output[-3000:]
    assert "Traceback" not in outcome.output
    assert outcome.report["summary"]["failed"] >= 1


def _outputs(outcome: Outcome, folder: Path) -> dict[str, str]:
    texts = {"console": outcome.output}
    texts |= {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.is_file()}
    return texts


@pytest.mark.parametrize(
    ("name", "spoil", "fragment", "timeout"), hostile.SCENARIOS, ids=[h[0] for h in hostile.SCENARIOS]
)
def test_hostile_target_is_bounded_and_leaks_nothing(
    name: str, spoil: hostile.Spoil, fragment: str, timeout: float, tmp_path: Path
) -> None:
    outcome = run_hostile(spoil, tmp_path, run_budget=RUN_BUDGET, timeout=timeout)
    print(f"{name}: {outcome.seconds:.1f} s, peak RSS {outcome.peak_rss_mb:.0f} MB, exit {outcome.exit_code}")
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert outcome.seconds < RUN_BUDGET + STARTUP_ALLOWANCE, f"took {outcome.seconds:.0f} s"
    assert outcome.peak_rss_mb < MEMORY_MB, f"peak RSS {outcome.peak_rss_mb:.0f} MB"
    assert "INTERNALERROR" not in outcome.output
    assert "Traceback (most recent call last)" not in outcome.output
    texts = _outputs(outcome, tmp_path)
    assert set(texts) >= {"console", "junit.xml", "conformance.md", "conformance.json", "conformance.html"}
    assert fragment in texts["console"] + texts["conformance.json"], outcome.output[-3000:]
    for where, text in texts.items():
        for trace in (impl.KEY, impl.KEY[::-1], impl.KEY[9:21], impl.OTHER_KEY, impl.OTHER_KEY[9:21]):
            assert trace not in text, f"{trace[:4]}... reached {where}"
        assert "\x1b" not in text, f"a raw control character reached {where}"
        assert "\r" not in text, f"a raw control character reached {where}"


def test_a_target_slow_on_every_answer_fails_fast_saying_why(tmp_path: Path) -> None:
    """Every answer takes 0.4 s against a latency budget of 0.15 s (with the user's
    defaults, 2 s against 1 s, it takes about 13 s: ``python -m tests.contract.figures``)."""

    outcome = run_slow_target(tmp_path, delay=0.4, latency_budget=0.15)
    print(f"slow target: failed in {outcome.seconds:.1f} s")
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert outcome.seconds < 40, f"took {outcome.seconds:.0f} s"  # about 5 s here; generous under load
    assert "latency" in outcome.failed_checks
    assert "answers in a row took longer than the latency budget of 0.15 s" in outcome.output
