"""The test set's Qt model keeps Qt's model contract (pytest-qt's qtmodeltester, Qt's own QAbstractItemModelTester)
while it is edited as the editor edits it: cells typed, cases added, pasted and removed, a new prompt variable,
undo and redo. The tester stays attached for the whole test and reports a broken rule as a Qt warning."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from promptbench.core.experiment import Check, Experiment, Message, TestCase, Variant
from promptbench.ui.editor.state import EditorState
from promptbench.ui.editor.test_set_model import CHECKS, DESCRIPTION, EXPECTED, TestSetModel

pytestmark = pytest.mark.gui


def support_experiment() -> Experiment:
    prompt = (Message("system", "You answer for {{brand}}."), Message("user", "Reply to: {{message}}"))
    return Experiment(
        name="Support replies",
        variants=(Variant("Short", "gpt-4o-mini", prompt), Variant("Warm", "gpt-4o", prompt)),
        cases=(
            TestCase(vars={"brand": "Acme", "message": "Where is my order?"}, expected="It ships today."),
            TestCase(
                vars={"brand": "Acme", "message": "Refund please", "tone": "firm"},
                checks=(Check("icontains", "refund"),),
                description="refunds",
            ),
            TestCase(vars={"brand": "Globex", "message": ""}),
        ),
        default_checks=(Check("not-contains", "As an AI"),),
    )


def test_the_test_set_model_keeps_qts_rules_through_every_kind_of_edit(qtbot, qtmodeltester):
    state = EditorState(support_experiment())
    model = TestSetModel(state)
    qtmodeltester.check(model)
    assert model.columns == ["brand", "message", "tone", EXPECTED, CHECKS, DESCRIPTION]

    assert model.setData(model.index(2, model.column_of("message")), "My parcel is late", Qt.ItemDataRole.EditRole)
    model.add_case()
    model.set_checks(0, (Check("contains", "today"),))
    model.set_default_checks(())
    assert model.paste("brand\tmessage\nInitech\tCancel my plan\n") == 1
    model.remove_cases([1, 3])
    new_prompt = (Message("user", "{{message}} ({{channel}})"),)
    state.edit(replace(state.experiment, variants=(Variant("Short", "gpt-4o-mini", new_prompt),)))
    assert "channel" in model.columns
    assert model.rowCount() == 3
    assert model.data(model.index(2, model.column_of("brand"))) == "Initech"
    # back past the new prompt, the removal and the paste, to before the default checks were cleared
    for _ in range(4):
        assert state.undo()
    assert state.redo()

    assert model.rowCount() == len(state.experiment.cases) == 4
    assert [model.data(model.index(row, model.column_of("brand"))) for row in range(4)] == [
        "Acme",
        "Acme",
        "Globex",
        "",
    ]
    assert state.experiment.cases[0].checks == (Check("contains", "today"),) and state.experiment.default_checks == ()
