"""A batch run's cells as Batch API input files: one JSONL line per cell, split at the provider's limits.

Each line's body is exactly what a direct run sends for the cell (model, messages, the variant's parameters), so a
cell answers the same either way. A file holds one model (some providers require it), at most MAX_LINES lines and
MAX_BYTES bytes; its SHA-256 names it, here and at the provider, so a resumed run recognises what it already sent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from promptbench.core.batches import custom_id
from promptbench.core.cells import Cell
from promptbench.core.experiment import Experiment

CHAT_ENDPOINT = "/v1/chat/completions"
MAX_LINES = 50_000
MAX_BYTES = 200 * 1000 * 1000  # 200 MB, the provider's limit per input file


@dataclass(frozen=True)
class InputFile:
    """One batch's input: the provider profile and model it goes to, the cells' custom_ids, the JSONL bytes."""

    provider: str
    model: str
    custom_ids: tuple[str, ...]
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def filename(self, run_id: str) -> str:
        """The upload's name: it must end in .jsonl, and it carries the hash so a resumed run can find it."""
        return f"promptbench-{run_id}-{self.sha256[:16]}.jsonl"


def request_line(experiment: Experiment, cell: Cell) -> bytes:
    index = next(i for i, v in enumerate(experiment.variants) if v.name == cell.variant.name)
    body = {
        "model": cell.variant.model,
        "messages": [dict(m) for m in cell.messages],
        **cell.variant.parameters.request_fields(),
    }
    line = {"custom_id": custom_id(cell.key, index), "method": "POST", "url": CHAT_ENDPOINT, "body": body}
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def input_files(
    experiment: Experiment, cells: Iterable[Cell], *, max_lines: int = MAX_LINES, max_bytes: int = MAX_BYTES
) -> list[InputFile]:
    """The cells as input files: grouped by provider profile and model, in case order, split at the limits."""
    groups: dict[tuple[str, str], list[Cell]] = {}
    for cell in cells:
        groups.setdefault((cell.variant.provider, cell.variant.model), []).append(cell)
    files: list[InputFile] = []
    for (provider, model), group in groups.items():
        ids: list[str] = []
        lines: list[bytes] = []
        size = 0
        for cell in group:
            line = request_line(experiment, cell)
            if lines and (len(lines) >= max_lines or size + len(line) > max_bytes):
                files.append(InputFile(provider, model, tuple(ids), b"".join(lines)))
                ids, lines, size = [], [], 0
            ids.append(json.loads(line)["custom_id"])
            lines.append(line)
            size += len(line)
        if lines:
            files.append(InputFile(provider, model, tuple(ids), b"".join(lines)))
    return files


def rebuilt(experiment: Experiment, cells_by_id: dict[str, Cell], custom_ids: Iterable[str]) -> bytes:
    """The bytes of a recorded batch's input file again, from its custom_ids (for a run killed before sending it)."""
    return b"".join(request_line(experiment, cells_by_id[name]) for name in custom_ids)
