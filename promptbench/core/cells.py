"""A run's cells: the calls it makes, one per variant x test case x repeat, planned by position rather than kept.

A run of 50,000 cells does not hold 50,000 Cell objects: `PlannedCells` makes each one from its place in the plan
when asked for (the case is the place divided by variants x repeats, and so on), so the plan costs the same at any
size; a plan limited to some cells (a resume) keeps their places packed, 8 bytes a cell.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from promptbench.core.experiment import Experiment, TestCase, Variant
from promptbench.core.result import CellKey
from promptbench.core.templates import render_messages


@dataclass(frozen=True, slots=True)
class Cell:
    """One call to make: a variant's messages rendered with one case's variables.

    Small on purpose (slots, its key made when asked for): a run of 50,000 cells plans 50,000 of them."""

    variant: Variant
    case: TestCase
    case_index: int
    repeat: int = 0
    _messages: tuple[dict[str, str], ...] | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> CellKey:
        return CellKey(self.variant.name, self.case_index, self.repeat)

    @property
    def messages(self) -> tuple[dict[str, str], ...]:
        """Rendered when first asked for, as the cell is called: planning a run renders nothing, so the first
        call goes out without waiting for every cell's messages (prepare_run has rendered each once already)."""
        messages = self._messages
        if messages is None:
            messages = render_messages(self.variant, self.case.vars)
            object.__setattr__(self, "_messages", messages)
        return messages

    def forget_messages(self) -> None:
        """Once its result holds them: a planned cell of a long run keeps no rendered messages."""
        object.__setattr__(self, "_messages", None)


class PlannedCells(Sequence[Cell]):
    """Every cell of an experiment in case order (or just those in `only`), each made when asked for.

    A cell asked for twice is two equal Cell objects; each renders its messages when called. Templates must have
    been validated first (promptbench.core.templates.render_problems, in prepare_run); a missing variable raises when
    a cell's messages are rendered.
    """

    def __init__(self, experiment: Experiment, only: Collection[CellKey] | None = None) -> None:
        self._variants = experiment.variants
        self._cases = experiment.cases
        self._repeats = experiment.settings.repeats
        self._per_case = len(self._variants) * self._repeats
        everything = range(len(self._cases) * self._per_case)
        # None: every place; else the places of the cells in `only`, in plan order.
        self._places: array[int] | None = None
        if only is not None:
            self._places = array("q", (place for place in everything if self._key(place) in only))

    def _key(self, place: int) -> CellKey:
        case_index, rest = divmod(place, self._per_case)
        variant, repeat = divmod(rest, self._repeats)
        return CellKey(self._variants[variant].name, case_index, repeat)

    def _cell(self, place: int) -> Cell:
        case_index, rest = divmod(place, self._per_case)
        variant, repeat = divmod(rest, self._repeats)
        return Cell(self._variants[variant], self._cases[case_index], case_index, repeat)

    def __len__(self) -> int:
        return len(self._cases) * self._per_case if self._places is None else len(self._places)

    @overload
    def __getitem__(self, index: int) -> Cell: ...

    @overload
    def __getitem__(self, index: slice) -> list[Cell]: ...

    def __getitem__(self, index: int | slice) -> Cell | list[Cell]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._cell(index if self._places is None else self._places[index])

    def __iter__(self) -> Iterator[Cell]:
        places = range(len(self)) if self._places is None else self._places
        return (self._cell(place) for place in places)


def plan_cells(experiment: Experiment, only: Collection[CellKey] | None = None) -> PlannedCells:
    """Every cell of the experiment in case order (or just those in `only`), made as they are asked for."""
    return PlannedCells(experiment, only)
