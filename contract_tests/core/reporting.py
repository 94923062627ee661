"""Conformance reports: one run as Markdown, JSON and a self-contained HTML page.

Everything here works on plain data (:class:`RunReport`, or the JSON it writes). Every
report says how many of the checks ran ("58 of 63 checks ran") and lists what was skipped
with the setting that enables it, so a green report cannot hide checks that never ran.
Text from the target is shown inert: control characters escaped, HTML escaped, and bodies
fenced in Markdown (a fence longer than any run of backticks in them).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.core.exchange import printable

__all__ = ["MARK", "STYLE", "CheckResult", "RunReport", "md_cell", "to_html", "to_markdown", "write_reports"]

MARK = {"passed": "pass", "failed": "FAIL", "skipped": "skip", "error": "ERROR"}


@dataclass
class CheckResult:
    id: str
    category: str
    name: str
    outcome: str  # passed, failed, skipped, error
    failures: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None
    duration: float = 0.0
    ran: bool = True  # False when skipped (also when --strict turned the skip into a failure)


@dataclass
class RunReport:
    target: str
    base_url: str
    spec: str
    documented_statuses: list[int]
    results: list[CheckResult] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    requests: int = 0
    duration: float = 0.0
    total: int = 0  # checks collected; results may be fewer if the run stopped early
    strict: bool = False

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(r.outcome for r in self.results)
        return {k: found.get(k, 0) for k in ("passed", "failed", "error", "skipped")}

    @property
    def passed(self) -> bool:
        return self.counts["failed"] == 0 and self.counts["error"] == 0 and self.counts["passed"] > 0

    @property
    def ran(self) -> int:
        return sum(r.ran for r in self.results)

    @property
    def skip_reasons(self) -> list[tuple[str, int]]:
        """(reason, how many checks) for the checks that did not run, most common first."""
        return Counter(r.reason or "no reason given" for r in self.results if not r.ran).most_common()

    @property
    def coverage_line(self) -> str:
        total = max(self.total, len(self.results))
        line = f"{self.ran} of {total} checks ran"
        if self.ran < total:
            line += "; --strict fails such a run" if not self.strict else "; --strict: each skip is a failure"
        return line

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "base_url": self.base_url,
            "spec": self.spec,
            "passed": self.passed,
            "summary": self.counts,
            "coverage": {
                "ran": self.ran,
                "total": max(self.total, len(self.results)),
                "strict": self.strict,
                "skipped": [{"reason": reason, "checks": count} for reason, count in self.skip_reasons],
            },
            "requests": self.requests,
            "duration_s": round(self.duration, 3),
            "status_coverage": {
                "documented": {str(s): self.statuses.get(s, 0) for s in self.documented_statuses},
                "undocumented": {
                    str(s): n for s, n in sorted(self.statuses.items()) if s not in self.documented_statuses
                },
            },
            "checks": [asdict(r) for r in self.results],
        }


def _coverage_rows(data: dict[str, Any]) -> list[tuple[str, int, str]]:
    rows = [(s, n, "seen" if n else "never seen") for s, n in data["status_coverage"]["documented"].items()]
    rows += [(s, n, "not documented") for s, n in data["status_coverage"]["undocumented"].items()]
    return rows


def coverage_text(data: dict[str, Any]) -> str:
    coverage = data["coverage"]
    return f"{coverage['ran']} of {coverage['total']} checks ran"


def _failed_first(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(checks, key=lambda c: c["outcome"] not in ("failed", "error"))


def md_cell(text: str) -> str:
    """Text for a Markdown table cell: one line, inert (no markup, no control characters)."""
    escaped = re.sub(r"([\\`*_\[\]<>|#!~])", r"\\\1", printable(text))
    return escaped


def _md_code(text: str) -> str:
    """Inline code whose delimiter cannot be closed by the text."""
    text = printable(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}" if longest else f"`{text}`"


def _md_fenced(text: str, language: str = "text") -> list[str]:
    text = printable(text, newlines=True)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence]


def to_markdown(data: dict[str, Any]) -> str:
    s = data["summary"]
    coverage = data["coverage"]
    lines = [
        f"# Contract conformance: {md_cell(data['target'])}",
        "",
        f"- Target: {_md_code(data['base_url'])}",
        f"- Spec: {_md_code(data['spec'])}",
        f"- Result: **{'PASS' if data['passed'] else 'FAIL'}**: {s['passed']} passed, {s['failed']} failed, "
        f"{s['error']} errors, {s['skipped']} skipped; {data['requests']} requests in {data['duration_s']} s",
        f"- Coverage: **{coverage_text(data)}**" + (" (strict: a skip is a failure)" if coverage["strict"] else ""),
        "- Replay a failure with its `curl`; set `CONTRACT_API_KEY` (and `CONTRACT_OTHER_API_KEY`) first.",
    ]
    if coverage["skipped"]:
        lines += ["", "## Checks that did not run", "", "| checks | why, and the setting that enables them |"]
        lines += ["| --- | --- |"] + [
            f"| {item['checks']} | {md_cell(item['reason'])} |" for item in coverage["skipped"]
        ]
    lines += ["", "## Documented status codes seen", "", "| status | responses | |", "| --- | --- | --- |"]
    lines += [f"| {status} | {count} | {note} |" for status, count, note in _coverage_rows(data)]
    lines += ["", "## Checks", "", "| category | check | result | details |", "| --- | --- | --- | --- |"]
    for check in _failed_first(data["checks"]):
        detail = check["reason"] or ""
        if check["failures"]:
            first = check["failures"][0]
            detail = f"[{first['check']}] expected {first['expected']} (what came back: see Failures)"
        lines.append(
            f"| {check['category']} | {md_cell(check['name'])} | {MARK[check['outcome']]} | {md_cell(detail)} |"
        )
    failures = [(c, f) for c in data["checks"] for f in c["failures"]]
    if failures:
        lines += ["", "## Failures", ""]
        for check, failure in failures:
            lines += [
                f"### {md_cell(check['category'])}: {md_cell(check['name'])}",
                "",
                f"- check: {_md_code(failure['check'])}",
                f"- request: {_md_code(failure['request'])}",
                f"- expected: {md_cell(failure['expected'])}",
                "- got:",
                "",
                *_md_fenced(failure["got"]),
                "",
                *_md_fenced(failure["curl"] or "", "sh"),
                "",
            ]
    return "\n".join(lines) + "\n"


STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d232a}
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #d7dde3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f5f8}.passed{color:#17663a}.failed,.error,.UNDOCUMENTED{color:#b3261e;font-weight:600}
.skipped,.never,.not{color:#6b7580}code,pre{font:12px/1.4 ui-monospace,monospace}
pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;color:#fff}
.PASS{background:#17663a}.FAIL{background:#b3261e}
"""


def _e(text: Any) -> str:
    return html.escape(printable(str(text), newlines=True))


def to_html(data: dict[str, Any]) -> str:
    s = data["summary"]
    verdict = "PASS" if data["passed"] else "FAIL"
    rows = []
    for check in _failed_first(data["checks"]):
        details = _e(check["reason"] or "")
        for failure in check["failures"]:
            details += (
                f"<div><b>{_e(failure['check'])}</b>: expected {_e(failure['expected'])}<br>got "
                f"<pre>{_e(failure['got'])}</pre><pre>{_e(failure['curl'] or '')}</pre></div>"
            )
        rows.append(
            f"<tr><td>{_e(check['category'])}</td><td>{_e(check['name'])}</td>"
            f"<td class='{check['outcome']}'>{MARK[check['outcome']]}</td><td>{details}</td></tr>"
        )
    coverage = "".join(
        f"<tr><td>{_e(status)}</td><td>{count}</td><td class='{note.split()[0]}'>{_e(note)}</td></tr>"
        for status, count, note in _coverage_rows(data)
    )
    skipped = "".join(
        f"<tr><td>{item['checks']}</td><td>{_e(item['reason'])}</td></tr>" for item in data["coverage"]["skipped"]
    )
    skipped_table = (
        f"<h2>Checks that did not run</h2><table><tr><th>checks</th><th>why, and the setting that enables them</th>"
        f"</tr>{skipped}</table>"
        if skipped
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contract conformance: {_e(data["target"])}</title>
<style>{STYLE}</style></head><body>
<h1>Contract conformance: {_e(data["target"])} <span class="badge {verdict}">{verdict}</span></h1>
<p>Target <code>{_e(data["base_url"])}</code>, spec <code>{_e(data["spec"])}</code>.
<b>{_e(coverage_text(data))}</b>{" (strict: a skip is a failure)" if data["coverage"]["strict"] else ""}:
{s["passed"]} passed, {s["failed"]} failed, {s["error"]} errors, {s["skipped"]} skipped;
{data["requests"]} requests in {data["duration_s"]} s.
Replay a failure with its <code>curl</code> after setting <code>CONTRACT_API_KEY</code>.</p>
{skipped_table}
<h2>Documented status codes seen</h2>
<table><tr><th>status</th><th>responses</th><th></th></tr>{coverage}</table>
<h2>Checks</h2>
<table><tr><th>category</th><th>check</th><th>result</th><th>details</th></tr>{"".join(rows)}</table>
</body></html>
"""


def write_reports(report: RunReport, directory: Path) -> list[Path]:
    """Write ``conformance.{json,md,html}`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    data = report.as_dict()
    paths = [directory / "conformance.json", directory / "conformance.md", directory / "conformance.html"]
    paths[0].write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[1].write_text(to_markdown(data), encoding="utf-8")
    paths[2].write_text(to_html(data), encoding="utf-8")
    return paths
