"""Conformance reports: one run as Markdown, JSON and a self-contained HTML page, and a
side-by-side matrix (vendor x check) for several runs.

Everything here works on plain data (:class:`RunReport`, or the JSON it writes), so the
matrix can be built from the JSON files of separate runs.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CheckResult", "RunReport", "matrix_html", "matrix_markdown", "write_matrix", "write_reports"]

_MARK = {"passed": "pass", "failed": "FAIL", "skipped": "skip", "error": "ERROR"}


@dataclass
class CheckResult:
    id: str
    category: str
    name: str
    outcome: str  # passed, failed, skipped, error
    failures: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None
    duration: float = 0.0


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

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(r.outcome for r in self.results)
        return {k: found.get(k, 0) for k in ("passed", "failed", "error", "skipped")}

    @property
    def passed(self) -> bool:
        return self.counts["failed"] == 0 and self.counts["error"] == 0 and self.counts["passed"] > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "base_url": self.base_url,
            "spec": self.spec,
            "passed": self.passed,
            "summary": self.counts,
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


def _failed_first(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(checks, key=lambda c: c["outcome"] not in ("failed", "error"))


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(data: dict[str, Any]) -> str:
    s = data["summary"]
    lines = [
        f"# Contract conformance: {data['target']}",
        "",
        f"- Target: `{data['base_url']}`",
        f"- Spec: `{data['spec']}`",
        f"- Result: **{'PASS' if data['passed'] else 'FAIL'}**: {s['passed']} passed, {s['failed']} failed, "
        f"{s['error']} errors, {s['skipped']} skipped; {data['requests']} requests in {data['duration_s']} s",
        "- Replay a failure with its `curl`; set `CONTRACT_API_KEY` (and `CONTRACT_OTHER_API_KEY`) first.",
        "",
        "## Documented status codes seen",
        "",
        "| status | responses | |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {status} | {count} | {note} |" for status, count, note in _coverage_rows(data)]
    lines += ["", "## Checks", "", "| category | check | result | details |", "| --- | --- | --- | --- |"]
    for check in _failed_first(data["checks"]):
        detail = check["reason"] or ""
        if check["failures"]:
            first = check["failures"][0]
            detail = f"[{first['check']}] expected {first['expected']}; got {first['got']}"
        lines.append(
            f"| {check['category']} | {_md_cell(check['name'])} | {_MARK[check['outcome']]} | {_md_cell(detail)} |"
        )
    failures = [(c, f) for c in data["checks"] for f in c["failures"]]
    if failures:
        lines += ["", "## Failures", ""]
        for check, failure in failures:
            lines += [
                f"### {check['category']}: {check['name']}",
                "",
                f"- check: `{failure['check']}`",
                f"- request: `{failure['request']}`",
                f"- expected: {failure['expected']}",
                f"- got: {failure['got']}",
                "",
                "```sh",
                failure["curl"] or "",
                "```",
                "",
            ]
    return "\n".join(lines) + "\n"


_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d232a}
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #d7dde3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f5f8}.passed{color:#17663a}.failed,.error,.UNDOCUMENTED{color:#b3261e;font-weight:600}
.skipped,.never,.not{color:#6b7580}code,pre{font:12px/1.4 ui-monospace,monospace}
pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;color:#fff}
.PASS{background:#17663a}.FAIL{background:#b3261e}
"""


def to_html(data: dict[str, Any]) -> str:
    e = html.escape
    s = data["summary"]
    verdict = "PASS" if data["passed"] else "FAIL"
    rows = []
    for check in _failed_first(data["checks"]):
        details = e(check["reason"] or "")
        for failure in check["failures"]:
            details += (
                f"<div><b>{e(failure['check'])}</b>: expected {e(failure['expected'])}<br>got {e(failure['got'])}"
                f"<pre>{e(failure['curl'] or '')}</pre></div>"
            )
        rows.append(
            f"<tr><td>{e(check['category'])}</td><td>{e(check['name'])}</td>"
            f"<td class='{check['outcome']}'>{_MARK[check['outcome']]}</td><td>{details}</td></tr>"
        )
    coverage = "".join(
        f"<tr><td>{e(status)}</td><td>{count}</td><td class='{note.split()[0]}'>{e(note)}</td></tr>"
        for status, count, note in _coverage_rows(data)
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contract conformance: {e(data["target"])}</title>
<style>{_STYLE}</style></head><body>
<h1>Contract conformance: {e(data["target"])} <span class="badge {verdict}">{verdict}</span></h1>
<p>Target <code>{e(data["base_url"])}</code>, spec <code>{e(data["spec"])}</code>.
{s["passed"]} passed, {s["failed"]} failed, {s["error"]} errors, {s["skipped"]} skipped;
{data["requests"]} requests in {data["duration_s"]} s.
Replay a failure with its <code>curl</code> after setting <code>CONTRACT_API_KEY</code>.</p>
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


def _matrix(runs: list[dict[str, Any]]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    names: list[str] = []
    for run in runs:
        for check in run["checks"]:
            label = f"{check['category']}: {check['name']}"
            if label not in names:
                names.append(label)
    rows = []
    for label in names:
        cells = []
        for run in runs:
            found = next((c for c in run["checks"] if f"{c['category']}: {c['name']}" == label), None)
            cells.append(_MARK[found["outcome"]] if found else "n/a")
        rows.append((label, cells))
    return [run["target"] for run in runs], rows


def matrix_markdown(runs: list[dict[str, Any]]) -> str:
    targets, rows = _matrix(runs)
    lines = [
        "# Contract conformance matrix",
        "",
        "| check | " + " | ".join(targets) + " |",
        "| --- |" + " --- |" * len(targets),
    ]
    lines.append("| **verdict** | " + " | ".join("**PASS**" if r["passed"] else "**FAIL**" for r in runs) + " |")
    lines += [f"| {_md_cell(label)} | " + " | ".join(cells) + " |" for label, cells in rows]
    return "\n".join(lines) + "\n"


def matrix_html(runs: list[dict[str, Any]]) -> str:
    e = html.escape
    targets, rows = _matrix(runs)
    head = "".join(f"<th>{e(t)}</th>" for t in targets)
    verdicts = "".join(
        f"<td><span class='badge {'PASS' if r['passed'] else 'FAIL'}'>{'PASS' if r['passed'] else 'FAIL'}</span></td>"
        for r in runs
    )
    body = "".join(
        f"<tr><td>{e(label)}</td>" + "".join(f"<td class='{_css(c)}'>{c}</td>" for c in cells) + "</tr>"
        for label, cells in rows
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contract conformance matrix</title><style>{_STYLE}</style></head><body>
<h1>Contract conformance matrix</h1>
<table><tr><th>check</th>{head}</tr><tr><td><b>verdict</b></td>{verdicts}</tr>{body}</table>
</body></html>
"""


def _css(mark: str) -> str:
    return {v: k for k, v in _MARK.items()}.get(mark, "skipped")


def write_matrix(runs: list[dict[str, Any]], directory: Path) -> list[Path]:
    """Write ``matrix.{json,md,html}`` for several runs' JSON reports."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "matrix.json", directory / "matrix.md", directory / "matrix.html"]
    targets, rows = _matrix(runs)
    data = {
        "targets": targets,
        "verdicts": {r["target"]: r["passed"] for r in runs},
        "checks": {label: dict(zip(targets, cells, strict=True)) for label, cells in rows},
    }
    paths[0].write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(matrix_markdown(runs), encoding="utf-8")
    paths[2].write_text(matrix_html(runs), encoding="utf-8")
    return paths
