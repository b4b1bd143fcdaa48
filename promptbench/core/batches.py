"""A batch run's batches as plain data: what the history keeps of each, and the statuses in people's words.

A batch run sends its cells to the provider's Batch API as JSONL files of requests instead of calling them one
by one; each file becomes one batch at the provider. `custom_id` names a cell on a request line and on its result
line (the provider returns them in any order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from promptbench.core.result import CellKey

# The statuses the Batch API gives; `preparing` is ours: recorded before the upload, so a kill between the
# upload and the batch's creation finds the file (or the batch) again instead of sending the lines twice.
PREPARING = "preparing"
# What a batch asks: the run's answers, or the verdicts of its model-graded checks (a second batch once the answers
# are in).
ANSWERS = "answers"
GRADES = "grades"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
STATUS_WORDS = {
    PREPARING: "being sent",
    "validating": "validating",
    "in_progress": "in progress",
    "finalizing": "finalizing",
    "completed": "completed",
    "failed": "refused by the provider",
    "expired": "expired",
    "cancelling": "cancelling",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class BatchRecord:
    """One batch of a run, as the history keeps it (`id` is the history's row number)."""

    id: int
    run_id: str
    provider: str
    model: str
    input_sha256: str
    lines: int
    custom_ids: tuple[str, ...]
    input_file_id: str | None
    batch_id: str | None
    status: str
    completed: int = 0
    failed: int = 0
    collected: bool = False
    purpose: str = ANSWERS

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL


def custom_id(key: CellKey, variant_index: int) -> str:
    """The request line's name for a cell: case, variant and repeat by position, counted from 1 for people."""
    return f"case{key.case + 1}-variant{variant_index + 1}-repeat{key.repeat + 1}"


def parse_custom_id(text: str, variant_names: list[str]) -> CellKey | None:
    """The cell a result line names, or None for a custom_id this run did not write."""
    match = _CUSTOM_ID.fullmatch(text)
    if match is None:
        return None
    case, variant, repeat = (int(group) for group in match.groups())
    if not 1 <= variant <= len(variant_names) or case < 1 or repeat < 1:
        return None
    return CellKey(variant_names[variant - 1], case - 1, repeat - 1)


_CUSTOM_ID = re.compile(r"case(\d+)-variant(\d+)-repeat(\d+)")
