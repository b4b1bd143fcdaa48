"""The checks dialog names every type in plain words with its identifier after it, and explains the row being
edited."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from promptbench.core.checks import CHECK_TYPES
from promptbench.core.experiment import Check
from promptbench.ui.editor.test_set_view import ChecksDialog

pytestmark = pytest.mark.gui


def test_the_picker_lists_every_type_by_name_and_the_explanation_follows_the_row(qtbot):
    dialog = ChecksDialog(
        "Checks for every case",
        [Check("icontains", "refund"), Check("not-icontains-any", ["calm down"]), Check("llm-rubric", "Polite")],
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    kind, value, _threshold = dialog.rows.row_widgets(0)
    listed = [kind.itemText(i) for i in range(kind.count())]
    assert len(listed) == len(CHECK_TYPES)
    assert {kind.itemData(i) for i in range(kind.count())} == CHECK_TYPES
    assert "Mentions (any capitals)  ·  icontains" in listed
    assert "Similar in meaning  ·  similar" in listed and "AI grader  ·  llm-rubric" in listed
    assert value.placeholderText() == "Must mention…"
    # The last row added is explained first; clicking into another row explains that one.
    assert "A grader model reads the answer" in dialog.rows.explanation.text()
    second_kind, second_value, _ = dialog.rows.row_widgets(1)
    qtbot.mouseClick(second_value, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Mentions none of (any capitals)" in dialog.rows.explanation.text())
    assert "(not-icontains-any)" in dialog.rows.explanation.text()
    assert "The answer must contain none of these texts; capitals do not matter." in dialog.rows.explanation.text()
    assert second_kind.toolTip() == "The answer must contain none of these texts; capitals do not matter."
    dialog.accept()
    assert dialog.checks() == [
        Check("icontains", "refund"),
        Check("not-icontains-any", ["calm down"]),
        Check("llm-rubric", "Polite"),
    ]
