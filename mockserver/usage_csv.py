"""Read a usage CSV: one row per organization and day, one column per channel.

The shape a warehouse export has::

    organizationId,date,usageSms,usageWhatsapp,usageEmail,usageSage
    org_1,2025-01-01,335,166,2362,35

The first line names the columns, in any order: the organization (named as the
operation's organization parameter), ``date`` (``YYYY-MM-DD``, or a timestamp whose UTC
date is taken) and every channel (the numbers of the documented success response).
Header names match without regard to case (warehouses often fold them). Counts are
whole numbers of ASCII digits; fractions are refused, so sums stay exact (signed 64-bit).
Rows may come in any order; a day twice for one organization is refused. UTF-8, with or
without a byte order mark, ``\\n`` or ``\\r\\n`` line ends, RFC 4180 quoting; a row must be
one line (a quoted field holding a line break is refused).

The file is read in blocks of whole lines and turned into columns a block at a time
(without the :mod:`csv` module's per-row lists unless the block has quotes), so the work
is a few passes in C per block and rows never exist as Python objects past their block
(load times: ``make bench``). A file of 8 MB or more is read by two processes: a helper
(``python -c``, handed the open file) reads from the first line after the middle on while
this process reads up to it, and its columns are taken in as if read here, the order and
the totals checked across the cut. A helper that cannot start or fails leaves its half to
this process. Faults raise :class:`~mockserver.errors.DataError` naming the file, the line
and the column.
"""

from __future__ import annotations

import csv
import ctypes
import io
import json
import math
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any, BinaryIO

from mockserver.errors import DataError
from mockserver.usage_tables import Columns, TableError, parse_day
from usage_contract_kit.documents import MEGABYTE
from usage_contract_kit.launching import child_command, child_environment

__all__ = ["DATE_COLUMN", "MAX_USAGE_BYTES", "read_usage_csv", "table_error"]

DATE_COLUMN = "date"
MAX_USAGE_BYTES = 500 * MEGABYTE
_BLOCK = MEGABYTE
_PARALLEL_FROM = 8 * MEGABYTE  # a file this large or larger is read by two processes
_HELPER = "from mockserver.usage_csv import _read_part; _read_part()"
_BLANK_INSIDE = "the line is empty (blank lines may only end the file)"
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends
_BOM = b"\xef\xbb\xbf"
_INT64_MAX = (1 << 63) - 1


def table_error(source: str, error: TableError) -> DataError:
    """A fault :func:`~mockserver.usage_tables.build_table` found, placed in the CSV."""
    where = [f"line {_line(error.row)}"] if error.row is not None else []
    where += [f"column {error.column}"] if error.column else []
    also = f" (the other on line {_line(error.other)})" if error.other is not None else ""
    return DataError(source, "", f"{', '.join(where)}: {error.problem}{also}" if where else error.problem + also)


def _line(row: int) -> int:
    return row + 2  # line 1 is the header, and every row is one line


def read_usage_csv(
    path: str | Path,
    *,
    source: str,
    organization_column: str,
    channels: Sequence[str],
    max_bytes: int = MAX_USAGE_BYTES,
    limit_name: str = "MOCK_MAX_USAGE_MB",
) -> Columns:
    """The rows of a usage CSV as columns; raise :class:`DataError` naming the fault."""
    limits = (source, max_bytes, limit_name)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise DataError(source, "", _too_big(_amount(size), max_bytes, limit_name))
            reader = _Reader(source, organization_column, tuple(channels))
            request = {
                "source": source,
                "organization_column": organization_column,
                "channels": list(channels),
                "max_bytes": max_bytes,
                "limit_name": limit_name,
            }
            helper = _Helper.start(handle.fileno(), size, request)
            try:
                for block in _blocks(handle, *limits, stop=helper.cut if helper else None):
                    reader.add(block)
                if helper is not None:
                    part = helper.result()
                    if part is not None:
                        reader.take_part(part)
                    else:  # the helper failed: its half is read here
                        for block in _blocks(handle, *limits, start=helper.cut):
                            reader.add(block)
            finally:
                if helper is not None:
                    helper.close()
            return reader.finish()
    except _Fault as fault:
        raise DataError(source, "", fault.text()) from None
    except OSError as exc:
        raise DataError(source, "", f"cannot read the file ({exc.strerror or exc})") from None


class _Fault(Exception):
    """A fault at a line of the file (and a column, if one)."""

    def __init__(self, line: int, column: str | None, problem: str) -> None:
        super().__init__(line, column, problem)
        self.line, self.column, self.problem = line, column, problem

    def text(self) -> str:
        return f"line {self.line}{f', column {self.column}' if self.column else ''}: {self.problem}"


class _Helper:
    """The second process of a large file's read: it reads from ``cut`` on, to the end."""

    def __init__(self, process: subprocess.Popen[bytes], cut: int) -> None:
        self.process, self.cut = process, cut

    @classmethod
    def start(cls, fd: int, size: int, request: dict[str, Any]) -> _Helper | None:
        """A helper reading the file's second half; ``None`` for a small file, or where none can start."""
        if size < _PARALLEL_FROM or os.name != "posix" or not sys.executable:
            return None
        cut = _cut(fd, size)
        if cut is None:
            return None
        try:
            process = subprocess.Popen(  # noqa: S603 - this interpreter, our code; the request is data
                child_command("-c", _HELPER, json.dumps({**request, "fd": fd, "cut": cut, "parent": os.getpid()})),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=(fd,),
                env=child_environment(),
            )
        except OSError:
            return None
        return cls(process, cut)

    def result(self) -> tuple[Any, ...] | None:
        """What the helper read (see :func:`_read_part`), once it is done; ``None`` if it failed."""
        data = self.process.stdout.read() if self.process.stdout is not None else b""
        if self.process.wait() != 0:
            return None
        try:
            part = pickle.loads(data)  # noqa: S301 - written by our own helper, over a pipe only it holds
        except Exception:  # a helper cut off while writing
            return None
        return part if isinstance(part, tuple) and part else None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def _cut(fd: int, size: int) -> int | None:
    """Where the second half starts: the first line after the middle (``None``: none within a block of it)."""
    middle = size // 2
    ends = os.pread(fd, _BLOCK, middle).find(b"\n")
    cut = middle + ends + 1
    return cut if ends >= 0 and cut < size else None


class _At(io.RawIOBase):
    """A file descriptor read from an offset of its own (``pread``), whoever else reads it."""

    def __init__(self, fd: int, offset: int) -> None:
        super().__init__()
        self.fd, self.offset = fd, offset

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = os.pread(self.fd, len(buffer), self.offset)
        buffer[: len(data)] = data
        self.offset += len(data)
        return len(data)


def _read_part() -> None:
    """The helper: read from the cut to the end of the file (``sys.argv[1]``); pickle what was read to stdout.

    Its lines are numbered as if they followed the header: the reader shifts them.
    """
    request = json.loads(sys.argv[1])
    _end_with(request["parent"])
    source, max_bytes, limit_name = request["source"], request["max_bytes"], request["limit_name"]
    reader = _Reader(source, request["organization_column"], tuple(request["channels"]))
    reader.columns.keep_counts()  # summed once, where the halves meet
    result: tuple[Any, ...]
    try:
        reader.add(io.BufferedReader(_At(request["fd"], 0)).readline(max_bytes + 1))  # the header
        part = io.BufferedReader(_At(request["fd"], request["cut"]), _BLOCK)
        for block in _blocks(part, source, max_bytes, limit_name, start=request["cut"]):
            reader.add(block)
        result = ("rows", reader.columns, reader.line, reader.blank_from)
    except _Fault as fault:
        result = ("fault", fault.line, fault.column, fault.problem)
    except DataError as exc:
        result = ("refused", exc.problem)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


def _end_with(parent: int) -> None:
    """Have the kernel end this helper when ``parent``, the process that started it, ends (Linux).

    A reload check stopped for its time, or a server stopped while loading, leaves no helper
    reading on behind it.
    """
    if sys.platform != "linux":
        return
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the signal was asked for
        os._exit(1)


def _too_big(shown: str, limit: int, limit_name: str) -> str:
    return f"the file is {shown}, over the limit of {_amount(limit)} ({limit_name})"


def _amount(size: int) -> str:
    if size >= MEGABYTE:
        return f"{size / MEGABYTE:.1f}".removesuffix(".0") + " MB"
    return f"{size:,} bytes"


def _blocks(
    handle: BinaryIO, source: str, max_bytes: int, limit_name: str, *, start: int = 0, stop: int | None = None
) -> Iterator[bytes]:
    """The file in blocks of whole lines, from ``start`` (where ``handle`` stands) up to ``stop`` (a line's
    start; ``None``: the end); more than ``max_bytes`` in all is refused."""
    total = start
    end = max_bytes + 1 if stop is None else min(stop, max_bytes + 1)
    while block := handle.read(min(_BLOCK, end - total)):
        if not block.endswith(b"\n") and total + len(block) <= max_bytes:
            block += handle.readline(max_bytes + 1 - total - len(block))
        total += len(block)
        if total > max_bytes:
            raise DataError(source, "", _too_big(f"more than {_amount(max_bytes)}", max_bytes, limit_name))
        yield block


class _Indexes(dict[str, int]):
    """Organization id -> its index in ``names``, assigned at first sight."""

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names

    def __missing__(self, name: str) -> int:
        self[name] = index = len(self.names)
        self.names.append(name)
        return index


class _Days(dict[str, int]):
    """Date text -> day number, parsed once per distinct text."""

    def __missing__(self, text: str) -> int:
        self[text] = day = parse_day(text)
        return day


class _Reader:
    def __init__(self, source: str, organization_column: str, channels: tuple[str, ...]) -> None:
        self.source = source
        self.expected = (organization_column, DATE_COLUMN, *channels)
        self.columns = Columns(channels)
        self.organizations = _Indexes(self.columns.organizations)
        self.days = _Days()
        self.roles: tuple[str, ...] = ()  # the header's columns, as named in `expected`
        self.line = 1  # the line the next block starts on
        self.blank_from: int | None = None  # blank lines so far, from this line, are fine at the end only

    def fail(self, line: int, column: str | None, problem: str) -> _Fault:
        return _Fault(line, column, problem)

    def add(self, block: bytes) -> None:
        first = self.line == 1
        if first and block.startswith(_BOM):
            block = block[len(_BOM) :]
        try:
            text = block.decode()
        except UnicodeDecodeError as exc:
            line = self.line + block.count(b"\n", 0, exc.start)
            raise self.fail(line, None, f"not UTF-8 text (byte {block[exc.start]:#04x})") from None
        if "\r" in text:
            text = text.replace("\r\n", "\n")
            if "\r" in text:
                line = self.line + text.count("\n", 0, text.index("\r"))
                raise self.fail(line, None, "a carriage return (\\r) inside the line; lines end with \\n or \\r\\n")
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()  # the block ends with a line end
        start = self.line
        self.line += len(lines)
        if first:
            self.roles = self._header(lines[0] if lines else "")
            lines, start = lines[1:], start + 1
        kept = len(lines)
        while kept and not lines[kept - 1]:
            kept -= 1
        if kept and self.blank_from is not None:
            raise self.fail(self.blank_from, None, _BLANK_INSIDE)
        if kept < len(lines):
            self.blank_from = self.blank_from or start + kept
            del lines[kept:]
        if not lines:
            return
        self._take_rows(self._cells(lines, start) if '"' in text else self._split(lines, start), start)

    def _take_rows(self, cells: list[list[str]], start: int) -> None:
        """A block's columns, the organizations and days first: the rows' order is known before their counts."""
        by_role = dict(zip(self.roles, cells, strict=True))
        first_row = len(self.columns.days)
        for role in self.expected:
            self._take(role, by_role[role], start)
            if role == DATE_COLUMN:
                self.columns.rows_added(first_row)

    def take_part(self, part: tuple[Any, ...]) -> None:
        """What a helper read from the line after this reader's last on (:func:`_read_part`)."""
        shift = self.line - 2  # the helper numbered its first line 2, as if it followed the header
        if part[0] == "fault":
            raise _Fault(part[1] + shift, part[2], part[3])
        if part[0] == "refused":
            raise DataError(self.source, "", part[1])
        rows: Columns = part[1]
        if rows.days and self.blank_from is not None:
            raise self.fail(self.blank_from, None, _BLANK_INSIDE)
        columns, first = self.columns, len(self.columns.days)
        indexes = list(map(self.organizations.__getitem__, rows.organizations))
        columns.org_index.extend(map(indexes.__getitem__, rows.org_index))
        columns.days.extend(rows.days)
        columns.rows_added(first)
        counted = rows.counts or {}  # the helper keeps counts (:func:`_read_part`)
        for channel in self.expected[2:]:
            counts, total = counted[channel], columns.total(channel)
            try:
                columns.add(channel, counts)
            except OverflowError:
                raise self.fail(self.line + _passing(total, counts), channel, _total_past(channel)) from None
        if part[3] is not None:
            self.blank_from = part[3] + shift
        self.line = part[2] + shift

    def finish(self) -> Columns:
        if not self.roles:
            raise DataError(
                self.source, "", f"the file is empty: its first line must name the columns {', '.join(self.expected)}"
            )
        return self.columns

    def _header(self, line: str) -> tuple[str, ...]:
        if not line.strip():
            raise DataError(self.source, "", f"the first line must name the columns {', '.join(self.expected)}")
        by_fold = {name.casefold(): name for name in self.expected}
        if len(by_fold) != len(self.expected):
            raise self.fail(1, None, f"the columns {', '.join(self.expected)} differ only in case")
        roles: list[str] = []
        for cell in next(csv.reader([line])):
            name = by_fold.get(cell.strip().casefold())
            if name is None:
                known = f"{self.expected[0]}, {DATE_COLUMN} and the channels {', '.join(self.expected[2:])}"
                raise self.fail(1, None, f"column {cell!r} is not known; the columns are {known}")
            if name in roles:
                raise self.fail(1, None, f"column {cell!r} is named twice")
            roles.append(name)
        missing = [name for name in self.expected if name not in roles]
        if missing:
            raise self.fail(1, None, f"no column {', '.join(missing)}; the columns are {', '.join(self.expected)}")
        return tuple(roles)

    def _split(self, lines: list[str], start: int) -> list[list[str]]:
        """Columns of lines without quotes: split on commas, then take every n-th cell."""
        width = len(self.roles)
        if set(map(str.count, lines, repeat(","))) != {width - 1}:
            for offset, line in enumerate(lines):
                self._check_width(line.split(","), start + offset)
        flat = ",".join(lines).split(",")
        return [flat[index::width] for index in range(width)]

    def _cells(self, lines: list[str], start: int) -> list[list[str]]:
        """Columns of lines with quotes, through the csv module; a row must be one line."""
        reader = csv.reader(lines, strict=True)
        rows: list[list[str]] = []
        try:
            for row in reader:
                if reader.line_num != len(rows) + 1:
                    raise csv.Error("a quoted field holds a line break")
                self._check_width(row, start + len(rows))
                rows.append(row)
        except csv.Error as exc:
            problem = "a quoted field runs past the end of the line" if "end of data" in str(exc) else str(exc)
            raise self.fail(start + len(rows), None, f"{problem}; each row must be one line") from None
        return list(map(list, zip(*rows, strict=True)))

    def _check_width(self, cells: Sequence[str], line: int) -> None:
        if len(cells) != len(self.roles):
            if cells == [""] or not cells:
                raise self.fail(line, None, "the line is empty (blank lines may only end the file)")
            raise self.fail(line, None, f"{len(cells)} fields, the header names {len(self.roles)}")

    def _take(self, role: str, column: list[str], start: int) -> None:
        columns = self.columns
        if role == self.expected[0]:
            if "" in column:
                raise self.fail(start + column.index(""), role, "the organization id is empty")
            columns.org_index.extend(map(self.organizations.__getitem__, column))
        elif role == DATE_COLUMN:
            try:
                columns.days.extend(map(self.days.__getitem__, column))
            except ValueError:
                line, cell = next((start + i, c) for i, c in enumerate(column) if not _is_day(c))
                raise self.fail(line, role, f"{cell!r} is not a date (YYYY-MM-DD)") from None
        else:
            joined = "".join(column)
            if not (joined.isdigit() and joined.isascii()) or "" in column:
                line, cell = next((start + i, c) for i, c in enumerate(column) if not (c.isdigit() and c.isascii()))
                raise self.fail(line, role, _count_problem(cell))
            total = int(columns.total(role))  # a CSV's counts are whole numbers
            try:
                columns.add(role, map(int, column))
            except (OverflowError, ValueError):  # ValueError: more digits than int() reads (4,300)
                raise self._overflow(role, column, start, total) from None

    def _overflow(self, role: str, column: list[str], start: int, total: int) -> _Fault:
        for offset, cell in enumerate(column):
            if _past_int64(cell):
                return self.fail(start + offset, role, f"{_shown(cell)} is over 2**63 - 1, the most a count may be")
            total += int(cell)
            if total > _INT64_MAX:
                break
        return self.fail(start + offset, role, _total_past(role))


def _total_past(channel: str) -> str:
    return f"the total of {channel} up to this row passes 2**63 - 1, the most a 64-bit sum holds exactly"


def _passing(total: int | float, counts: Sequence[int]) -> int:
    """The first of ``counts`` whose running total, from ``total``, passes ``2**63 - 1``."""
    running = accumulate(counts, initial=total)
    next(running)
    return next(row for row, value in enumerate(running) if value > _INT64_MAX)


def _is_day(text: str) -> bool:
    try:
        parse_day(text)
    except ValueError:
        return False
    return True


def _past_int64(digits: str) -> bool:
    # By its length first: int() refuses more than 4,300 digits, and 2**63 - 1 has 19.
    return len(digits.lstrip("0")) > 19 or int(digits) > _INT64_MAX


def _shown(cell: str, *, quoted: bool = False) -> str:
    """A cell as an error shows it: a long one cut to its first 20 characters and its length."""
    if len(cell) <= 40:
        return repr(cell) if quoted else cell
    head, unit = (repr(cell[:20]), "characters") if quoted else (cell[:20], "digits")
    return f"{head}... ({len(cell):,} {unit})"


def _count_problem(cell: str) -> str:
    if not cell.strip():
        return "the cell is empty; write 0 for no usage"
    shown = _shown(cell, quoted=True)
    try:
        number = float(cell)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        return f"{shown} is not a whole number"
    if number < 0:
        return f"{shown} is negative; usage counts are 0 or more"
    if not number.is_integer():
        return f"{shown} is a fraction; usage counts are whole numbers, so that sums stay exact"
    return f"{shown} is not written as digits only (like {int(number)})"
