"""`promptbench run FILE --batch` and the resume of a batch run: send, follow, collect, then the usual summary."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from promptbench.cli.exit_codes import ExitCode
from promptbench.cli.progress import Progress
from promptbench.core.run_state import RunState
from promptbench.service.batch import BatchSession, PollSchedule, batch_notes
from promptbench.service.run import PreparedRun


def run_batch(
    prepared: PreparedRun,
    history,
    run_id: str | None,
    args: argparse.Namespace,
    run_with_interrupt: Callable,
    finish: Callable,
) -> int:
    """Carry out (or resume) a batch run; the exit code."""
    refusals, notes = batch_notes(prepared)
    if refusals:
        print("promptbench: this run cannot go as a batch; nothing was sent:", file=sys.stderr)
        for sentence in refusals:
            print(f"  {sentence}", file=sys.stderr)
        return ExitCode.USAGE
    for sentence in notes:
        print(sentence, file=sys.stderr)
    poll = PollSchedule.every(args.poll_interval) if args.poll_interval else PollSchedule()
    session = BatchSession(
        prepared, history=history, run_id=run_id, observer=Progress(batch=True), poll=poll, detach=args.detach
    )
    outcome = run_with_interrupt(session)
    for problem in session.problems:
        print(f"promptbench: {problem}", file=sys.stderr)
    if outcome.state == RunState.WAITING:
        print(
            f"Run {session.run_id} is at the provider, waiting for the provider (batch); it may take up to 24 hours. "
            f"`promptbench resume {session.run_id}` collects what is ready and goes on waiting."
        )
        return ExitCode.OK
    if run_id is not None:
        outcome.results = history.results(run_id)
    return finish(session, outcome, args.output)
