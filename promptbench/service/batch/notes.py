"""What to say before a batch run starts: why it cannot go as a batch, and what to expect (price, waiting)."""

from __future__ import annotations

from promptbench.core.cells import plan_cells
from promptbench.core.providers import is_echo
from promptbench.service.estimates import estimate_run
from promptbench.service.run import PreparedRun

# Below this many calls a batch saves cents and costs hours: it is allowed, and said.
FEW_CELLS = 20


def batch_notes(prepared: PreparedRun) -> tuple[list[str], list[str]]:
    """(refusals, notes): a sentence for each profile that cannot take a batch, and the estimate in batch terms."""
    refusals: list[str] = []
    experiment = prepared.experiment
    used = dict.fromkeys(v.provider for v in experiment.variants)
    for name in used:
        profile = prepared.profiles[name]
        if is_echo(profile):
            refusals.append(
                f"The provider '{name}' is Echo, which answers at once, offline, and has no Batch API; run without "
                "--batch."
            )
        elif not profile.batch:
            refusals.append(
                f"{profile.display_name} has no Batch API PromptBench can use (its provider profile says "
                '"batch": false); run without --batch.'
            )
    if refusals:
        return refusals, []
    notes = [estimate_run(experiment, prepared.prices).describe_batch()]
    cells = len(plan_cells(experiment, prepared.only))
    if 0 < cells < FEW_CELLS:
        notes.append(
            f"This run has only {cells} calls: as a batch it may take hours where a direct run takes seconds, "
            "for a saving of cents. It goes as a batch, as asked."
        )
    return refusals, notes
