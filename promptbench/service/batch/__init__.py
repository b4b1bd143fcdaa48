"""Batch runs: a run's cells sent to the provider's Batch API (half price, done within 24 hours) and collected.

`BatchSession` carries out a batch run or resumes one; `requests` writes the input files, `provider` makes the
Batch API calls, `results` reads the result lines. docs/batch-runs.md explains batch runs for people.
"""

from promptbench.service.batch.notes import batch_notes
from promptbench.service.batch.session import BatchSession, PollSchedule
from promptbench.service.estimates import BATCH_PRICE_FACTOR

__all__ = ["BATCH_PRICE_FACTOR", "BatchSession", "PollSchedule", "batch_notes"]
