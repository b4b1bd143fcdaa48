"""The summary's line on the AI grader: how each model-graded check agrees with your thumbs, in plain words, and a
link to the answers you disagree on (the grid's "Where the AI grader disagrees with me" filter).

Hidden while no answer has both an AI grader's verdict and your thumbs: there is nothing to say yet.

Signals: show_disagreements(), when the link is clicked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from promptbench.core.agreement import CheckAgreement, judge_agreement
from promptbench.core.result import CellKey, HumanGrade, Result

LINK = "disagreements"


class AgreementLine(QLabel):
    """One line per model-graded check, then the link."""

    show_disagreements = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.agreements: list[CheckAgreement] = []
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.setToolTip(
            "Compares each AI grader's pass or fail with your thumbs up or down on the same answers. Kappa corrects "
            "the agreement for luck: above 0.60 agrees well, above 0.40 moderately, lower poorly."
        )
        self.linkActivated.connect(lambda _link: self.show_disagreements.emit())
        self.hide()

    def set_results(self, results: Iterable[Result], human: Mapping[CellKey, HumanGrade]) -> None:
        # Agreement needs your thumbs: without any grade there is nothing to compare (and no need to read the run).
        self.agreements = judge_agreement(results, human) if human else []
        if not self.agreements:
            self.clear()
            self.hide()
            return
        lines = [escape(f"AI grader: {a.sentence()}") for a in self.agreements]
        if any(a.disagreements for a in self.agreements):
            lines[-1] += f' <a href="{LINK}">Show the answers where it disagrees with you</a>'
        self.setText("<br>".join(lines))
        self.show()

    def plain_text(self) -> str:
        return "\n".join(f"AI grader: {a.sentence()}" for a in self.agreements)
