"""The real server (CLI, Granian workers) in data mode with a usage CSV: answers, reloads, refusals."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import KEY, ROOT
from tests.server import get_json, health_by_worker, running_mock, wait_until
from usage_contract_kit.packaged import CONTRACT

pytestmark = pytest.mark.server

KEYS_PATH = ROOT / "data" / "sample-keys.yaml"
CSV_PATH = ROOT / "data" / "sample-usage.csv"
JANUARY = "startDate=1735689600000&endDate=1738367999999"  # 2025-01-01 to 2025-01-31, UTC


def _naive(usage: Path, org: str, first: str, last: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    with usage.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["organizationId"] == org and first <= row["date"] <= last:
                for channel, count in row.items():
                    if channel.startswith("usage"):
                        totals[channel] = totals.get(channel, 0) + int(count)
    return totals


def _rewrite(path: Path, change: str, to: str) -> None:
    text = path.read_text()
    assert change in text
    path.write_text(text.replace(change, to, 1))
    later = time.time_ns() + 10**9  # a new stamp even if the clock has not ticked
    os.utime(path, ns=(later, later))


def _agreed(base: str) -> tuple[int, str | None]:
    views = {(h["generation"], h["lastReloadError"]) for h in health_by_worker(base).values()}
    return next(iter(views)) if len(views) == 1 else (0, "workers disagree")


def test_data_mode_from_a_csv_answers_reloads_and_keeps_the_last_good(tmp_path: Path) -> None:
    keys, usage = tmp_path / "keys.yaml", tmp_path / "usage.csv"
    shutil.copy(KEYS_PATH, keys)
    shutil.copy(CSV_PATH, usage)
    args = ["--data", str(keys), "--usage", str(usage), "--reload-interval", "0.2"]
    with running_mock(*args, log=tmp_path / "mock.log") as base:
        url = f"{base}/organizations/org_1/usage?{JANUARY}"
        expected = _naive(usage, "org_1", "2025-01-01", "2025-01-31")
        assert get_json(url, {"X-API-Key": KEY}) == (200, {"data": expected})
        assert get_json(f"{base}/organizations/org_3/usage?{JANUARY}", {"X-API-Key": KEY})[0] == 403
        assert get_json(f"{base}/organizations/org_9/usage?{JANUARY}", {"X-API-Key": KEY})[0] == 404

        # A changed row is served by every worker once the new generation is taken.
        _rewrite(usage, "org_1,2025-01-01,335,166,2362,35", "org_1,2025-01-01,1335,1166,3362,1035")
        wait_until(lambda: _agreed(base) == (2, None), timeout=60, what="generation 2 on every worker")
        moved = {channel: count + 1000 for channel, count in expected.items()}
        assert moved == _naive(usage, "org_1", "2025-01-01", "2025-01-31")
        for _ in range(6):  # new connections: both workers
            assert get_json(url, {"X-API-Key": KEY}) == (200, {"data": moved})

        # A broken CSV is refused with its line and column; the last good generation keeps serving.
        _rewrite(usage, "org_1,2025-01-05,", "org_1,2025-01-05,-")
        wait_until(lambda: _agreed(base)[1] is not None, timeout=60, what="the reload error on every worker")
        generation, error = _agreed(base)
        assert generation == 2
        assert error == f"{usage}: line 6, column usageSms: '-150' is negative; usage counts are 0 or more"
        assert get_json(url, {"X-API-Key": KEY}) == (200, {"data": moved})


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args, "--check"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_check_names_the_pair_and_each_fault(tmp_path: Path) -> None:
    good = _cli("--data", str(KEYS_PATH), "--usage", str(CSV_PATH))
    assert (good.returncode, good.stdout.strip()) == (0, f"ok: {CONTRACT} (data mode ({KEYS_PATH}, {CSV_PATH}))")

    bad = tmp_path / "usage.csv"
    bad.write_text(CSV_PATH.read_text().replace("org_2,2025-03-01,", "org_2,2025-03-01T25:00,", 1))
    result = _cli("--data", str(KEYS_PATH), "--usage", str(bad))
    line = 1 + 365 + (dt.date(2025, 3, 1) - dt.date(2025, 1, 1)).days + 1
    assert result.returncode == 2
    assert result.stderr == f"error: {bad}: line {line}, column date: '2025-03-01T25:00' is not a date (YYYY-MM-DD)\n"

    alone = _cli("--usage", str(CSV_PATH))
    assert alone.returncode == 2
    assert "--usage needs --data" in alone.stderr
    assert "Traceback" not in alone.stderr

    small = _cli("--data", str(KEYS_PATH), "--usage", str(CSV_PATH), "--max-usage-mb", "0.01")
    assert small.returncode == 2
    size = CSV_PATH.stat().st_size
    assert small.stderr.startswith(f"error: {CSV_PATH}: the file is {size:,} bytes, over the limit of 10,485 bytes")
    assert small.stderr.endswith("(--max-usage-mb, MOCKSERVER_MAX_USAGE_MB)\n")
