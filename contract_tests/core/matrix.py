"""The side-by-side matrix (vendor x check) of several runs, from their JSON reports (pure
apart from :func:`write_matrix`). It says, per target, how many of its checks ran, lists
the checks that did not with the setting that enables them, names the failed checks in
each failing cell, and links each target's column and cells to that target's own report."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from contract_tests.core.exchange import printable
from contract_tests.core.reporting import MARK, STYLE, md_cell

__all__ = ["REPORT_NAME", "matrix_html", "matrix_markdown", "report_links", "write_matrix"]

REPORT_NAME = "conformance.html"  # each target's report, in the folder named after the target


@dataclass(frozen=True)
class _Cell:
    mark: str  # pass, FAIL, skip, ERROR, n/a
    failed: tuple[str, ...] = ()  # the names of the checks that failed

    @property
    def text(self) -> str:
        return f"{self.mark}: {', '.join(self.failed)}" if self.failed else self.mark


def _ran(run: dict[str, Any]) -> str:
    coverage = run.get("coverage") or {}
    return f"{coverage.get('ran', 0)} of {coverage.get('total', len(run['checks']))}"


def _skipped(run: dict[str, Any]) -> list[dict[str, Any]]:
    return list((run.get("coverage") or {}).get("skipped", []))


def _label(check: dict[str, Any]) -> str:
    return f"{check['category']}: {check['name']}"


def _cell(check: dict[str, Any] | None) -> _Cell:
    if check is None:
        return _Cell("n/a")
    failed = dict.fromkeys(str(f.get("check")) for f in check.get("failures", []) if f.get("check"))
    return _Cell(MARK[check["outcome"]], tuple(failed))


def _matrix(runs: list[dict[str, Any]]) -> tuple[list[str], list[tuple[str, list[_Cell]]]]:
    names = list(dict.fromkeys(_label(check) for run in runs for check in run["checks"]))
    by_label = [{_label(check): check for check in run["checks"]} for run in runs]
    rows = [(label, [_cell(checks.get(label)) for checks in by_label]) for label in names]
    return [run["target"] for run in runs], rows


def report_links(runs: list[dict[str, Any]], directory: Path) -> dict[str, str]:
    """Target -> the relative link to its HTML report, for the targets whose report exists in ``directory``."""
    return {
        run["target"]: f"{quote(run['target'])}/{REPORT_NAME}"
        for run in runs
        if (directory / run["target"] / REPORT_NAME).is_file()
    }


def _md_link(text: str, href: str | None) -> str:
    return f"[{md_cell(text)}]({href})" if href else md_cell(text)


def matrix_markdown(runs: list[dict[str, Any]], links: Mapping[str, str] | None = None) -> str:
    """The matrix as Markdown; ``links`` (target -> relative URL of its report) links its column."""
    links = links or {}
    targets, rows = _matrix(runs)
    lines = [
        "# Contract conformance matrix",
        "",
        "| check | " + " | ".join(_md_link(t, links.get(t)) for t in targets) + " |",
        "| --- |" + " --- |" * len(targets),
    ]
    lines.append("| **verdict** | " + " | ".join("**PASS**" if r["passed"] else "**FAIL**" for r in runs) + " |")
    lines.append("| **checks ran** | " + " | ".join(_ran(r) for r in runs) + " |")
    lines += [
        f"| {md_cell(label)} | "
        + " | ".join(_md_link(cell.text, links.get(t)) for t, cell in zip(targets, cells, strict=True))
        + " |"
        for label, cells in rows
    ]
    skipped = [(run["target"], item) for run in runs for item in _skipped(run)]
    if skipped:
        lines += ["", "## Checks that did not run", "", "| target | checks | why, and the setting that enables them |"]
        lines += ["| --- | --- | --- |"]
        lines += [f"| {md_cell(t)} | {item['checks']} | {md_cell(item['reason'])} |" for t, item in skipped]
    return "\n".join(lines) + "\n"


def matrix_html(runs: list[dict[str, Any]], links: Mapping[str, str] | None = None) -> str:
    """The matrix as one self-contained HTML page; ``links`` as for :func:`matrix_markdown`."""
    links = links or {}

    def e(text: str) -> str:
        return html.escape(printable(text))

    def a(text: str, target: str) -> str:
        href = links.get(target)
        return f"<a href='{html.escape(href)}'>{e(text)}</a>" if href else e(text)

    targets, rows = _matrix(runs)
    head = "".join(f"<th>{a(t, t)}</th>" for t in targets)
    verdicts = "".join(
        f"<td><span class='badge {'PASS' if r['passed'] else 'FAIL'}'>{'PASS' if r['passed'] else 'FAIL'}</span></td>"
        for r in runs
    )
    ran = "".join(f"<td>{e(_ran(r))}</td>" for r in runs)
    body = "".join(
        f"<tr><td>{e(label)}</td>"
        + "".join(f"<td class='{_css(c.mark)}'>{a(c.text, t)}</td>" for t, c in zip(targets, cells, strict=True))
        + "</tr>"
        for label, cells in rows
    )
    skipped = "".join(
        f"<tr><td>{e(run['target'])}</td><td>{item['checks']}</td><td>{e(item['reason'])}</td></tr>"
        for run in runs
        for item in _skipped(run)
    )
    if skipped:
        skipped = (
            "<h2>Checks that did not run</h2><table><tr><th>target</th><th>checks</th>"
            f"<th>why, and the setting that enables them</th></tr>{skipped}</table>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contract conformance matrix</title><style>{STYLE}</style></head><body>
<h1>Contract conformance matrix</h1>
<table><tr><th>check</th>{head}</tr><tr><td><b>verdict</b></td>{verdicts}</tr>
<tr><td><b>checks ran</b></td>{ran}</tr>{body}</table>
{skipped}
</body></html>
"""


def _css(mark: str) -> str:
    return {v: k for k, v in MARK.items()}.get(mark, "skipped")


def write_matrix(runs: list[dict[str, Any]], directory: Path) -> list[Path]:
    """Write ``matrix.{json,md,html}`` for several runs' JSON reports, linking each target's
    report found at ``directory/<target>/conformance.html``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "matrix.json", directory / "matrix.md", directory / "matrix.html"]
    targets, rows = _matrix(runs)
    links = report_links(runs, directory)
    data = {
        "targets": targets,
        "reports": links,
        "verdicts": {r["target"]: r["passed"] for r in runs},
        "checks_ran": {r["target"]: _ran(r) for r in runs},
        "skipped": {r["target"]: _skipped(r) for r in runs},
        "checks": {label: {t: c.mark for t, c in zip(targets, cells, strict=True)} for label, cells in rows},
        "failed_checks": {
            label: {t: list(c.failed) for t, c in zip(targets, cells, strict=True) if c.failed}
            for label, cells in rows
            if any(c.failed for c in cells)
        },
    }
    paths[0].write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(matrix_markdown(runs, links), encoding="utf-8")
    paths[2].write_text(matrix_html(runs, links), encoding="utf-8")
    return paths
