"""The blind review window. Each test case shows every variant's answer as "Answer A", "Answer B"... in an order
shuffled per case (from the review's seed, kept in the history); the reviewer picks the better one or a tie, with
the buttons or the keys (A, B... pick, T tie, Left and Right move between cases). Every pick is saved at once, so
closing the window pauses the review and opening it again resumes it. No widget names a variant until **Reveal
names**, which ends the review and shows each variant's wins, ties and losses with a 95% interval. Each answer can
also be graded Good or Bad (its buttons, Shift+letter, Ctrl+letter), kept at once as that cell's human grade.

Saving goes through `with_history` (the bridge's worker thread in the window, rule 4): this window never touches the
history file itself.

Signals: revealed(), once the names are shown.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from promptbench.core.blind_review import answer_letter
from promptbench.service.review import ReviewSession, reveal, save_grade, save_pick
from promptbench.ui.close_keys import close_on_keys
from promptbench.ui.review.answer_box import AnswerBox

WithHistory = Callable[..., None]  # EngineBridge.with_history: (function(history), *, on_done=, on_error=)
INPUTS_SHOWN = 400  # characters of the case's inputs shown above the answers


class ReviewWindow(QWidget):
    revealed = Signal()

    def __init__(self, session: ReviewSession, with_history: WithHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session = session
        self._with_history = with_history
        self.case: int | None = None
        self.is_revealed = False
        self.setWindowTitle(f"Blind review · {session.experiment.name}")
        self.progress = QLabel()
        self.case_title = QLabel()
        self.case_title.setTextFormat(Qt.TextFormat.RichText)
        self.inputs = QLabel()
        self.inputs.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.help = QLabel(
            "Which answer is better? The variants' names are hidden and the order is shuffled for each case, so "
            "you judge the answers, not the prompts. Keys: A, B… pick; T a tie; Left and Right move between cases. "
            "Or grade each answer Good or Bad (Shift+A, B… good; Ctrl+A, B… bad): that is your grade of it, as in "
            "the grid. Everything is saved: close the window to pause, and open the review again to go on."
        )
        self.help.setWordWrap(True)
        self.boxes = [AnswerBox(position) for position in range(len(session.variants))]
        for box in self.boxes:
            box.graded.connect(self.grade)
        self.pick_buttons = [QPushButton(f"{answer_letter(i)} is better") for i in range(len(session.variants))]
        for position, button in enumerate(self.pick_buttons):
            button.setToolTip(f"Answer {answer_letter(position)} is the better one (key {answer_letter(position)})")
            button.clicked.connect(lambda _checked=False, p=position: self.pick(p))
        self.tie_button = QPushButton("Tie")
        self.tie_button.setToolTip("Neither is better (key T)")
        self.tie_button.clicked.connect(lambda: self.pick(None))
        self.previous_button = QPushButton("◀ Previous case")
        self.previous_button.setToolTip("The case before this one (key Left)")
        self.previous_button.clicked.connect(lambda: self.step_case(-1))
        self.next_button = QPushButton("Next case ▶")
        self.next_button.setToolTip("The case after this one (key Right)")
        self.next_button.clicked.connect(lambda: self.step_case(1))
        self.reveal_button = QPushButton("Reveal names (ends the review)")
        self.reveal_button.setToolTip("Show which variant wrote each answer, and how often each won")
        self.reveal_button.clicked.connect(self.reveal)
        self.reveal_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.TextFormat.RichText)
        self.outcome.hide()
        self._layout()
        self._shortcuts()
        close_on_keys(self)
        first = session.next_unreviewed()
        self.show_case(first if first is not None else session.cases[0])  # a resumed review goes on where it was

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.case_title, 1)
        top.addWidget(self.progress)
        answers = QHBoxLayout()
        for box in self.boxes:
            answers.addWidget(box, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.previous_button)
        buttons.addStretch(1)
        for button in self.pick_buttons:
            buttons.addWidget(button)
        buttons.addWidget(self.tie_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.outcome, 1)
        bottom.addStretch(0)
        bottom.addWidget(self.reveal_button, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.addWidget(self.help)
        layout.addLayout(top)
        layout.addWidget(self.inputs)
        layout.addLayout(answers, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        layout.addLayout(bottom)
        self.inputs.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def _shortcuts(self) -> None:
        keys: list[tuple[str, str, Callable[[], Any]]] = [
            (answer_letter(p), f"Answer {answer_letter(p)} is better", partial(self.pick, p))
            for p in range(len(self.boxes))
        ]
        for p in range(len(self.boxes)):
            letter = answer_letter(p)
            keys.append((f"Shift+{letter}", f"Answer {letter} is good", partial(self.boxes[p].toggle, True)))
            keys.append((f"Ctrl+{letter}", f"Answer {letter} is bad", partial(self.boxes[p].toggle, False)))
        keys += [
            ("T", "A tie", lambda: self.pick(None)),
            ("Left", "The previous case", lambda: self.step_case(-1)),
            ("Right", "The next case", lambda: self.step_case(1)),
        ]
        self.shortcuts = []
        for key, words, slot in keys:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.setWhatsThis(words)
            shortcut.activated.connect(slot)
            self.shortcuts.append(shortcut)

    # ----- what it shows

    def show_case(self, case: int) -> None:
        self.case = case
        session = self.session
        experiment = session.experiment
        test_case = experiment.cases[case]
        description = f" · {html.escape(test_case.description)}" if test_case.description else ""
        self.case_title.setText(f"<b>Case {case + 1}</b> of {len(experiment.cases)}{description}")
        values = " · ".join(f"{name} = {value}" for name, value in test_case.vars.items())
        self.inputs.setText(values[:INPUTS_SHOWN] + ("…" if len(values) > INPUTS_SHOWN else ""))
        chosen = session.chosen_position(case)
        tied = case in session.picks and chosen is None
        shown = session.shown(case)
        for box in self.boxes:
            box.show_answer(
                session.answer(case, box.position),
                picked=chosen == box.position,
                tied=tied,
                name=shown[box.position] if self.is_revealed else None,
            )
            box.show_grade(session.thumbs(case, box.position))
        self._update_progress()

    def _update_progress(self) -> None:
        session = self.session
        graded = session.graded
        words = f" · {graded} answer{'s' if graded != 1 else ''} graded" if graded else ""
        self.progress.setText(session.progress() + words)
        left_out = session.left_out
        notes = []
        if left_out:
            notes.append(
                f"{left_out} {'case is' if left_out == 1 else 'cases are'} left out: some variant has no answer there."
            )
        if not self.is_revealed and session.next_unreviewed() is None:
            notes.append("Every case is reviewed. Reveal the names when you are ready.")
        self.note.setText(" ".join(notes))
        self.reveal_button.setEnabled(not self.is_revealed and session.reviewed > 0)
        for button in [*self.pick_buttons, self.tie_button]:
            button.setEnabled(not self.is_revealed)

    # ----- what the reviewer does

    def pick(self, position: int | None) -> None:
        """Answer at `position` is better (None: a tie); kept at once; then the next case not yet reviewed."""
        if self.case is None or self.is_revealed:
            return
        case = self.case
        preference = self.session.pick(case, position)
        review_id = self.session.review.id
        self._with_history(lambda history: save_pick(history, review_id, preference), on_error=self._not_saved)
        following = self.session.next_unreviewed(after=case)
        self.show_case(following if following is not None else case)

    def grade(self, position: int, thumbs: bool | None) -> None:
        """The answer at `position` is good (True) or bad (False), or ungraded (None): kept at once as that cell's
        grade. The case stays on screen, so the other answers can be graded too."""
        if self.case is None:
            return
        key, grade = self.session.grade(self.case, position, thumbs)
        run_id = self.session.review.run_id
        self._with_history(lambda history: save_grade(history, run_id, key, grade), on_error=self._not_saved)
        self.boxes[position].show_grade(thumbs)
        self._update_progress()

    def step_case(self, step: int) -> None:
        if self.case is None:
            return
        cases = self.session.cases
        index = cases.index(self.case) + step
        if 0 <= index < len(cases):
            self.show_case(cases[index])

    def reveal(self) -> None:
        if self.is_revealed or self.session.reviewed == 0:
            return
        review_id = self.session.review.id
        self._with_history(lambda history: reveal(history, review_id), on_error=self._not_saved)
        self.is_revealed = True
        self.setWindowTitle(f"Blind review, names revealed · {self.session.experiment.name}")
        lines = [html.escape(t.sentence()) for t in self.session.tallies()]
        self.outcome.setText(
            f"<b>Names revealed</b> ({html.escape(self.session.progress())}):<br>"
            + "<br>".join(lines)
            + "<br><i>The interval is where the true win rate likely lies (95%); with few cases it is wide.</i>"
        )
        self.outcome.show()
        if self.case is not None:
            self.show_case(self.case)
        self.revealed.emit()

    def _not_saved(self, error: BaseException) -> None:
        self.note.setText(f"This could not be saved to history: {error}")

    # ----- for tests and screen readers

    def texts(self) -> list[str]:
        """Every text any widget of this window shows or tells: labels, buttons, answers, tooltips, titles."""
        found = [self.windowTitle(), self.toolTip()]
        for widget in self.findChildren(QWidget):
            found += [widget.toolTip(), widget.windowTitle(), widget.accessibleName(), widget.accessibleDescription()]
            found += [widget.statusTip(), widget.whatsThis()]
            for attribute in ("text", "toPlainText", "placeholderText"):
                getter = getattr(widget, attribute, None)
                if callable(getter):
                    value = getter()
                    if isinstance(value, str):
                        found.append(value)
        found += [s.whatsThis() for s in self.findChildren(QShortcut)]
        return [text for text in found if text]
