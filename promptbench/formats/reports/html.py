"""A run as one HTML file to share: totals per variant, then the grid (a row per case, a column per variant).

The file needs nothing else: styles are inline, there is no script and no external asset, so it opens offline
and anywhere. Every piece of text (outputs, variables, reasons, comments) goes through `html.escape`, so an
output that holds HTML or a <script> shows as text and never runs. Each cell shows the output, its word diff
against the first variant and against the expected output (JSON compared as JSON), the checks' verdicts and
reasons, and the human grade.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path

from promptbench.core.check_words import check_name, check_phrase
from promptbench.core.diff import Span, is_unchanged, json_aware_diff
from promptbench.core.experiment import Check, Experiment, TestCase
from promptbench.core.figures import latency, money
from promptbench.core.result import CellKey, HumanGrade, Result
from promptbench.core.summary import VariantSummary, summarize
from promptbench.formats.reports.html_comparisons import STYLE as COMPARISON_STYLE
from promptbench.formats.reports.html_comparisons import comparisons_section
from promptbench.formats.reports.html_grading import agreement_section
from promptbench.formats.testsets.rows import cell_text

# Diffing is quadratic in the worst case; past this size a cell says so instead of freezing the export.
MAX_DIFF_CHARS = 20_000

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d1d1f;background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px} .sub{color:#666;margin:0 0 16px}
table{border-collapse:collapse;width:100%} th,td{border:1px solid #ddd;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f5f5f7;font-weight:600} td.num{text-align:right;white-space:nowrap}
.grid td{min-width:220px} .vars{font-size:12px;color:#333} .vars b{color:#000}
pre{white-space:pre-wrap;word-break:break-word;margin:4px 0;font:12.5px/1.4 ui-monospace,Menlo,Consolas,monospace}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:700;color:#fff}
.pass{background:#1a7f37} .fail{background:#cf222e} .error{background:#9a6700} .none{background:#888}
td.cell-pass{background:#f3fbf5} td.cell-fail{background:#fdf3f3} td.cell-error{background:#fdf8ec}
ins{background:#d2f4d9;text-decoration:none} del{background:#fbd3d3}
.meta{color:#555;font-size:12px} .checks{margin:4px 0 0;padding-left:18px;font-size:12px}
details{margin-top:4px} summary{cursor:pointer;color:#555;font-size:12px}
.human{font-size:12px;margin-top:4px;color:#333}
@media (prefers-color-scheme: dark){body{background:#1c1c1e;color:#eee} th{background:#2c2c2e} th,td{border-color:#444}
td.cell-pass{background:#16261b} td.cell-fail{background:#2d1a1a} td.cell-error{background:#2b2515}
ins{background:#1f4d2b} del{background:#5a2323} .vars,.vars b,.meta,.human,summary{color:#ccc}}
"""


def write_html_report(
    path: Path,
    experiment: Experiment,
    results: Sequence[Result],
    human_grades: Mapping[CellKey, HumanGrade] | None = None,
    title: str | None = None,
) -> None:
    Path(path).write_text(render_html_report(experiment, results, human_grades, title), encoding="utf-8")


def render_html_report(
    experiment: Experiment,
    results: Sequence[Result],
    human_grades: Mapping[CellKey, HumanGrade] | None = None,
    title: str | None = None,
) -> str:
    human_grades = human_grades or {}
    title = title or f"{experiment.name}: results"
    variants = [v.name for v in experiment.variants]
    by_key = {r.key: r for r in results}
    repeats = sorted({r.key.repeat for r in results}) or [0]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No script may run and nothing may load from elsewhere, whatever an output holds.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{_STYLE}{COMPARISON_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(experiment.description or experiment.name)} · {len(experiment.cases)} cases · '
        f"{len(variants)} variants · {len(results)} cells</p>",
        _checks_line("Every case is checked with", experiment.default_checks),
        "<h2>Totals</h2>",
        _totals(summarize(results, variants)),
        agreement_section(results, human_grades),
        comparisons_section(results, variants),
        "<h2>Results</h2>",
        _grid(experiment, variants, repeats, by_key, human_grades),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _totals(summaries: list[VariantSummary]) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "Variant",
            "Calls",
            "Errors",
            "Pass rate",
            "Mean score",
            "Median latency",
            "Tokens in",
            "Tokens out",
            "Cost",
        )
    )
    rows = []
    for s in summaries:
        rate = "–" if s.pass_rate is None else f"{s.pass_rate:.0%} ({s.passed}/{s.graded})"
        rows.append(
            f"<tr><td>{_e(s.variant)}</td><td class=num>{s.calls}</td><td class=num>{s.errors}</td>"
            f"<td class=num>{rate}</td><td class=num>{_number(s.mean_score, '.2f')}</td>"
            f"<td class=num>{_ms(s.median_latency_ms)}</td><td class=num>{s.prompt_tokens}</td>"
            f"<td class=num>{s.completion_tokens}</td><td class=num>{money(s.cost)}</td></tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _grid(
    experiment: Experiment,
    variants: list[str],
    repeats: list[int],
    by_key: Mapping[CellKey, Result],
    human_grades: Mapping[CellKey, HumanGrade],
) -> str:
    head = "<th>Case</th>" + "".join(f"<th>{_e(name)}</th>" for name in variants)
    rows = []
    for index, case in enumerate(experiment.cases):
        for repeat in repeats:
            first = by_key.get(CellKey(variants[0], index, repeat)) if variants else None
            cells = [
                _cell(by_key.get(CellKey(name, index, repeat)), case, first if position else None, human_grades)
                for position, name in enumerate(variants)
            ]
            rows.append(f"<tr><td>{_case(index, case, repeat, len(repeats))}</td>{''.join(cells)}</tr>")
    return f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _case(index: int, case: TestCase, repeat: int, repeats: int) -> str:
    label = f"#{index + 1}" + (f" · repeat {repeat + 1}" if repeats > 1 else "")
    parts = [f"<b>{_e(label)}</b>"]
    if case.description:
        parts.append(f"<div>{_e(case.description)}</div>")
    for name, value in case.vars.items():
        parts.append(f'<div class="vars"><b>{_e(name)}</b>: {_e(cell_text(value))}</div>')
    if case.expected is not None:
        parts.append(f'<div class="vars"><b>expected</b>: {_e(case.expected)}</div>')
    if case.checks:
        parts.append(_checks_line("Also checked", case.checks))
    return "".join(parts)


def _checks_line(title: str, checks: Sequence[Check]) -> str:
    """Checks in plain words with their values ("Must mention "refund""), each identifier after it in grey."""
    if not checks:
        return ""
    items = "; ".join(f'{_e(check_phrase(c))} <span class="meta">{_e(c.type)}</span>' for c in checks)
    return f'<p class="vars"><b>{_e(title)}</b>: {items}</p>'


def _cell(
    result: Result | None, case: TestCase, first: Result | None, human_grades: Mapping[CellKey, HumanGrade]
) -> str:
    if result is None:
        return '<td><span class="badge none">not run</span></td>'
    if not result.ok:
        return (
            f'<td class="cell-error"><span class="badge error">ERROR</span>'
            f"<pre>{_e(result.error or '')}</pre>{_human(human_grades.get(result.key))}</td>"
        )
    output = result.output or ""
    grade = result.grade
    if grade is None:
        badge, css = '<span class="badge none">no checks</span>', ""
    elif grade.passed:
        badge, css = '<span class="badge pass">PASS</span>', "cell-pass"
    else:
        badge, css = '<span class="badge fail">FAIL</span>', "cell-fail"
    meta = [
        f"score {grade.score:.2f}" if grade else "",
        _ms(result.latency_ms),
        money(result.cost) if result.cost is not None else "",
    ]
    if result.cached:
        meta.append("cached")
    parts = [f'<td class="{css}">{badge} <span class="meta">{_e(" · ".join(m for m in meta if m and m != "–"))}</span>']
    parts.append(f"<pre>{_e(output)}</pre>")
    if first is not None and first.ok and first.output is not None:
        parts.append(_diff_block(f"Diff against {first.key.variant}", first.output, output))
    if case.expected is not None:
        parts.append(_diff_block("Diff against expected", case.expected, output))
    if grade and grade.checks:
        items = []
        for check in grade.checks:
            verdict = "error" if check.error else ("pass" if check.passed else "fail")
            items.append(
                f'<li><span class="badge {verdict}">{verdict.upper()}</span> <b>{_e(check_name(check.type))}</b> '
                f'<span class="meta">{_e(check.type)}</span> '
                f"{_e(f'{check.score:.2f}')}: {_e(check.reason)}</li>"
            )
        parts.append(f'<ul class="checks">{"".join(items)}</ul>')
    parts.append(_human(human_grades.get(result.key)))
    parts.append("</td>")
    return "".join(parts)


def _diff_block(label: str, before: str, after: str) -> str:
    if len(before) + len(after) > MAX_DIFF_CHARS:
        return f"<details><summary>{_e(label)}</summary><p class=meta>Too long to diff here.</p></details>"
    spans = json_aware_diff(before, after)
    if is_unchanged(spans):
        return f'<div class="meta">{_e(label)}: no difference</div>'
    return f"<details><summary>{_e(label)}</summary><pre>{_render_spans(spans)}</pre></details>"


def _render_spans(spans: list[Span]) -> str:
    tags = {"insert": "ins", "delete": "del"}
    return "".join(f"<{tags[op]}>{_e(text)}</{tags[op]}>" if op in tags else _e(text) for op, text in spans)


def _human(grade: HumanGrade | None) -> str:
    if grade is None or grade.is_empty:
        return ""
    parts = []
    if grade.thumbs is not None:
        parts.append("thumbs up" if grade.thumbs else "thumbs down")
    if grade.stars is not None:
        parts.append("★" * grade.stars + "☆" * (5 - grade.stars))
    if grade.comment:
        parts.append(f"“{_e(grade.comment)}”")
    return f'<div class="human">Human grade: {" ".join(parts)}</div>'


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _number(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def _ms(value: float | None) -> str:
    return "–" if value is None else latency(value)
