"""The second half of a batch run with model-graded checks: their questions sent as a batch of their own once the
answers are in, then every answer scored again from the grader batch's lines (promptbench.service.batch.graders
says how the questions are gathered and replayed). Functions of a `BatchSession`, kept apart to keep each file to one
job; they use the session's sending, following and recording.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from promptbench.core.batches import GRADES
from promptbench.core.cells import Cell
from promptbench.core.client import OpenAIChatClient
from promptbench.core.completion import Completion
from promptbench.core.result import CellKey, Result
from promptbench.core.runner import Answer
from promptbench.service.batch import provider
from promptbench.service.batch.graders import GatheringGrader, ReplayGrader, question_files
from promptbench.service.batch.results import LineError, read_lines
from promptbench.service.run import _has_select_best
from promptbench.service.scoring import make_grader, make_scorer

if TYPE_CHECKING:
    from promptbench.service.batch.session import BatchSession


def gathering(session: BatchSession, grader: Any, default_provider: str | None) -> GatheringGrader:
    """The grader a batch run scores its answers with while they are collected (partial with the session)."""
    session._grader = (grader, default_provider)
    return GatheringGrader(grader, default_provider)


async def grade(session: BatchSession) -> None:
    """Send the model-graded checks' questions as a second batch, wait for it, then score the answers again."""
    assert session._grader is not None
    real, default = session._grader
    experiment, redactor = session.prepared.experiment, session.prepared.redactor
    gatherer = GatheringGrader(real, default)
    allowed = session.prepared.python_checks
    gathering = make_scorer(
        experiment, session._clients, redactor, lambda grader, name: gatherer, python_checks=allowed
    )
    to_grade: list[tuple[Result, Cell]] = []
    for result in session.history.results(session.run_id or ""):
        cell = session._by_key.get(result.key)
        if result.error is not None or cell is None or gathering is None:
            continue
        asked = gatherer.asked
        await gathering(Answer(cell, result.output or "", result.latency_ms, result.cost, result.cached))
        if gatherer.asked > asked:
            to_grade.append((result, cell))
    if not to_grade:
        return
    questions = gatherer.questions
    direct = {name for name, q in questions.items() if not batchable(session, q.provider)}
    records = [r for r in session.history.run_batches(session.run_id or "") if r.purpose == GRADES]
    for record in records:
        if record.batch_id is None and not record.collected:
            content = b"".join(questions[n].line() for n in record.custom_ids if n in questions)
            await session._send(record, content, resumed=True)
    sent = {name for r in records for name in r.custom_ids}
    new = [q for name, q in questions.items() if name not in sent and name not in direct]
    for file in question_files(new):
        record = session.history.add_batch(
            session.run_id or "", file.provider, file.model, file.sha256, list(file.custom_ids), GRADES
        )
        await session._send(record, file.content, resumed=False)
    await session._follow(GRADES)
    if session._leaving:
        return
    answers: dict[str, Completion | LineError] = {}
    records = [r for r in session.history.run_batches(session.run_id or "") if r.purpose == GRADES]
    for record in records:
        if record.batch_id is None:
            continue
        batch = await session._call(record, "asking about the grader batch", provider.retrieve, record.batch_id)
        name = session.prepared.profiles[record.provider].display_name
        for file_id in (batch.output_file_id, batch.error_file_id):
            if file_id:
                text = await session._call(record, "downloading the grader batch", provider.content, file_id)
                answers.update(read_lines(text, name, redactor))
    replay = ReplayGrader(real, default, answers, direct)
    scorer = make_scorer(
        experiment,
        session._clients,
        redactor,
        lambda grader, name: replay,
        python_checks=session.prepared.python_checks,
    )
    assert scorer is not None and session._recorder is not None
    graded: dict[CellKey, Result] = {}
    for result, cell in to_grade:
        grade = await scorer(Answer(cell, result.output or "", result.latency_ms, result.cost, result.cached))
        graded[result.key] = replace(result, grade=grade)
        session._recorder.add(graded[result.key])
    session._results = [graded.get(r.key, r) for r in session._results]
    if not session._close_recorder():
        raise provider.BatchProblem(f"the history could not be written: {session.history_error}")
    for record in records:
        if not record.collected:
            session._set(record, collected=1)
    session._open_recorder()


async def compare_variants(session: BatchSession) -> None:
    """select-best checks once every answer is in, graded directly rather than in a batch (docs/batch-runs.md):
    their questions depend on the answers of every variant, and a pairwise judge asks few of them."""
    experiment = session.prepared.experiment
    if not _has_select_best(experiment):
        return
    from promptbench.core.checks.select_best import grade_across_variants

    grader = make_grader(experiment, session._clients, session.prepared.redactor)
    changed = await grade_across_variants(experiment, session.history.results(session.run_id or ""), grader)
    if not changed or session._recorder is None:
        return
    for result in changed:
        session._recorder.add(result)
    regraded = {r.key: r for r in changed}
    session._results = [regraded.get(r.key, r) for r in session._results]


def batchable(session: BatchSession, name: str) -> bool:
    profile = session.prepared.profiles.get(name)
    return profile is not None and profile.batch and isinstance(session._clients.get(name), OpenAIChatClient)
