"""Batch input files: one line per cell with a direct call's body, one model per file, split at the limits."""

from __future__ import annotations

import json

from promptbench.core.batches import custom_id, parse_custom_id
from promptbench.core.cells import plan_cells
from promptbench.core.experiment import Experiment, Message, Parameters, TestCase, Variant
from promptbench.core.result import CellKey
from promptbench.service.batch.requests import MAX_BYTES, MAX_LINES, input_files


def experiment(cases: int) -> Experiment:
    return Experiment(
        name="Files",
        variants=(
            Variant("Mini", "gpt-4o-mini", (Message("user", "Hi {{n}}"),), provider="a", parameters=Parameters(0.3)),
            Variant("Big", "gpt-4o", (Message("user", "Hello {{n}}"),), provider="a"),
            Variant("Mini again", "gpt-4o-mini", (Message("user", "Yo {{n}}"),), provider="a"),
        ),
        cases=tuple(TestCase(vars={"n": str(i)}) for i in range(cases)),
    )


def test_one_model_per_file_each_line_the_direct_body():
    made = experiment(3)
    files = input_files(made, plan_cells(made))
    assert [(f.model, len(f.custom_ids)) for f in files] == [("gpt-4o-mini", 6), ("gpt-4o", 3)]
    first = json.loads(files[0].content.splitlines()[0])
    assert first == {
        "custom_id": "case1-variant1-repeat1",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi 0"}], "temperature": 0.3},
    }
    assert files[0].sha256 != files[1].sha256 and files[0].filename("run-1").endswith(".jsonl")


def test_files_split_at_the_line_and_byte_limits():
    made = experiment(10)
    by_lines = input_files(made, plan_cells(made), max_lines=4)
    assert [(f.model, len(f.custom_ids)) for f in by_lines] == [("gpt-4o-mini", 4)] * 5 + [
        ("gpt-4o", 4),
        ("gpt-4o", 4),
        ("gpt-4o", 2),
    ]
    line_bytes = len(input_files(made, plan_cells(made))[1].content) // 10  # one gpt-4o line, about
    by_bytes = input_files(made, plan_cells(made), max_bytes=line_bytes * 3 + 1)
    assert all(len(f.content) <= line_bytes * 3 + 1 for f in by_bytes)
    assert sum(len(f.custom_ids) for f in by_bytes) == 30
    assert (MAX_LINES, MAX_BYTES) == (50_000, 200_000_000)


def test_custom_ids_name_cells_and_refuse_strangers():
    names = ["Mini", "Big"]
    assert parse_custom_id(custom_id(CellKey("Big", 4, 2), 1), names) == CellKey("Big", 4, 2)
    assert parse_custom_id("case1-variant3-repeat1", names) is None
    assert parse_custom_id("request-1", names) is None


def test_result_lines_are_read_by_custom_id_and_a_broken_line_is_skipped():
    from promptbench.core.redact import Redactor
    from promptbench.service.batch.results import LineError, read_lines

    good = {
        "custom_id": "case1-variant1-repeat1",
        "response": {
            "status_code": 200,
            "body": {"model": "m", "choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}]},
        },
        "error": None,
    }
    failed = {
        "custom_id": "case2-variant1-repeat1",
        "response": {"status_code": 429, "body": {"error": {"message": "Slow down."}}},
        "error": None,
    }
    expired = {"custom_id": "case3-variant1-repeat1", "response": None, "error": {"code": "batch_expired"}}
    text = "\n".join([json.dumps(failed), '{"custom_id": "case4-', json.dumps(good), json.dumps(expired)]) + "\n"
    found = read_lines(text, "Lab", Redactor())
    assert set(found) == {"case1-variant1-repeat1", "case2-variant1-repeat1"}  # expired: left unrun
    assert found["case1-variant1-repeat1"].output == "hi"
    assert found["case2-variant1-repeat1"] == LineError(
        "server", "Lab answered this request of the batch with an error (429): Slow down."
    )
