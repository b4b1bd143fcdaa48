"""`promptbench run FILE` and `promptbench resume RUN`: run an experiment headless, then print a summary."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from promptbench.cli.exit_codes import ExitCode
from promptbench.cli.progress import Progress
from promptbench.cli.summary import print_summary
from promptbench.core.run_tally import RunTally
from promptbench.core.runner import RunOutcome
from promptbench.service.files import FileProblem, write_results_json, write_run_results_json
from promptbench.service.history import HistoryError, open_history
from promptbench.service.run import (
    ExperimentProblems,
    KeysNeedApproval,
    RunAgain,
    RunOptions,
    RunSession,
    approve_key_hosts,
    load_for_run,
    prepare_run,
)

_PYTHON_HELP = "run the experiment's python checks, which run code on this computer (refused without this)"

if TYPE_CHECKING:
    from promptbench.service.batch import BatchSession


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="run an experiment file (or a promptfoo config) headless")
    run.add_argument("file", type=Path, help="experiment.json, or promptfooconfig.yaml")
    run.add_argument("--concurrency", type=_positive_int, metavar="N", help="calls at once per provider")
    run.add_argument("--repeat", type=_positive_int, metavar="N", help="run every cell N times")
    run.add_argument("--no-cache", action="store_true", help="call even when the cache has the answer")
    run.add_argument("--no-retry", action="store_true", help="never retry a failed call")
    run.add_argument("--stream", action="store_true", help="ask providers to stream answers")
    run.add_argument("--output", "-o", type=Path, metavar="PATH", help="write every cell as JSON to PATH")
    run.add_argument("--db", type=Path, metavar="PATH", help="history file (default: the user data folder)")
    run.add_argument(
        "--allow-key-host",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="let this run send a key to this address, which the file names (repeatable)",
    )
    run.add_argument("--allow-python-checks", action="store_true", help=_PYTHON_HELP)
    _batch_options(run, "send the calls as a batch to the provider's Batch API: half price, done within 24 hours")
    run.set_defaults(handler=run_command)

    resume = subparsers.add_parser("resume", help="finish an interrupted or cancelled run: call only missing cells")
    resume.add_argument("run_id", metavar="RUN")
    resume.add_argument("--output", "-o", type=Path, metavar="PATH", help="write every cell as JSON to PATH")
    resume.add_argument("--db", type=Path, metavar="PATH", help="history file (default: the user data folder)")
    resume.add_argument("--allow-key-host", action="append", default=[], metavar="HOST[:PORT]")
    resume.add_argument("--allow-python-checks", action="store_true", help=_PYTHON_HELP)
    _batch_options(resume, "send the missing cells as a batch (a batch run's resume always does)")
    resume.set_defaults(handler=resume_command)


def _batch_options(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--batch", action="store_true", help=help_text)
    parser.add_argument(
        "--detach", action="store_true", help="with --batch: send the batch and return; `resume RUN` collects it"
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        metavar="SECONDS",
        help="with --batch: ask the provider about the batch this often (default: from 5 s, growing to 60 s)",
    )
    parser.add_argument(
        "--graders",
        choices=("batch", "direct"),
        default="batch",
        help="with --batch: model-graded checks go as a second batch once the answers are in (default), or directly",
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def run_command(args: argparse.Namespace) -> int:
    options = RunOptions(
        concurrency=args.concurrency,
        repeats=args.repeat,
        no_cache=args.no_cache,
        stream=True if args.stream else None,
        retries=0 if args.no_retry else None,
        python_checks=True if args.allow_python_checks else None,
    )
    try:
        experiment = load_for_run(args.file)
        prepared = _prepare(experiment, options, str(args.file), args.allow_key_host)
    except FileProblem as problem:
        return _report_problems(problem.path, problem.problems)
    except ExperimentProblems as problems:
        return _report_problems(str(args.file), problems.problems)
    try:
        history = open_history(args.db, for_run=True)
    except HistoryError as error:
        print(f"promptbench: {error}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        if args.batch:
            from promptbench.cli.batch import run_batch

            return run_batch(prepared, history, None, args, _run_with_interrupt, _finish)
        # The results go to the history and are not kept: the summary comes from the run's tally and the --output
        # file from the history, so a run's memory does not grow with its cells.
        session = RunSession(prepared, observer=Progress(), history=history, keep_results=False)
        outcome = _run_with_interrupt(session)
        return _finish(session, outcome, args.output)
    finally:
        history.close()


def resume_command(args: argparse.Namespace) -> int:
    try:
        history = open_history(args.db, for_run=True)
    except HistoryError as error:
        print(f"promptbench: {error}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        try:
            run_id = history.resolve(args.run_id)
            experiment = history.snapshot(run_id)
            options = RunOptions(python_checks=True if args.allow_python_checks else None)
            prepared = _prepare(experiment, options, f"run {run_id}", args.allow_key_host)
            # Taking the run over is refused while another live process owns it: that sentence too.
            prepared = RunAgain(run_id, resume=True).plan(prepared, history)
        except HistoryError as error:
            print(f"promptbench: {error}", file=sys.stderr)
            return ExitCode.USAGE
        except ExperimentProblems as problems:
            return _report_problems(f"run {args.run_id}", problems.problems)
        if args.batch or history.run_batches(run_id):
            from promptbench.cli.batch import run_batch

            return run_batch(prepared, history, run_id, args, _run_with_interrupt, _finish)
        if not prepared.only:
            print(f"Run {run_id} has every cell already; nothing to call.")
        session = RunSession(prepared, observer=Progress(), history=history, run_id=run_id)
        outcome = _run_with_interrupt(session)
        outcome.results = history.results(run_id)
        return _finish(session, outcome, args.output)
    finally:
        history.close()


def _prepare(experiment, options: RunOptions, source: str, allowed: list[str]):
    """prepare_run, asking on a terminal before a key goes to an address its owner has not chosen."""
    try:
        return prepare_run(experiment, options, source=source, allow_key_hosts=allowed)
    except KeysNeedApproval as need:
        if sys.stdin is None or not sys.stdin.isatty():
            raise
        always = []
        for destination in need.destinations:
            question = (
                f"This experiment would send {destination.key_words} to {destination.base_url}. "
                "Allow? [o]nce / [a]lways for this address / [N]o: "
            )
            try:
                answer = input(question).strip().lower()
            except EOFError:
                answer = ""
            if answer not in ("o", "once", "a", "always"):
                raise
            allowed = [*allowed, destination.host]
            if answer.startswith("a"):
                always.append(destination)
        approve_key_hosts(always)
        return prepare_run(experiment, options, source=source, allow_key_hosts=allowed)


# Ctrl+C, `kill` (SIGTERM) and a closed terminal (SIGHUP) all end a run the same way: cancelled, every finished
# result kept, the summary printed and the --output file written.
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _run_with_interrupt(session: RunSession | BatchSession) -> RunOutcome:
    """Run on a fresh event loop; the first stop signal cancels the run (keeping what finished), a second one quits."""

    async def main() -> RunOutcome:
        loop = asyncio.get_running_loop()
        try:
            for stop in _STOP_SIGNALS:
                loop.add_signal_handler(stop, _cancel_once, loop, session, stop)
        except (NotImplementedError, RuntimeError):
            pass  # Windows event loops have no signal handlers; Ctrl+C then stops the process as usual
        return await session.run()

    return asyncio.run(main())


def _cancel_once(loop: asyncio.AbstractEventLoop, session: RunSession | BatchSession, received: signal.Signals) -> None:
    again = "Ctrl+C again" if received == signal.SIGINT else "the same signal again"
    if isinstance(session, RunSession):
        print(f"\nCancelling: no new calls; finished results are kept. {again} to quit at once.", file=sys.stderr)
    else:
        print(
            "\nCancelling: the provider is asked to stop the batch; what it answered is collected and kept. "
            f"{again} to quit at once (`promptbench resume` collects later).",
            file=sys.stderr,
        )
    for stop in _STOP_SIGNALS:
        loop.remove_signal_handler(stop)
    session.cancel()


def _finish(session: RunSession | BatchSession, outcome: RunOutcome, output: Path | None) -> int:
    experiment = session.prepared.experiment
    streamed = isinstance(session, RunSession) and not outcome.results and outcome.tally is not None
    tally = outcome.tally if streamed and outcome.tally is not None else RunTally.of(outcome.results)
    print_summary(experiment, outcome, session.run_id, tally=tally)
    if output is not None:
        info = {"id": session.run_id, "state": outcome.state, "source": session.prepared.source}
        if streamed and isinstance(session, RunSession) and session.history and session.run_id:
            write_run_results_json(
                output, experiment, tally, session.history, session.run_id, run_info=info, unwritten=session.unwritten
            )
        else:
            write_results_json(output, experiment, outcome.results, run_info=info)
        print(f"Wrote every cell to {output}.")
    if session.history_error is not None:
        print(
            f"promptbench: the run was stopped because the history could not be written: {session.history_error}",
            file=sys.stderr,
        )
        if output is None:
            print(
                "The results above are the run's whole outcome; run again with --output PATH to keep them in a file.",
                file=sys.stderr,
            )
        return ExitCode.CALLS_FAILED
    if outcome.unrun or tally.not_ok:
        return ExitCode.CALLS_FAILED
    if tally.failed_checks:
        return ExitCode.CHECKS_FAILED
    return ExitCode.OK


def _report_problems(where: str, problems: list[str]) -> int:
    print(f"promptbench: {where} cannot be run; nothing was called:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return ExitCode.USAGE
