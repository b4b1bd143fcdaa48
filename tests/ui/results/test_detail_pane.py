"""The detail pane: the whole output (highlighted), the diff, the checks, the facts, the messages, and grading."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat

from promptbench.core.experiment import Experiment, Message, TestCase, Variant
from promptbench.core.result import CellKey, CheckOutcome, Grade, HumanGrade, Result
from promptbench.ui.results.detail_pane import DetailPane

pytestmark = pytest.mark.gui


def experiment() -> Experiment:
    variants = tuple(
        Variant(name, "gpt-4o-mini", (Message("system", "Be brief."), Message("user", "{{q}}")))
        for name in ("Short", "Long")
    )
    return Experiment(
        name="Detail",
        variants=variants,
        cases=(TestCase(vars={"q": "Capital of France?"}, expected="Paris is the capital.", description="France"),),
    )


def result(variant: str, output: str | None, *, passed: bool = True, error: str | None = None) -> Result:
    checks = (
        CheckOutcome(
            "icontains",
            passed,
            1.0 if passed else 0.0,
            "Output contains 'paris'" if passed else "Expected output to contain 'paris'",
        ),
        CheckOutcome("word-count", True, 1.0, "12 words, at most 50"),
    )
    grade = None if error else Grade(passed, 1.0 if passed else 0.5, "", checks)
    return Result(
        CellKey(variant, 0),
        ({"role": "system", "content": "Be brief."}, {"role": "user", "content": "Capital of France?"}),
        "gpt-4o-mini",
        "openai",
        output=output,
        finish_reason="stop",
        latency_ms=812.0,
        prompt_tokens=120,
        completion_tokens=45,
        cost=0.000123,
        error=error,
        error_kind="rate_limit" if error else None,
        grade=grade,
    )


@pytest.fixture
def pane(qtbot):
    widget = DetailPane()
    qtbot.addWidget(widget)
    widget.resize(420, 640)
    widget.show()
    return widget


def fragments(document):
    """(text, QTextCharFormat) of every run of text in a document."""
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            yield fragment.text(), fragment.charFormat()
            iterator += 1
        block = block.next()


def test_the_pane_shows_output_checks_facts_and_messages(pane):
    shown = result("Short", "Paris is the capital of France.", passed=False)
    pane.show_cell(experiment(), shown, others={}, human=None)
    assert pane.output_view.editor.toPlainText() == "Paris is the capital of France."
    assert "✗ fail" in pane.verdict.text() and "score 0.50" in pane.verdict.text()
    checks = pane.checks_view.toPlainText()
    # Each check by its plain name, the promptfoo identifier after it.
    assert "✗ fail Mentions (any capitals) icontains" in checks and "Expected output to contain 'paris'" in checks
    assert "✓ pass Word count word-count" in checks and "12 words, at most 50" in checks
    assert pane.tabs.tabText(2) == "Checks 1/2"
    assert pane.facts.text() == "gpt-4o-mini on openai · 812 ms · 120 in, 45 out tokens · $0.00012 · finished: stop"
    assert pane.sent_view.toPlainText() == "── system ──\nBe brief.\n\n── user ──\nCapital of France?"
    assert "<b>Short</b> · case 1 (France)" in pane.header.text()


def test_an_error_cell_says_why_and_cannot_be_graded(pane):
    pane.show_cell(
        experiment(), result("Short", None, error="The provider said: slow down (429)."), others={}, human=None
    )
    assert "⚠ error (rate_limit): The provider said: slow down (429)." in pane.verdict.text()
    assert "No checks ran" in pane.checks_view.toPlainText()
    assert not pane.grade_bar.thumbs_up.isEnabled()


def test_json_output_is_highlighted(pane):
    output = json.dumps({"city": "Paris", "population": 2100000}, indent=2)
    pane.show_cell(experiment(), result("Short", output), others={}, human=None)
    assert pane.output_view.language() == "json"
    assert pane.output_view.guess_label.text() == "looks like JSON"
    assert pane.output_view.editor.toPlainText() == output
    colour_of = {
        text: fmt.foreground().color().name()
        for text, fmt in fragments(pane.output_view.editor.document())
        if fmt.hasProperty(QTextCharFormat.Property.ForegroundBrush)
    }
    # Keys and numbers get the style's colours, and not the same one.
    assert colour_of['"city"'] != colour_of["2100000"]
    # Choosing plain text takes the colours away.
    pane.output_view.language_box.setCurrentIndex(pane.output_view.language_box.findData("text"))
    assert not any(
        fmt.hasProperty(QTextCharFormat.Property.ForegroundBrush)
        for _text, fmt in fragments(pane.output_view.editor.document())
    )


def test_the_diff_against_another_variant_marks_the_changed_words(pane):
    mine = result("Short", "Paris is the capital of France.")
    other = result("Long", "Lyon is the capital of France.")
    pane.show_cell(experiment(), mine, others={"Long": other}, human=None)
    view = pane.diff_view
    assert [view.target_box.itemText(i) for i in range(view.target_box.count())] == [
        "variant 'Long'",
        "the expected output",
    ]
    marks = [(text, fmt.fontStrikeOut(), fmt.fontUnderline()) for text, fmt in fragments(view.editor.document())]
    assert ("Lyon", True, False) in marks  # only in the other output: struck out
    assert ("Paris", False, True) in marks  # only in this one: underlined
    assert (" is the capital of France.", False, False) in marks
    assert view.summary.text().startswith("Against variant 'Long': 1 word only there")
    view.choose("the expected output")
    spans = view.spans()
    assert "".join(text for op, text in spans if op != "insert") == "Paris is the capital."
    assert "".join(text for op, text in spans if op != "delete") == "Paris is the capital of France."
    assert "of France" in "".join(text for op, text in spans if op == "insert")


def test_json_differing_only_in_key_order_shows_as_equal(pane):
    mine = result("Short", '{"a": 1, "b": [1, 2]}')
    other = result("Long", '{\n  "b": [1, 2],\n  "a": 1\n}')
    pane.show_cell(experiment(), mine, others={"Long": other}, human=None)
    assert all(op == "equal" for op, _text in pane.diff_view.spans())
    assert pane.diff_view.summary.text().startswith("Same as variant 'Long'")
    assert not any(
        fmt.fontStrikeOut() or fmt.fontUnderline() for _text, fmt in fragments(pane.diff_view.editor.document())
    )


def test_grading_emits_the_grade_for_the_cell(pane, qtbot):
    pane.show_cell(experiment(), result("Short", "Paris."), others={}, human=HumanGrade(stars=2))
    assert pane.grade_bar.stars[1].text() == "★" and pane.grade_bar.stars[2].text() == "☆"
    with qtbot.waitSignal(pane.grade_changed) as thumbs:
        pane.grade_bar.thumbs_up.click()
    assert thumbs.args == [CellKey("Short", 0), HumanGrade(thumbs=True, stars=2)]
    with qtbot.waitSignal(pane.grade_changed) as stars:
        pane.grade_bar.stars[3].click()
    assert stars.args[1] == HumanGrade(thumbs=True, stars=4)
    with qtbot.waitSignal(pane.grade_changed) as again:
        pane.grade_bar.stars[3].click()  # the same star again clears the stars
    assert again.args[1] == HumanGrade(thumbs=True, stars=None)
    with qtbot.waitSignal(pane.grade_changed, timeout=3000) as comment:
        qtbot.keyClicks(pane.grade_bar.comment, "Too short")
    assert comment.args[1] == HumanGrade(thumbs=True, comment="Too short")


def test_a_comment_typed_then_another_cell_shown_goes_to_the_first_cell(pane, qtbot):
    emitted = []
    pane.grade_changed.connect(lambda key, grade: emitted.append((key, grade)))
    pane.show_cell(experiment(), result("Short", "Paris."), others={}, human=None)
    pane.grade_bar.comment.setPlainText("Good")  # and at once, before the typing pause:
    pane.show_cell(experiment(), result("Long", "Lyon."), others={}, human=None)
    assert emitted == [(CellKey("Short", 0), HumanGrade(comment="Good"))]
    assert pane.grade_bar.comment.toPlainText() == ""


def test_a_streaming_cell_shows_the_text_so_far(pane):
    key = CellKey("Long", 0)
    pane.show_streaming(key, "Par")
    pane.show_streaming(key, "Paris is")
    assert pane.key == key
    assert pane.output_view.editor.toPlainText() == "Paris is"
    assert pane.verdict.text() == "being written…"
    assert not pane.grade_bar.stars[0].isEnabled()
    pane.show_cell(experiment(), result("Long", "Paris is lovely."), others={}, human=None)
    assert pane.output_view.editor.toPlainText() == "Paris is lovely."
    assert pane.grade_bar.stars[0].isEnabled()


def test_no_result_and_clear(pane):
    pane.show_cell(experiment(), None, others={}, human=None)
    assert pane.key is None and "no result yet" in pane.header.text()
    pane.show_cell(experiment(), result("Short", "Paris."), others={}, human=None)
    pane.clear()
    assert pane.key is None and pane.output_view.editor.toPlainText() == ""


def test_a_look_at_the_pane(pane, tmp_path):
    output = 'Here is the answer:\n\n```json\n{"city": "Paris"}\n```\n\n- one\n- **two**'
    pane.show_cell(
        experiment(),
        result("Short", output),
        others={"Long": result("Long", "Lyon.")},
        human=HumanGrade(thumbs=True, stars=4, comment="Nice"),
    )
    assert pane.output_view.language() == "markdown"
    image = pane.grab()
    assert not image.isNull() and image.width() == pane.width()
    image.save(str(tmp_path / "detail.png"))
    pane.tabs.setCurrentIndex(1)
    assert pane.tabs.currentWidget() is pane.diff_view
    assert pane.diff_view.isVisibleTo(pane)


def test_leaving_the_comment_box_saves_the_comment_at_once(pane, qtbot):
    pane.show_cell(experiment(), result("Short", "Paris."), others={}, human=None)
    pane.grade_bar.comment.setFocus()
    qtbot.waitUntil(pane.grade_bar.comment.hasFocus)
    with qtbot.waitSignal(pane.grade_changed, timeout=300) as saved:  # well before the typing pause ends
        qtbot.keyClicks(pane.grade_bar.comment, "Fine")
        pane.output_view.editor.setFocus(Qt.FocusReason.TabFocusReason)
    assert saved.args[1] == HumanGrade(comment="Fine")
