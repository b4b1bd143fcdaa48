"""Builders for the history tests: a small experiment, results for its cells, and an open History in tmp_path."""

from __future__ import annotations

import pytest

from promptbench.core.experiment import Check, Experiment, Message, Parameters, ProviderProfile, TestCase, Variant
from promptbench.core.result import CellKey, CheckOutcome, Grade, Result
from promptbench.storage import History


def make_experiment(name: str = "Support replies", cases: int = 3) -> Experiment:
    return Experiment(
        name=name,
        description="Which wording answers refund questions best",
        providers=(ProviderProfile(name="local", base_url="http://127.0.0.1:9/v1", api_key_env="LOCAL_KEY"),),
        variants=(
            Variant(
                name="terse",
                model="gpt-4o-mini",
                provider="local",
                parameters=Parameters(temperature=0.2, max_tokens=200),
                messages=(Message("system", "Answer briefly."), Message("user", "{{question}}")),
            ),
            Variant(
                name="friendly",
                model="gpt-4o",
                provider="local",
                messages=(Message("system", "Answer warmly."), Message("user", "{{question}}")),
            ),
        ),
        cases=tuple(
            TestCase(vars={"question": f"How do I get refund number {i}?"}, expected="refund", description=f"case {i}")
            for i in range(cases)
        ),
        default_checks=(Check(type="icontains", value="refund"),),
    )


def make_result(
    variant: str,
    case: int,
    *,
    repeat: int = 0,
    output: str | None = "You can get a refund from the orders page.",
    passed: bool | None = True,
    score: float | None = None,
    error: str | None = None,
    cost: float | None = 0.0001,
    question: str | None = None,
) -> Result:
    question = question or f"How do I get refund number {case}?"
    grade = None
    if error is None and passed is not None:
        value = (1.0 if passed else 0.0) if score is None else score
        grade = Grade(
            passed=passed,
            score=value,
            reason="contains refund" if passed else "no refund",
            checks=(CheckOutcome("icontains", passed, value, "checked"),),
        )
    return Result(
        key=CellKey(variant, case, repeat),
        messages=({"role": "system", "content": "Answer briefly."}, {"role": "user", "content": question}),
        model="gpt-4o-mini",
        provider="local",
        output=None if error else output,
        finish_reason=None if error else "stop",
        latency_ms=None if error else 120.5,
        prompt_tokens=None if error else 20,
        completion_tokens=None if error else 12,
        cost=None if error else cost,
        error=error,
        error_kind="server" if error else None,
        attempts=1,
        grade=grade,
    )


@pytest.fixture
def history_path(tmp_path):
    return tmp_path / "history.db"


@pytest.fixture
def history(history_path):
    with History.open(history_path) as opened:
        yield opened


def assert_search_index_sound(path) -> None:
    """FTS5's own check that the results index matches the results table, row for row."""
    import sqlite3

    with History.open(path) as history:
        history.search("anything")  # catches the index up first
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO results_fts (results_fts, rank) VALUES ('integrity-check', 1)")
        conn.execute("INSERT INTO human_grades_fts (human_grades_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()
