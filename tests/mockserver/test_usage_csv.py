"""The usage CSV reader: the shapes exports come in, and each fault named by line and column.

The tables run twice: read by one process, and by two (a helper reads from the middle on,
the size from which a file is split lowered to nothing), where each fault must name the
same line as when one process reads it all.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mockserver import usage_csv
from mockserver.errors import DataError
from mockserver.usage_csv import read_usage_csv, table_error
from mockserver.usage_tables import TableError, UsageTable, build_table, parse_day
from tests.conftest import ROOT

CHANNELS = ("usageEmail", "usageSage", "usageSms", "usageWhatsapp")
HEADER = "organizationId,date,usageSms,usageWhatsapp,usageEmail,usageSage"
ROWS = [
    "org_1,2025-01-01,1,2,3,4",
    "org_1,2025-01-02,10,20,30,40",
    "org_2,2025-01-01,100,200,300,400",
]
JAN1, JAN2 = parse_day("2025-01-01"), parse_day("2025-01-02")
EXPECTED = {
    ("org_1", JAN1, JAN1): {"usageSms": 1, "usageWhatsapp": 2, "usageEmail": 3, "usageSage": 4},
    ("org_1", JAN1, JAN2): {"usageSms": 11, "usageWhatsapp": 22, "usageEmail": 33, "usageSage": 44},
    ("org_1", JAN2, JAN2 + 9): {"usageSms": 10, "usageWhatsapp": 20, "usageEmail": 30, "usageSage": 40},
    ("org_2", JAN1, JAN2): {"usageSms": 100, "usageWhatsapp": 200, "usageEmail": 300, "usageSage": 400},
}


@pytest.fixture(params=["one process", "two processes"])
def parts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """How the file is read; the parts the helper read and this process took in are listed."""
    return _two_processes(monkeypatch) if request.param == "two processes" else []


def _two_processes(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    monkeypatch.setattr(usage_csv, "_PARALLEL_FROM", 0)
    return _listed_parts(monkeypatch)


def _listed_parts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The parts helpers read, as this process takes them in, listed."""
    taken: list[Any] = []
    take_part = usage_csv._Reader.take_part

    def listed(reader: Any, part: tuple[Any, ...]) -> None:
        taken.append(part)
        take_part(reader, part)

    monkeypatch.setattr(usage_csv._Reader, "take_part", listed)
    return taken


def _table(tmp_path: Path, content: bytes, *, max_bytes: int = 10**9) -> UsageTable:
    path = tmp_path / "usage.csv"
    path.write_bytes(content)
    columns = read_usage_csv(
        path, source="usage.csv", organization_column="organizationId", channels=CHANNELS, max_bytes=max_bytes
    )
    try:
        return build_table(columns)
    except TableError as exc:
        raise table_error("usage.csv", exc) from None


def _answers(table: UsageTable) -> dict[tuple[str, int, int], dict[str, int | float]]:
    return {(org, first, last): table.usage(org, first, last) for org, first, last in EXPECTED}


def _lines(*lines: str, end: str = "\n") -> bytes:
    return "".join(line + end for line in lines).encode()


GOOD = [
    ("plain", _lines(HEADER, *ROWS)),
    ("CRLF", _lines(HEADER, *ROWS, end="\r\n")),
    ("BOM and CRLF", b"\xef\xbb\xbf" + _lines(HEADER, *ROWS, end="\r\n")),
    ("no line end at the end", _lines(HEADER, *ROWS).rstrip(b"\n")),
    ("blank lines at the end", _lines(HEADER, *ROWS, "", "", "")),
    ("rows in any order", _lines(HEADER, ROWS[2], ROWS[1], ROWS[0])),
    (
        "columns in another order, names in another case",
        _lines(
            "DATE,usagesage,usageemail,USAGEWHATSAPP,usagesms,organizationid",
            "2025-01-01,4,3,2,1,org_1",
            "2025-01-02,40,30,20,10,org_1",
            "2025-01-01,400,300,200,100,org_2",
        ),
    ),
    (
        "quoted fields",
        _lines(
            '"organizationId","date","usageSms","usageWhatsapp","usageEmail","usageSage"',
            *(",".join(f'"{cell}"' for cell in row.split(",")) for row in ROWS),
        ),
    ),
    (
        "timestamps for dates",
        _lines(HEADER, *(row.replace("-01,", "-01T08:00:00Z,").replace("-02,", "-02 23:59:59,") for row in ROWS)),
    ),
]


@pytest.mark.parametrize(("name", "content"), GOOD, ids=[g[0] for g in GOOD])
def test_the_shapes_exports_come_in(tmp_path: Path, name: str, content: bytes, parts: list[Any]) -> None:
    assert _answers(_table(tmp_path, content)) == EXPECTED


def test_a_header_without_rows_is_an_empty_table(tmp_path: Path) -> None:
    assert _table(tmp_path, _lines(HEADER)).rows == 0


COLUMNS = "organizationId, date, usageEmail, usageSage, usageSms, usageWhatsapp"
BAD = [
    ("empty file", b"", f"usage.csv: the file is empty: its first line must name the columns {COLUMNS}"),
    ("only a BOM", b"\xef\xbb\xbf", f"usage.csv: the first line must name the columns {COLUMNS}"),
    (
        "unknown column",
        _lines(HEADER + ",usageFax", ROWS[0] + ",1"),
        "usage.csv: line 1: column 'usageFax' is not known; the columns are organizationId, date and the "
        "channels usageEmail, usageSage, usageSms, usageWhatsapp",
    ),
    (
        "missing column",
        _lines(HEADER.removesuffix(",usageSage"), ROWS[0].removesuffix(",4")),
        f"usage.csv: line 1: no column usageSage; the columns are {COLUMNS}",
    ),
    ("column twice", _lines(HEADER + ",date"), "usage.csv: line 1: column 'date' is named twice"),
    (
        "bad date",
        _lines(HEADER, ROWS[0], "org_1,2025-13-01,1,1,1,1"),
        "usage.csv: line 3, column date: '2025-13-01' is not a date (YYYY-MM-DD)",
    ),
    (
        "negative number",
        _lines(HEADER, "org_1,2025-01-01,-3,0,0,0"),
        "usage.csv: line 2, column usageSms: '-3' is negative; usage counts are 0 or more",
    ),
    (
        "fraction",
        _lines(HEADER, ROWS[0], "org_1,2025-01-02,0,1.5,0,0"),
        "usage.csv: line 3, column usageWhatsapp: '1.5' is a fraction; usage counts are whole numbers, so that sums stay exact",
    ),
    (
        "whole number written as a decimal",
        _lines(HEADER, "org_1,2025-01-01,0,0,5.0,0"),
        "usage.csv: line 2, column usageEmail: '5.0' is not written as digits only (like 5)",
    ),
    (
        "empty cell",
        _lines(HEADER, "org_1,2025-01-01,1,2,3,4", "org_1,2025-01-02,1,2,,4"),
        "usage.csv: line 3, column usageEmail: the cell is empty; write 0 for no usage",
    ),
    (
        "not a number",
        _lines(HEADER, "org_1,2025-01-01,lots,0,0,0"),
        "usage.csv: line 2, column usageSms: 'lots' is not a whole number",
    ),
    (
        "over int64",
        _lines(HEADER, "org_1,2025-01-01,0,0,0,9223372036854775808"),
        "usage.csv: line 2, column usageSage: 9223372036854775808 is over 2**63 - 1, the most a count may be",
    ),
    (
        "total over int64",
        _lines(HEADER, "org_1,2025-01-01,0,0,0,9223372036854775807", "org_2,2025-01-01,0,0,0,1"),
        "usage.csv: line 3, column usageSage: the total of usageSage up to this row passes 2**63 - 1, the most a 64-bit sum holds exactly",
    ),
    (
        "more digits than int() reads",
        _lines(HEADER, "org_1,2025-01-01,0,0,0," + "1" * 5000),
        "usage.csv: line 2, column usageSage: 11111111111111111111... (5,000 digits) is over 2**63 - 1, the most a count may be",
    ),
    (
        "more digits than int() reads, after a total past int64",
        _lines(
            HEADER,
            "org_1,2025-01-01,0,0,0,9223372036854775807",
            "org_1,2025-01-02,0,0,0,1",
            "org_1,2025-01-03,0,0,0," + "9" * 5000,
        ),
        "usage.csv: line 3, column usageSage: the total of usageSage up to this row passes 2**63 - 1, the most a 64-bit sum holds exactly",
    ),
    (
        "infinity",
        _lines(HEADER, "org_1,2025-01-01,inf,0,0,0"),
        "usage.csv: line 2, column usageSms: 'inf' is not a whole number",
    ),
    (
        "not a number",
        _lines(HEADER, "org_1,2025-01-01,NaN,0,0,0"),
        "usage.csv: line 2, column usageSms: 'NaN' is not a whole number",
    ),
    (
        "a long cell is shown cut",
        _lines(HEADER, "org_1,2025-01-01,0,0," + "x" * 100 + ",0"),
        "usage.csv: line 2, column usageEmail: 'xxxxxxxxxxxxxxxxxxxx'... (100 characters) is not a whole number",
    ),
    (
        "over int64, rows by date",
        _lines(HEADER, "org_1,2025-01-02,0,0,0,0", "org_1,2025-01-01,0,0,0,9223372036854775808"),
        "usage.csv: line 3, column usageSage: 9223372036854775808 is over 2**63 - 1, the most a count may be",
    ),
    (
        "total over int64, rows by date",
        _lines(HEADER, "org_1,2025-01-02,0,0,0,9223372036854775807", "org_1,2025-01-01,0,0,0,1"),
        "usage.csv: line 3, column usageSage: the total of usageSage up to this row passes 2**63 - 1, the most a 64-bit sum holds exactly",
    ),
    (
        "duplicate day for one organization",
        _lines(HEADER, *ROWS, "org_1,2025-01-01T12:00:00,1,1,1,1"),
        "usage.csv: line 5: organization 'org_1' has two rows for 2025-01-01 (the other on line 2)",
    ),
    (
        "too few fields",
        _lines(HEADER, ROWS[0], "org_1,2025-01-02,1,1,1"),
        "usage.csv: line 3: 5 fields, the header names 6",
    ),
    (
        "too many quoted fields",
        _lines(HEADER, ROWS[0], '"org_1","2025-01-02",1,1,1,1,1'),
        "usage.csv: line 3: 7 fields, the header names 6",
    ),
    (
        "blank line between rows",
        _lines(HEADER, ROWS[0], "", ROWS[1]),
        "usage.csv: line 3: the line is empty (blank lines may only end the file)",
    ),
    (
        "empty organization id",
        _lines(HEADER, ",2025-01-01,1,1,1,1"),
        "usage.csv: line 2, column organizationId: the organization id is empty",
    ),
    (
        "not UTF-8",
        _lines(HEADER, ROWS[0]) + b"org_\xff,2025-01-02,1,1,1,1\n",
        "usage.csv: line 3: not UTF-8 text (byte 0xff)",
    ),
    (
        "carriage return inside a line",
        _lines(HEADER, "org_1,2025-01-01,1,1\r,1,1"),
        "usage.csv: line 2: a carriage return (\\r) inside the line; lines end with \\n or \\r\\n",
    ),
    (
        "quoted line break",
        _lines(HEADER, 'org_1,"2025-01-01', '",1,1,1,1'),
        "usage.csv: line 2: a quoted field holds a line break; each row must be one line",
    ),
    (
        "quote left open",
        _lines(HEADER, 'org_1,"2025-01-01,1,1,1,1'),
        "usage.csv: line 2: a quoted field runs past the end of the line; each row must be one line",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_each_fault_is_named_by_line_and_column(
    tmp_path: Path, name: str, content: bytes, message: str, parts: list[Any]
) -> None:
    with pytest.raises(DataError) as info:
        _table(tmp_path, content)
    assert str(info.value) == message


def test_leading_zeros_do_not_make_a_count_too_big(tmp_path: Path, parts: list[Any]) -> None:
    table = _table(tmp_path, _lines(HEADER, "org_1,2025-01-01,0,0,0," + "0" * 30 + "9223372036854775807"))
    assert table.usage("org_1", JAN1, JAN1)["usageSage"] == 2**63 - 1


def test_lines_are_counted_across_blocks(tmp_path: Path, parts: list[Any]) -> None:
    # A block is a megabyte of whole lines; the fault is in the second.
    rows = [f"org_{n % 7},{_date(n // 7)},{n},0,0,0" for n in range(60_000)]  # about 2 MB: several blocks
    rows[45_678] = rows[45_678].replace(",0,0,0", ",0,x,0")
    with pytest.raises(DataError) as info:
        _table(tmp_path, _lines(HEADER, *rows))
    assert str(info.value) == "usage.csv: line 45680, column usageEmail: 'x' is not a whole number"


def _date(offset: int) -> str:
    import datetime as dt

    return (dt.date(2000, 1, 1) + dt.timedelta(days=offset)).isoformat()


def _swapped(rows: list[str], at: int) -> list[str]:
    # Two days of one organization: in blocks of about four lines, some pairs straddle two blocks.
    rows = rows[:]
    rows[at], rows[at + 1] = rows[at + 1], rows[at]
    return rows


def _orders() -> list[tuple[str, list[str], bool]]:
    grouped = [f"org_{n // 40},{_date(n % 40)},{n},{n % 3},{n * 7},{n % 11}" for n in range(200)]
    by_date = sorted(grouped, key=lambda row: row.split(",")[1])
    swapped = grouped[:]
    swapped[150], swapped[151] = swapped[151], swapped[150]  # two days of one organization, late in the file
    shuffled = grouped[:]
    random.Random(7).shuffle(shuffled)
    return [
        ("grouped", grouped, True),
        *((f"rows {i} and {i + 1} swapped", _swapped(grouped, i), False) for i in range(40, 52)),
        ("by date", by_date, False),
        ("two rows swapped late", swapped, False),
        ("the last row first", grouped[-1:] + grouped[:-1], False),
        ("shuffled", shuffled, False),
    ]


@pytest.mark.parametrize(("name", "rows", "in_order"), _orders(), ids=[o[0] for o in _orders()])
def test_rows_in_any_order_across_blocks_give_the_grouped_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, rows: list[str], in_order: bool, parts: list[Any]
) -> None:
    # Blocks of a few lines: the order is checked block by block, and across each boundary.
    monkeypatch.setattr(usage_csv, "_BLOCK", 100)
    path = tmp_path / "usage.csv"
    expected = None
    for content in (_lines(HEADER, *_orders()[0][1]), _lines(HEADER, *rows)):
        path.write_bytes(content)
        columns = read_usage_csv(path, source="usage.csv", organization_column="organizationId", channels=CHANNELS)
        # Rows in order keep running totals; from the first out of order, each row's count.
        assert (columns.counts is None) == (in_order or expected is None)
        assert (columns.ordered == len(columns.days)) == (in_order or expected is None)
        table = build_table(columns)
        start = parse_day(_date(0))
        days = range(start - 1, start + 42, 3)
        found = {
            (org, first, last): table.usage(org, first, last)
            for org in table.spans
            for first in days
            for last in days
            if first <= last
        }
        expected = expected or found
    assert found == expected


def test_a_total_over_int64_counts_the_rows_before_the_order_broke(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parts: list[Any]
) -> None:
    monkeypatch.setattr(usage_csv, "_BLOCK", 100)
    rows = [f"org_1,{_date(n + 1)},0,0,0,{2**62 - n if n < 2 else 0}" for n in range(20)]  # in order: 2**63 - 1
    rows.append(f"org_1,{_date(0)},0,0,0,0")  # a later block out of order, its counts kept from here
    rows.append(f"org_2,{_date(0)},0,0,0,0")
    rows.append(f"org_2,{_date(1)},0,0,0,9")  # 2**63 + 8 in all: past the most
    with pytest.raises(DataError) as info:
        _table(tmp_path, _lines(HEADER, *rows))
    assert str(info.value) == (
        f"usage.csv: line {len(rows) + 1}, column usageSage: the total of usageSage up to this row passes "
        "2**63 - 1, the most a 64-bit sum holds exactly"
    )


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    content = _lines(HEADER, *ROWS * 100)
    with pytest.raises(DataError) as info:
        _table(tmp_path, content, max_bytes=1000)
    assert (
        str(info.value)
        == f"usage.csv: the file is {len(content):,} bytes, over the limit of 1,000 bytes (MOCK_MAX_USAGE_MB)"
    )


def test_a_growing_file_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    # A device reports size 0 and never ends: the reader stops one byte past the limit.
    with pytest.raises(DataError) as info:
        read_usage_csv(
            "/dev/zero", source="zero", organization_column="organizationId", channels=CHANNELS, max_bytes=4096
        )
    assert (
        str(info.value) == "zero: the file is more than 4,096 bytes, over the limit of 4,096 bytes (MOCK_MAX_USAGE_MB)"
    )


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        read_usage_csv(
            tmp_path / "none.csv", source="none.csv", organization_column="organizationId", channels=CHANNELS
        )
    assert str(info.value) == "none.csv: cannot read the file (No such file or directory)"


# Two processes: the helper's part taken in as if read here.
def _by_date(organizations: int, days: int) -> list[str]:
    return [f"org_{o},{_date(d)},{o + d},{o * d % 7},{d},1" for d in range(days) for o in range(organizations)]


@pytest.mark.parametrize("order", ["grouped", "by date"])
def test_two_processes_read_a_file_as_one_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: str) -> None:
    rows = _by_date(9, 30)
    if order == "grouped":
        rows.sort(key=lambda row: int(row.split(",")[0].removeprefix("org_")))
    content = _lines(HEADER, *rows)
    alone = _table(tmp_path, content)
    taken = _two_processes(monkeypatch)
    columns = read_usage_csv(
        tmp_path / "usage.csv", source="usage.csv", organization_column="organizationId", channels=CHANNELS
    )
    assert [part[0] for part in taken] == ["rows"]
    assert 0 < len(taken[0][1].days) < len(rows)  # the helper read a part, not the whole
    assert (columns.counts is None) == (order == "grouped")  # rows in order keep running totals across the cut
    split = build_table(columns)
    assert (split.days, dict(split.spans), dict(split.gapless)) == (alone.days, dict(alone.spans), dict(alone.gapless))
    assert all(split.sums[channel] == alone.sums[channel] for channel in CHANNELS)


SECOND_HALF = [
    (
        "a count",
        lambda rows: rows[-3].replace(",1\n", ",x\n"),
        "line {line}, column usageSage: 'x' is not a whole number",
    ),
    ("a width", lambda rows: "org_1,2000-01-01\n", "line {line}: 2 fields, the header names 6"),
    ("the text", lambda rows: "org_\xff,2000-01-01,1,1,1,1\n", "line {line}: not UTF-8 text (byte 0xff)"),
]


@pytest.mark.parametrize(("name", "spoil", "message"), SECOND_HALF, ids=[s[0] for s in SECOND_HALF])
def test_a_fault_the_helper_finds_names_the_files_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, spoil: Any, message: str
) -> None:
    taken = _two_processes(monkeypatch)
    rows = [row + "\n" for row in _by_date(5, 40)]
    at = len(rows) - 3
    rows[at] = spoil(rows)
    content = (HEADER + "\n" + "".join(rows)).encode("latin-1" if "\xff" in rows[at] else "utf-8")
    with pytest.raises(DataError) as info:
        _table(tmp_path, content)
    assert [part[0] for part in taken] == ["fault"]
    assert str(info.value) == "usage.csv: " + message.format(line=at + 2)


def test_blank_lines_before_the_helpers_rows_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _by_date(4, 20)
    middle = len(rows) // 2
    head = _lines(HEADER, *rows[:middle], "", "")
    taken = _two_processes(monkeypatch)
    monkeypatch.setattr(usage_csv, "_cut", lambda fd, size: len(head))  # the blank lines end the first part
    with pytest.raises(DataError) as info:
        _table(tmp_path, head + _lines(*rows[middle:]))
    assert [part[0] for part in taken] == ["rows"]
    assert str(info.value) == f"usage.csv: line {middle + 2}: the line is empty (blank lines may only end the file)"


def test_a_total_past_int64_across_the_cut_names_its_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [f"org_1,{_date(d)},0,0,0,{2**63 - 1 if d == 0 else 0}" for d in range(40)]
    rows[-2] = rows[-2].removesuffix(",0") + ",1"
    taken = _two_processes(monkeypatch)
    with pytest.raises(DataError) as info:
        _table(tmp_path, _lines(HEADER, *rows))
    assert [part[0] for part in taken] == ["rows"]
    assert str(info.value) == (
        f"usage.csv: line {len(rows)}, column usageSage: the total of usageSage up to this row passes "
        "2**63 - 1, the most a 64-bit sum holds exactly"
    )


@pytest.mark.parametrize(
    "helper",
    [
        "raise SystemExit(3)",
        "import sys; sys.stdout.write('not a pickle')",
        "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
        "import pickle, sys; sys.stdout.buffer.write(pickle.dumps(()))",
    ],
    ids=["exits 3", "writes text", "killed", "an empty answer"],
)
def test_a_helper_that_fails_leaves_its_half_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper: str
) -> None:
    content = _lines(HEADER, *_by_date(6, 25))
    alone = _table(tmp_path, content)
    taken = _two_processes(monkeypatch)
    monkeypatch.setattr(usage_csv, "_HELPER", helper)
    split = _table(tmp_path, content)
    assert taken == []
    assert split.rows == alone.rows == 150
    assert all(split.sums[channel] == alone.sums[channel] for channel in CHANNELS)


def test_a_small_file_is_read_by_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = _listed_parts(monkeypatch)
    assert _table(tmp_path, _lines(HEADER, *_by_date(6, 25))).rows == 150
    assert taken == []


@pytest.mark.parametrize(
    ("content", "cut"),
    [
        (b"ab\ncd\nef\n", 6),  # the line after the middle (byte 4)
        (b"abcdefgh\nx\n", 9),
        (b"abcdefghij\n", None),  # no line starts after the middle
        (b"ab\ncdefghijkl", None),
    ],
)
def test_the_cut_is_the_first_line_after_the_middle(tmp_path: Path, content: bytes, cut: int | None) -> None:
    path = tmp_path / "f"
    path.write_bytes(content)
    with open(path, "rb") as handle:
        assert usage_csv._cut(handle.fileno(), len(content)) == cut


def test_the_helper_runs_the_readers_code_whatever_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A folder holding another `mockserver` (another checkout, say) must not lend the helper its code.
    decoy = tmp_path / "decoy" / "mockserver"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("")
    (decoy / "usage_csv.py").write_text("raise SystemExit(3)\n")
    content = _lines(HEADER, *_by_date(6, 25))
    taken = _two_processes(monkeypatch)
    monkeypatch.chdir(decoy.parent)
    assert _table(tmp_path, content).rows == 150
    assert [part[0] for part in taken] == ["rows"]


# A process that starts a helper, then forks a keeper holding the helper's pipe open without
# reading it: the helper, its part written to a pipe nobody reads, cannot end by itself.
MIDDLE = """
import os, sys, time
from mockserver import usage_csv
fd = os.open(sys.argv[1], os.O_RDONLY)
usage_csv._PARALLEL_FROM = 0
request = {"source": "u", "organization_column": "organizationId", "channels": sys.argv[2:],
           "max_bytes": 10**9, "limit_name": "X"}
helper = usage_csv._Helper.start(fd, os.fstat(fd).st_size, request)
keeper = os.fork()
if keeper == 0:
    time.sleep(120)
    os._exit(0)
print(helper.process.pid, keeper, flush=True)
time.sleep(120)
"""


def _ended(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status  # ended, not yet reaped by whoever inherited it


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is the Linux kernel's")
def test_a_helper_ends_with_the_process_that_started_it(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_bytes(_lines(HEADER, *_by_date(50, 400)))  # a part of 10,000 rows: far more than a pipe holds
    middle = subprocess.Popen(
        [sys.executable, "-c", MIDDLE, str(path), *CHANNELS], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert middle.stdout is not None
    helper, keeper = map(int, middle.stdout.readline().split())
    try:
        middle.kill()
        middle.wait()
        deadline = time.monotonic() + 20
        while not _ended(helper) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _ended(helper), "the helper outlived the process that started it"
    finally:
        for pid in (keeper, helper):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        middle.stdout.close()
