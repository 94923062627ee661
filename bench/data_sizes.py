"""Data mode at real sizes: load time and memory for 10k, 100k and 1M daily rows.

    python bench/data_sizes.py [--sizes 10000,100000,1000000] [--yaml-sizes 10000,100000]
                               [--by-date 1000000]

(`make bench` and `make bench-data` run it.) For each size, scripts/make_sample_data.py
writes 1,000 days of usage for size / 1,000 organizations into a temporary folder: a
usage CSV (rows by organization, then date, as the script writes them) and its keys
file; for the comparison rows the same usage as one YAML data file, or the CSV's rows
sorted by date (organizations interleaved, as exports ordered by date are). Then:

* load: a fresh interpreter runs the server's own loader (mockserver.loading.load_state)
  on the files; the time of that call alone, the interpreter's peak RSS, and the cost of
  one sum over one day and over every day (in process, mean of 20,000 calls);
* spawn to first 200: `mockserver` as users run it (2 workers, validation on, one log line
  per request) is started and asked for org_1's usage over every day until it answers
  200; the body must be the sums this script computes from the CSV itself;
* memory: after 400 more requests on new connections (so both workers answer; every body
  checked) and a second at rest, the PSS of the whole process tree (what it really
  holds: pages shared by forked workers are divided among them) and the RSS sum;
* after a reload (CSV rows): the usage file is touched, and once every worker serves the
  new generation, 400 more requests and the PSS of the tree again (each process then
  holds its own copy of the table).

The first row is example mode at rest (no data), for the bound on its memory. Servers
are stopped by the PID of their process group. Results go to
bench/results/data-sizes.{md,json}.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from run import RESULTS, ROOT, expected_bodies, fetch, free_port, memory_mb, stop, wait_ready

DAYS = 1000
FIRST_DAY = "2023-01-01"
PATH = "/organizations/org_1/usage?startDate=0&endDate=4102444799999"  # every day up to 2099
REQUESTS = 400

LOAD = """
import json, sys, time
from mockserver.loading import load_state
from mockserver.settings import DEFAULTS, parse_settings

settings = parse_settings({**DEFAULTS, "MOCK_DATA": sys.argv[1], "MOCK_USAGE": sys.argv[2] or None})
started = time.perf_counter()
state = load_state(settings)
seconds = time.perf_counter() - started
table = state.backend.table
lo, hi = table.spans["org_1"]
first, last = table.days[lo], table.days[hi - 1]

def cost(a, b, calls=20_000):
    started = time.perf_counter()
    for _ in range(calls):
        table.usage("org_1", a, b)
    return (time.perf_counter() - started) / calls * 1e6

print(json.dumps({
    "load_s": seconds,
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's over from before exec)
    "peak_mb": next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024,
    "rows": table.rows,
    "us_one_day": cost(last, last),
    "us_all_days": cost(first, last),
}))
"""


@dataclass
class Row:
    data: str
    rows: int = 0
    file_mb: float = 0.0
    load_s: float | None = None
    load_peak_mb: float | None = None
    us_one_day: float | None = None
    us_all_days: float | None = None
    first_200_s: float | None = None
    pss_mb: float | None = None
    rss_mb: float | None = None
    reload_s: float | None = None
    reload_pss_mb: float | None = None
    ok: bool = True
    note: str = ""


def generate(folder: Path, rows: int, *, yaml: bool) -> tuple[Path, Path | None]:
    """(data file, usage CSV or None) for ``rows`` daily rows."""
    size = ["--organizations", str(rows // DAYS), "--days", str(DAYS), "--first-day", FIRST_DAY]
    script = [sys.executable, str(ROOT / "scripts" / "make_sample_data.py"), *size]
    if yaml:
        data = folder / f"usage-{rows}.yaml"
        with data.open("w") as out:
            subprocess.run(script, stdout=out, check=True, timeout=1200)
        return data, None
    data, usage = folder / f"keys-{rows}.yaml", folder / f"usage-{rows}.csv"
    with usage.open("w") as out:
        subprocess.run([*script, "--format", "csv", "--keys", str(data)], stdout=out, check=True, timeout=600)
    return data, usage


def expected_body(usage: Path) -> bytes:
    """org_1's sums over every day, computed from the CSV without the mock's code."""
    totals: dict[str, int] = {}
    with usage.open(newline="") as handle:
        for record in csv.DictReader(handle):
            if record["organizationId"] == "org_1":
                for channel, count in record.items():
                    if channel.startswith("usage"):
                        totals[channel] = totals.get(channel, 0) + int(count)
    order = ("usageSms", "usageWhatsapp", "usageEmail", "usageSage")  # the documented example's order
    return json.dumps({"data": {c: totals[c] for c in order}}, separators=(",", ":")).encode()


def measure_load(row: Row, data: Path, usage: Path | None) -> None:
    result = subprocess.run(
        [sys.executable, "-c", LOAD, str(data), str(usage or "")],
        cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        row.ok, row.note = False, f"load failed: {result.stderr.strip().splitlines()[-1:]}"
        return
    found = json.loads(result.stdout)
    row.rows = found["rows"]
    row.load_s, row.load_peak_mb = found["load_s"], found["peak_mb"]
    row.us_one_day, row.us_all_days = found["us_one_day"], found["us_all_days"]


def measure_server(row: Row, args: list[str], expected: bytes, *, reload: Path | None = None) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--host", "127.0.0.1", "--port", str(port), *args],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        if wait_ready(base + PATH, process, 600) is None:
            row.ok, row.note = False, "did not answer 200"
            return
        row.first_200_s = time.perf_counter() - started
        row.rss_mb, row.pss_mb = _settle(row, base, process.pid, expected)
        if reload is not None and row.ok:
            started = time.perf_counter()
            later = time.time_ns() + 10**9
            os.utime(reload, ns=(later, later))  # a new stamp: the same rows, loaded anew everywhere
            if not _wait_generation(base, 2, timeout=300):
                row.ok, row.note = False, "the reload did not reach every worker"
                return
            row.reload_s = time.perf_counter() - started
            _, row.reload_pss_mb = _settle(row, base, process.pid, expected)
    finally:
        stop(process)


def _settle(row: Row, base: str, pid: int, expected: bytes) -> tuple[float, float]:
    """Send the requests, check every answer, rest a second; the tree's (RSS, PSS)."""
    bad = sum(fetch(base + PATH) != (200, expected) for _ in range(REQUESTS))
    if bad:
        row.ok, row.note = False, f"{bad} of {REQUESTS} answers wrong"
    time.sleep(1)
    return memory_mb(pid)


def _wait_generation(base: str, generation: int, *, timeout: float, workers: int = 2) -> bool:
    """Whether every worker reports ``generation`` (new connections land on both) in time."""
    deadline = time.monotonic() + timeout
    seen: dict[int, int] = {}
    while time.monotonic() < deadline:
        with urllib.request.urlopen(base + "/__admin/health", timeout=5) as response:
            health = json.loads(response.read())
        seen[health["pid"]] = health["generation"]
        if len(seen) >= workers and all(g == generation for g in seen.values()):
            return True
        time.sleep(0.05)
    return False


def measure(sizes: list[int], yaml_sizes: list[int], by_date: list[int]) -> list[Row]:
    example = Row("example mode, at rest")
    results = [example]
    with tempfile.TemporaryDirectory(prefix="bench-data-") as scratch:
        folder = Path(scratch)
        for rows in sorted(set(sizes) | set(yaml_sizes) | set(by_date)):
            data, usage = generate(folder, rows, yaml=False)
            assert usage is not None
            expected = expected_body(usage)
            runs: list[tuple[str, Path, Path | None]] = []
            if rows in yaml_sizes:
                runs.append(("YAML", *generate(folder, rows, yaml=True)))
            if rows in sizes:
                runs.append(("CSV", data, usage))
            if rows in by_date:
                runs.append(("CSV by date", data, by_date_copy(usage)))
            for kind, data_file, usage_file in runs:
                row = Row(f"{kind}, {rows:,} rows")
                print(f"... data mode, {row.data}", flush=True)
                row.file_mb = sum(f.stat().st_size for f in (data_file, usage_file) if f) / 2**20
                measure_load(row, data_file, usage_file)
                args = ["--data", str(data_file), *(["--usage", str(usage_file)] if usage_file else [])]
                measure_server(row, args, expected, reload=usage_file)
                results.append(row)
    print("... example mode, at rest", flush=True)
    example_body, _ = expected_bodies()  # example mode serves the same body whatever the range
    measure_server(example, [], example_body)
    return results


def by_date_copy(usage: Path) -> Path:
    """The CSV's rows sorted by date (stable: organizations in their order within a date)."""
    header, *lines = usage.read_text().splitlines(keepends=True)
    lines.sort(key=lambda line: line.split(",", 2)[1])
    copy = usage.with_name(usage.stem + "-by-date.csv")
    copy.write_text(header + "".join(lines))
    return copy


def render(results: list[Row]) -> str:
    lines = [
        "| data | ok | rows | files MB | load s | peak MB while loading | us per sum, 1 day / all days "
        "| spawn to first 200 s | PSS MB (tree) | RSS MB (sum) | reload s | PSS MB after a reload |",
        "|" + " --- |" * 12,
    ]

    def cell(value: float | None, digits: int = 2) -> str:
        return "" if value is None else f"{value:,.{digits}f}"

    for r in results:
        cost = f"{cell(r.us_one_day, 1)} / {cell(r.us_all_days, 1)}" if r.us_one_day is not None else ""
        lines.append(
            f"| {r.data} | {'yes' if r.ok else 'FAILED: ' + r.note} | {r.rows:,} | {cell(r.file_mb, 1)} "
            f"| {cell(r.load_s)} | {cell(r.load_peak_mb, 0)} | {cost} | {cell(r.first_200_s)} "
            f"| {cell(r.pss_mb, 0)} | {cell(r.rss_mb, 0)} | {cell(r.reload_s, 1)} | {cell(r.reload_pss_mb, 0)} |"
        )
    return "\n".join(lines)


def measure_data_sizes(
    sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000),
    yaml_sizes: tuple[int, ...] = (10_000, 100_000),
    by_date: tuple[int, ...] = (1_000_000,),
) -> tuple[str, bool]:
    """Measure, write bench/results/data-sizes.{md,json}; the Markdown section, and whether every row passed."""
    results = measure(list(sizes), list(yaml_sizes), list(by_date))
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}"
    text = (
        f"## Data mode at real sizes\n\n{machine}; 1,000 days per organization; the mock with 2 workers; "
        f"PSS and RSS after {REQUESTS} requests and a second at rest.\n\n{render(results)}\n"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "data-sizes.md").write_text(text)
    (RESULTS / "data-sizes.json").write_text(
        json.dumps({"machine": machine, "results": [asdict(r) for r in results]}, indent=2) + "\n"
    )
    return text, all(r.ok for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="CSV row counts (multiples of 1,000)")
    parser.add_argument("--yaml-sizes", default="10000,100000", help="YAML row counts for comparison ('' for none)")
    parser.add_argument(
        "--by-date", default="1000000", help="CSV row counts also measured sorted by date ('' for none)"
    )
    args = parser.parse_args()

    def counts(text: str) -> tuple[int, ...]:
        return tuple(int(n) for n in text.split(",") if n)

    text, ok = measure_data_sizes(counts(args.sizes), counts(args.yaml_sizes), counts(args.by_date))
    print("\n" + text)
    print(f"written: {RESULTS / 'data-sizes.md'}, {RESULTS / 'data-sizes.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
