"""The Batch API calls of a batch run, through the openai SDK: send an input file once, follow it, fetch results.

Sending is kill-safe with the history's help: the intent is recorded before the upload (storage/batches.py), and
a batch found `preparing` by a later process is looked for at the provider first, by the input file's hash in the
batch's metadata and in the uploaded file's name, so a kill between the upload, the creation and their record
never sends the lines twice.
"""

from __future__ import annotations

from typing import Any

import openai

from promptbench.core.batches import BatchRecord
from promptbench.core.redact import Redactor

RUN_KEY = "promptbench_run"
INPUT_KEY = "promptbench_input"
# How far back a resumed run looks for a batch or a file it may have made before a kill: the newest ones first.
LOOK_BACK = 1000


class BatchProblem(Exception):
    """A Batch API call that failed: one sentence for the user (never a key)."""


async def find_batch(client: openai.AsyncOpenAI, record: BatchRecord) -> Any | None:
    """The batch this run made from this input file before it was killed, if the provider has one."""
    seen = 0
    async for batch in client.batches.list(limit=100):
        metadata = batch.metadata or {}
        if metadata.get(RUN_KEY) == record.run_id and metadata.get(INPUT_KEY) == record.input_sha256:
            return batch
        seen += 1
        if seen >= LOOK_BACK:
            break
    return None


async def find_file(client: openai.AsyncOpenAI, filename: str) -> str | None:
    """The id of an input file this run uploaded before it was killed, by its name (which carries the hash)."""
    page = await client.files.list(purpose="batch", limit=LOOK_BACK)
    for stored in page.data:
        if stored.filename == filename:
            return stored.id
    return None


async def upload(client: openai.AsyncOpenAI, filename: str, content: bytes) -> str:
    stored = await client.files.create(file=(filename, content, "application/jsonl"), purpose="batch")
    return stored.id


async def create(client: openai.AsyncOpenAI, record: BatchRecord, file_id: str) -> Any:
    return await client.batches.create(
        input_file_id=file_id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={RUN_KEY: record.run_id, INPUT_KEY: record.input_sha256},
    )


async def retrieve(client: openai.AsyncOpenAI, batch_id: str) -> Any:
    return await client.batches.retrieve(batch_id)


async def cancel(client: openai.AsyncOpenAI, batch_id: str) -> None:
    """Ask the provider to stop the batch; one that already ended (409) has nothing to stop."""
    try:
        await client.batches.cancel(batch_id)
    except openai.ConflictError:
        pass


async def content(client: openai.AsyncOpenAI, file_id: str) -> str:
    response = await client.files.content(file_id)
    return response.text


def problem(error: Exception, provider: str, base_url: str, doing: str, redactor: Redactor) -> BatchProblem:
    """A failed Batch API call as one sentence, with the provider's own words where it gave some."""
    if isinstance(error, openai.APIConnectionError):
        return BatchProblem(f"Could not reach {provider} at {base_url} while {doing}; resume the run to try again.")
    if isinstance(error, openai.APIStatusError):
        body = error.body
        message = body.get("message") if isinstance(body, dict) else None
        words = f": {redactor(str(message))[:300]}" if message else "."
        if error.status_code == 401:
            return BatchProblem(
                f"The key for {provider} was refused (401) while {doing}. Check it in Settings > Providers."
            )
        if error.status_code == 404 and doing.startswith("uploading"):
            return BatchProblem(
                f"{provider} at {base_url} does not offer the Batch API (404 for its files endpoint); run without "
                "--batch."
            )
        return BatchProblem(f"{provider} refused {doing} ({error.status_code}){words}")
    return BatchProblem(f"{provider} failed while {doing}: {redactor(str(error))[:300]}")
