"""A generated usage CSV of 100,000 rows loads and answers exactly what a naive sum gives."""

from __future__ import annotations

import csv
import datetime as dt
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from mockserver.usage_data import DAY_MS, UsageBackend, UsageFile, load_usage_data
from tests.conftest import ROOT
from tests.mockserver.test_usage_data import body_of
from usage_contract_kit.model import Spec

ORGANIZATIONS, DAYS = 100, 1000
FIRST = dt.date(2023, 1, 1)
CHANNELS = ("usageSms", "usageWhatsapp", "usageEmail", "usageSage")
EXAMPLE = {"data": dict.fromkeys(CHANNELS, 0)}

Rows = dict[str, list[tuple[int, list[int]]]]  # organization -> (day number, counts) in file order


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Rows]:
    folder = tmp_path_factory.mktemp("scale")
    keys, usage = folder / "keys.yaml", folder / "usage.csv"
    with usage.open("w") as out:
        subprocess.run(
            [sys.executable, "scripts/make_sample_data.py", "--format", "csv", "--keys", str(keys),
             "--organizations", str(ORGANIZATIONS), "--days", str(DAYS), "--first-day", FIRST.isoformat()],
            cwd=ROOT, stdout=out, check=True, timeout=120,
        )  # fmt: skip
    rows: Rows = defaultdict(list)
    with usage.open(newline="") as handle:
        for record in csv.DictReader(handle):
            day = (dt.date.fromisoformat(record["date"]) - dt.date(1970, 1, 1)).days
            rows[record["organizationId"]].append((day, [int(record[c]) for c in CHANNELS]))
    assert sum(map(len, rows.values())) == ORGANIZATIONS * DAYS
    return keys, usage, rows


def _naive(rows: Rows, org: str, first_day: int, last_day: int) -> dict[str, int]:
    totals = dict.fromkeys(CHANNELS, 0)
    for day, counts in rows[org]:
        if first_day <= day <= last_day:
            for channel, count in zip(CHANNELS, counts, strict=True):
                totals[channel] += count
    return totals


def _check_against_naive(backend: UsageBackend, spec: Spec, rows: Rows) -> None:
    operation = spec.operations[0]
    rng = random.Random(12)
    first = (FIRST - dt.date(1970, 1, 1)).days
    for _ in range(400):
        org = f"org_{rng.randint(1, ORGANIZATIONS)}"
        start = rng.randint(first - 30, first + DAYS + 30) * DAY_MS + rng.randint(0, DAY_MS - 1)
        end = start + rng.choice((0, DAY_MS, 7 * DAY_MS, 400 * DAY_MS, 5000 * DAY_MS)) + rng.randint(0, DAY_MS)
        body = backend.resolve(operation, {"organizationId": org, "startDate": start, "endDate": end}, (), EXAMPLE)
        assert body_of(body) == {"data": _naive(rows, org, start // DAY_MS, end // DAY_MS)}, (org, start, end)


def test_a_generated_file_answers_the_naive_sums(generated: tuple[Path, Path, Rows], spec: Spec) -> None:
    keys, usage, rows = generated
    backend = load_usage_data(keys, spec, usage=UsageFile(usage, "usage.csv"))
    assert backend.table.rows == ORGANIZATIONS * DAYS
    _check_against_naive(backend, spec, rows)


def test_the_same_file_ordered_by_day_answers_the_same(
    generated: tuple[Path, Path, Rows], spec: Spec, tmp_path: Path
) -> None:
    keys, usage, rows = generated
    header, *lines = usage.read_text().splitlines(keepends=True)
    lines.sort(key=lambda line: line.split(",", 2)[1])  # day-major, organizations interleaved
    reordered = tmp_path / "by-day.csv"
    reordered.write_text(header + "".join(lines))
    backend = load_usage_data(keys, spec, usage=UsageFile(reordered, "by-day.csv"))
    _check_against_naive(backend, spec, rows)
