"""The HTML report's section on the AI grader: per model-graded check, how it agrees with the person's thumbs
(cells both graded, percent, kappa and its plain words) and which cells disagree, counted from 1."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from promptbench.core.agreement import cell_label, judge_agreement
from promptbench.core.result import CellKey, HumanGrade, Result


def agreement_section(results: Sequence[Result], human_grades: Mapping[CellKey, HumanGrade]) -> str:
    """'' when no cell has both an AI grader's verdict and a thumbs."""
    agreements = judge_agreement(results, human_grades)
    if not agreements:
        return ""
    rows = []
    for a in agreements:
        kappa = "—" if a.kappa is None else f"{a.kappa:.2f}"
        disagree = ", ".join(cell_label(key) for key in a.disagreements) or "none"
        rows.append(
            f"<tr><td>{html.escape(a.check)}</td><td>{html.escape(a.label)}</td>"
            f'<td class="num">{a.agree} of {a.cells} ({a.percent:.0f}%)</td><td class="num">{kappa}</td>'
            f"<td>{html.escape(disagree)}</td></tr>"
        )
    return (
        "<h2>AI grader and you</h2>"
        '<p class="meta">Each AI grader\'s pass or fail against your thumbs up or down on the same answers. Kappa '
        "corrects the agreement for luck: above 0.60 agrees well, above 0.40 moderately, lower poorly.</p>"
        "<table><tr><th>Check</th><th>In plain words</th><th>Same verdict</th><th>Kappa</th>"
        "<th>Where you disagree</th></tr>" + "".join(rows) + "</table>"
    )
