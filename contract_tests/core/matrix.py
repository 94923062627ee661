"""The side-by-side matrix (vendor x check) of several runs, from their JSON reports (pure
apart from :func:`write_matrix`). It says, per target, how many of its checks ran, and
lists the checks that did not with the setting that enables them."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from contract_tests.core.exchange import printable
from contract_tests.core.reporting import MARK, STYLE, md_cell

__all__ = ["matrix_html", "matrix_markdown", "write_matrix"]


def _ran(run: dict[str, Any]) -> str:
    coverage = run.get("coverage") or {}
    return f"{coverage.get('ran', 0)} of {coverage.get('total', len(run['checks']))}"


def _skipped(run: dict[str, Any]) -> list[dict[str, Any]]:
    return list((run.get("coverage") or {}).get("skipped", []))


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
            cells.append(MARK[found["outcome"]] if found else "n/a")
        rows.append((label, cells))
    return [run["target"] for run in runs], rows


def matrix_markdown(runs: list[dict[str, Any]]) -> str:
    targets, rows = _matrix(runs)
    lines = [
        "# Contract conformance matrix",
        "",
        "| check | " + " | ".join(md_cell(t) for t in targets) + " |",
        "| --- |" + " --- |" * len(targets),
    ]
    lines.append("| **verdict** | " + " | ".join("**PASS**" if r["passed"] else "**FAIL**" for r in runs) + " |")
    lines.append("| **checks ran** | " + " | ".join(_ran(r) for r in runs) + " |")
    lines += [f"| {md_cell(label)} | " + " | ".join(cells) + " |" for label, cells in rows]
    skipped = [(run["target"], item) for run in runs for item in _skipped(run)]
    if skipped:
        lines += ["", "## Checks that did not run", "", "| target | checks | why, and the setting that enables them |"]
        lines += ["| --- | --- | --- |"]
        lines += [f"| {md_cell(t)} | {item['checks']} | {md_cell(item['reason'])} |" for t, item in skipped]
    return "\n".join(lines) + "\n"


def matrix_html(runs: list[dict[str, Any]]) -> str:
    def e(text: str) -> str:
        return html.escape(printable(text))

    targets, rows = _matrix(runs)
    head = "".join(f"<th>{e(t)}</th>" for t in targets)
    verdicts = "".join(
        f"<td><span class='badge {'PASS' if r['passed'] else 'FAIL'}'>{'PASS' if r['passed'] else 'FAIL'}</span></td>"
        for r in runs
    )
    ran = "".join(f"<td>{e(_ran(r))}</td>" for r in runs)
    body = "".join(
        f"<tr><td>{e(label)}</td>" + "".join(f"<td class='{_css(c)}'>{c}</td>" for c in cells) + "</tr>"
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
    """Write ``matrix.{json,md,html}`` for several runs' JSON reports."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "matrix.json", directory / "matrix.md", directory / "matrix.html"]
    targets, rows = _matrix(runs)
    data = {
        "targets": targets,
        "verdicts": {r["target"]: r["passed"] for r in runs},
        "checks_ran": {r["target"]: _ran(r) for r in runs},
        "skipped": {r["target"]: _skipped(r) for r in runs},
        "checks": {label: dict(zip(targets, cells, strict=True)) for label, cells in rows},
    }
    paths[0].write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(matrix_markdown(runs), encoding="utf-8")
    paths[2].write_text(matrix_html(runs), encoding="utf-8")
    return paths
