"""A run's plan: every cell in case order, made from its place, the same as listing them one by one."""

from __future__ import annotations

import pytest

from promptbench.core.cells import Cell, plan_cells
from promptbench.core.experiment import Experiment, Message, RunSettings, TestCase, Variant
from promptbench.core.result import CellKey


def experiment(variants: int = 3, cases: int = 4, repeats: int = 2) -> Experiment:
    return Experiment(
        name="plan",
        variants=tuple(Variant(f"V{v}", "m", (Message("user", f"{v}: {{{{n}}}}"),)) for v in range(variants)),
        cases=tuple(TestCase(vars={"n": str(c)}) for c in range(cases)),
        settings=RunSettings(repeats=repeats),
    )


def listed(made: Experiment) -> list[Cell]:
    return [
        Cell(variant, case, case_index, repeat)
        for case_index, case in enumerate(made.cases)
        for variant in made.variants
        for repeat in range(made.settings.repeats)
    ]


@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 4, 2), (2, 5, 1), (1, 3, 3)])
def test_the_plan_holds_every_cell_in_case_order(shape):
    made = experiment(*shape)
    plan = plan_cells(made)
    assert len(plan) == len(listed(made))
    assert list(plan) == listed(made)
    assert [plan[i] for i in range(len(plan))] == listed(made)
    assert plan[-1] == listed(made)[-1] and plan[1:4] == listed(made)[1:4]
    with pytest.raises(IndexError):
        plan[len(plan)]


def test_a_plan_limited_to_some_cells_keeps_their_order():
    made = experiment()
    only = {CellKey("V2", 3, 1), CellKey("V0", 0, 0), CellKey("V1", 2, 0), CellKey("V9", 0, 0)}  # V9: no such cell
    plan = plan_cells(made, only)
    assert [cell.key for cell in plan] == [CellKey("V0", 0, 0), CellKey("V1", 2, 0), CellKey("V2", 3, 1)]
    assert len(plan) == 3 and plan[1].key == CellKey("V1", 2, 0)
    assert len(plan_cells(made, set())) == 0 and list(plan_cells(made, set())) == []


def test_a_planned_cell_renders_its_case_into_its_variant():
    plan = plan_cells(experiment())
    assert plan[7].key == CellKey("V0", 1, 1)
    assert plan[7].messages == ({"role": "user", "content": "0: 1"},)
