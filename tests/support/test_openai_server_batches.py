"""The test server's Batch API, through the real openai client: the shapes, statuses and errors of OpenAI's."""

from __future__ import annotations

import json
import time

import openai
import pytest

from tests.support.openai_server import OpenAIServer

KEY = "sk-test-batches-0123456789abcdef"


def line(custom_id: str, text: str, model: str = "gpt-4o-mini") -> dict:
    body = {"model": model, "messages": [{"role": "user", "content": text}]}
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}


def jsonl(lines: list[dict]) -> bytes:
    return "".join(json.dumps(item) + "\n" for item in lines).encode()


@pytest.fixture
def server():
    with OpenAIServer(api_key=KEY) as running:
        yield running


@pytest.fixture
def client(server):
    with openai.OpenAI(base_url=server.base_url, api_key=KEY, max_retries=0) as made:
        yield made


def submit(client, lines: list[dict]):
    uploaded = client.files.create(file=("in.jsonl", jsonl(lines)), purpose="batch")
    return client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h", metadata={"k": "v"}
    )


def wait_until_ended(client, batch_id: str, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while True:
        batch = client.batches.retrieve(batch_id)
        if batch.status in ("completed", "failed", "expired", "cancelled") or time.monotonic() > deadline:
            return batch
        time.sleep(0.02)


def test_a_batch_completes_with_every_line_answered_in_shuffled_order(server, client):
    lines = [line(f"req-{i}", f"hello {i}") for i in range(30)]
    created = submit(client, lines)
    assert created.status == "validating" and created.request_counts.total == 0
    assert created.metadata == {"k": "v"} and created.input_file_id.startswith("file-")
    batch = wait_until_ended(client, created.id)
    assert batch.status == "completed" and batch.error_file_id is None
    assert (batch.request_counts.total, batch.request_counts.completed, batch.request_counts.failed) == (30, 30, 0)
    output = [json.loads(raw) for raw in client.files.content(batch.output_file_id).text.splitlines()]
    ids = [row["custom_id"] for row in output]
    assert sorted(ids) == sorted(f"req-{i}" for i in range(30)) and ids != [f"req-{i}" for i in range(30)]
    for row in output:
        number = row["custom_id"].split("-")[1]
        assert row["response"]["status_code"] == 200 and row["error"] is None
        assert row["response"]["body"]["choices"][0]["message"]["content"] == f"You said: hello {number}"
    assert server.count("/v1/chat/completions") == 0


def test_a_slow_batch_goes_through_each_status_with_growing_counts(server, client):
    server.batch_store.knobs.duration = 1.0
    created = submit(client, [line(f"r{i}", "x") for i in range(10)])
    seen = []
    done = []
    while True:
        batch = client.batches.retrieve(created.id)
        if not seen or seen[-1] != batch.status:
            seen.append(batch.status)
        done.append(batch.request_counts.completed)
        if batch.status == "completed":
            break
        time.sleep(0.02)
    assert seen == ["validating", "in_progress", "finalizing", "completed"]
    assert done == sorted(done) and len(set(done)) > 2 and done[-1] == 10


def test_failed_lines_go_to_the_error_file_with_the_http_error(server, client):
    server.batch_store.knobs.fail_ids = {"r1"}
    server.batch_store.knobs.fail_every = 4
    batch = wait_until_ended(client, submit(client, [line(f"r{i}", "x") for i in range(8)]).id)
    assert batch.status == "completed"
    assert (batch.request_counts.completed, batch.request_counts.failed) == (5, 3)
    errors = [json.loads(raw) for raw in client.files.content(batch.error_file_id).text.splitlines()]
    assert sorted(row["custom_id"] for row in errors) == ["r1", "r3", "r7"]
    assert all(row["response"]["status_code"] == 500 and row["error"] is None for row in errors)
    assert "The server had an error" in errors[0]["response"]["body"]["error"]["message"]


def test_an_expired_batch_answers_part_and_writes_batch_expired_for_the_rest(server, client):
    server.batch_store.knobs.expire_after = 0.25
    batch = wait_until_ended(client, submit(client, [line(f"r{i}", "x") for i in range(8)]).id)
    assert batch.status == "expired" and batch.expired_at is not None
    assert len(client.files.content(batch.output_file_id).text.splitlines()) == 2
    expired = [json.loads(raw) for raw in client.files.content(batch.error_file_id).text.splitlines()]
    assert len(expired) == 6
    assert all(row["response"] is None and row["error"]["code"] == "batch_expired" for row in expired)


def test_cancel_a_running_batch_then_409_for_an_ended_one(server, client):
    server.batch_store.knobs.duration = 60.0
    created = submit(client, [line(f"r{i}", "x") for i in range(4)])
    cancelling = client.batches.cancel(created.id)
    assert cancelling.status == "cancelling" and cancelling.cancelling_at is not None
    assert client.batches.retrieve(created.id).status == "cancelled"
    server.batch_store.knobs.duration = 0.0
    done = wait_until_ended(client, submit(client, [line("a", "x")]).id)
    with pytest.raises(openai.ConflictError, match="Cannot cancel a batch with status 'completed'"):
        client.batches.cancel(done.id)
    with pytest.raises(openai.NotFoundError):
        client.batches.retrieve("batch_nope")


def test_an_invalid_input_file_fails_the_batch_with_its_lines(server, client):
    bad = jsonl([line("a", "x"), line("a", "y"), line("b", "z", model="gpt-4o")]) + b"{not json\n"
    uploaded = client.files.create(file=("bad.jsonl", bad), purpose="batch")
    created = client.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h")
    batch = wait_until_ended(client, created.id)
    assert batch.status == "failed" and batch.failed_at is not None
    codes = [(e.code, e.line) for e in batch.errors.data]
    assert codes == [("duplicate_custom_id", 2), ("mismatched_model", 3), ("invalid_json_line", 4)]
    missing = wait_until_ended(
        client,
        client.batches.create(input_file_id="file-nope", endpoint="/v1/chat/completions", completion_window="24h").id,
    )
    assert missing.status == "failed" and missing.errors.data[0].param == "file_id"


def test_files_refuse_a_batch_upload_that_is_not_jsonl_and_list_page_by_page(server, client):
    with pytest.raises(openai.BadRequestError, match="Must be .jsonl"):
        client.files.create(file=("in.txt", b"{}"), purpose="batch")
    with pytest.raises(openai.BadRequestError, match="Supported values are"):
        client.batches.create(input_file_id="file-x", endpoint="/v1/nope", completion_window="24h")  # type: ignore[arg-type]
    made = [submit(client, [line("a", str(i))]).id for i in range(5)]
    listed = [b.id for b in client.batches.list(limit=2)]  # the SDK follows `after` page by page
    assert listed == list(reversed(made))
    names = [f.filename for f in client.files.list(purpose="batch")]
    assert names.count("in.jsonl") == 5
    first = client.files.list(purpose="batch").data[0]
    assert client.files.delete(first.id).deleted is True
