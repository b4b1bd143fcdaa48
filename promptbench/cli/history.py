"""`promptbench history`, `show`, `compare`, `export` and `cache clear`: reading the history from the shell.

`promptbench history delete` and `history vacuum` live in promptbench.cli.history_maintenance.

Every command takes `--db PATH` (default: the user data folder, or $PROMPTBENCH_HOME). Exit codes: 0 ok,
2 a usage or file error; a file that cannot be used prints its one sentence on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from promptbench.cli.exit_codes import ExitCode
from promptbench.cli.summary import significance_lines
from promptbench.core.agreement import grader_reasons
from promptbench.core.figures import latency, money
from promptbench.core.result import Result
from promptbench.core.summary import summarize
from promptbench.service import history as service
from promptbench.service.history import Comparison, History, HistoryError, RunDetail, RunNotFound, RunSummary


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the history commands; each sets `handler`, a function of the parsed args returning the exit code."""
    listing = subparsers.add_parser(
        "history",
        help="list past runs, newest first, or search their cells; delete runs; compact the file",
        description="With no subcommand: list past runs, newest first, or search their cells. "
        "`history delete RUN...` deletes runs; `history vacuum` compacts the file; `history metadata` writes "
        "Datasette metadata for it.",
    )
    listing.add_argument("--search", metavar="TEXT", help="full-text search over outputs, prompts and comments")
    listing.add_argument("--experiment", metavar="NAME", help="only runs of this experiment")
    listing.add_argument("--model", metavar="MODEL", help="only runs where a variant used this model")
    listing.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="only runs started on or after")
    listing.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="only runs started before")
    listing.add_argument("--limit", type=_positive_int, default=20, metavar="N", help="at most N lines (20)")
    _db_option(listing)
    listing.set_defaults(handler=history_command)
    # Imported here, not at the top: that module builds on this one's helpers.
    from promptbench.cli import history_maintenance

    history_maintenance.register(listing)

    show = subparsers.add_parser("show", help="one run: its summary per variant and every cell")
    show.add_argument("run", metavar="RUN", help="a run id, a unique start of one, or 'last'")
    show.add_argument(
        "--base", metavar="VARIANT", help="compare every other variant with this one (default: the first variant)"
    )
    _db_option(show)
    show.set_defaults(handler=show_command)

    compare = subparsers.add_parser("compare", help="compare two runs cell by cell")
    compare.add_argument("before", metavar="RUN_A", help="the earlier run")
    compare.add_argument("after", metavar="RUN_B", help="the later run")
    compare.add_argument("--all", action="store_true", help="list unchanged cells too")
    _db_option(compare)
    compare.set_defaults(handler=compare_command)

    export = subparsers.add_parser("export", help="write a run's cells as JSON or CSV, or the run as an HTML report")
    export.add_argument("run", metavar="RUN")
    export.add_argument("--format", choices=(*service.EXPORT_FORMATS, service.REPORT_FORMAT), default="json")
    export.add_argument("-o", "--output", type=Path, metavar="PATH", help="default: promptbench-RUN.FORMAT here")
    _db_option(export)
    export.set_defaults(handler=export_command)

    cache = subparsers.add_parser("cache", help="the response cache").add_subparsers(
        dest="cache_command", required=True, metavar="{clear}"
    )
    clear = cache.add_parser(
        "clear",
        help="remove every cached response",
        description="Remove every cached response; runs are kept. The file keeps its size until "
        "`promptbench history vacuum` compacts it.",
    )
    _db_option(clear)
    clear.set_defaults(handler=cache_clear_command)


def _db_option(parser: argparse.ArgumentParser, default: Any = None) -> None:
    """Add `--db PATH`. A subcommand's has the default argparse.SUPPRESS, so that its unset --db does not hide one
    given before it (`history --db X delete RUN`)."""
    parser.add_argument(
        "--db", type=Path, metavar="PATH", default=default, help="history file (default: the user data folder)"
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _date(text: str) -> datetime:
    """A day in local time (its midnight), or a full ISO date-time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment


def _with_history(args: argparse.Namespace, action: Callable[[History], int]) -> int:
    try:
        with service.open_history(args.db) as history:
            return action(history)
    except (HistoryError, RunNotFound) as error:
        print(f"promptbench: {error}", file=sys.stderr)
        return ExitCode.USAGE
    except BrokenPipeError:
        # The reader stopped early (`promptbench show last | head`): that is what it wanted, not an error.
        # Point stdout at devnull so Python's own flush at exit does not fail again (the recipe in Python's
        # signal docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return ExitCode.OK


def history_command(args: argparse.Namespace) -> int:
    def act(history: History) -> int:
        if args.search:
            return _print_hits(history, args.search, args.limit)
        runs = history.list_runs(
            experiment=args.experiment, model=args.model, since=args.since, until=args.until, limit=args.limit
        )
        if not runs:
            print("No runs match." if _filtered(args) else f"No runs in {history.path} yet.")
            return ExitCode.OK
        print(f"{'RUN':<21} {'STARTED':<16} {'STATE':<11} {'CELLS':>11} {'PASS':>5} {'COST':>8}  EXPERIMENT")
        for run in runs:
            print(
                f"{run.id:<21} {_local(run.started_at):<16} {run.state:<11} "
                f"{run.cells_done:>5}/{run.planned_cells:<5} {_run_pass(run):>5} {money(run.cost):>8}  "
                f"{run.experiment} ({', '.join(run.variants)})"
            )
        return ExitCode.OK

    return _with_history(args, act)


def _filtered(args: argparse.Namespace) -> bool:
    return any(getattr(args, name) for name in ("experiment", "model", "since", "until"))


def _print_hits(history: History, text: str, limit: int) -> int:
    hits = history.search(text, limit=limit)
    if not hits:
        print(f"Nothing in the history matches {text!r}.")
        return ExitCode.OK
    for hit in hits:
        repeat = f" repeat {hit.key.repeat + 1}" if hit.key.repeat else ""
        where = f"{hit.key.variant} case {hit.key.case + 1}{repeat}"
        print(f"{hit.run_id}  {hit.experiment}  {where}  ({hit.found_in})")
        print(f"    {_one_line(hit.snippet, 110)}")
    return ExitCode.OK


def show_command(args: argparse.Namespace) -> int:
    def act(history: History) -> int:
        run_id = history.resolve(args.run)
        detail = history.open_run(run_id)
        names = [v.name for v in detail.experiment.variants]
        if args.base is not None and args.base not in names:
            print(
                f"This run has no variant named {args.base!r}; its variants are {', '.join(map(repr, names))}.",
                file=sys.stderr,
            )
            return ExitCode.USAGE
        _print_run(detail, args.base)
        from promptbench.cli.grading_text import grading_lines  # only `show` needs it

        for line in grading_lines(detail, history.reviews(run_id)):
            print(f"  {line}")
        return ExitCode.OK

    return _with_history(args, act)


def _print_run(detail: RunDetail, base: str | None = None) -> None:
    run = detail.summary
    print(f"Run {run.id}: {run.experiment}, {run.state}")
    print(f"  started {_local(run.started_at)}" + (f", ended {_local(run.finished_at)}" if run.finished_at else ""))
    if run.source:
        print(f"  from {run.source}")
    print(f"  {run.cells_done} of {run.planned_cells} cells, {run.errors} errors, cost {money(run.cost)}")
    print()
    print(f"  {'VARIANT':<24} {'CALLS':>5} {'ERRORS':>6} {'PASS':>5} {'SCORE':>6} {'MEDIAN':>9}")
    never_ran = {
        name
        for name in {r.key.variant for r in detail.results}
        if _checks_never_ran([r for r in detail.results if r.key.variant == name])
    }
    for s in summarize(detail.results, [v.name for v in detail.experiment.variants]):
        rate = "checks could not run" if s.variant in never_ran else _percent(s.pass_rate)
        print(
            f"  {s.variant:<24} {s.calls:>5} {s.errors:>6} {rate:>5} "
            f"{_number(s.mean_score):>6} {_latency(s.median_latency_ms):>9}"
        )
    for line in significance_lines(detail.experiment, detail.results, base):
        print(f"  {line}")
    print()
    for result in detail.results:
        key = result.key
        verdict = "ERROR" if result.error else {True: "PASS", False: "FAIL", None: "-"}[result.passed]
        if result.ok and result.grade is not None and result.grade.checks_could_not_run:
            verdict = "checks could not run"
        score = _number(result.grade.score) if result.grade and result.ok else ""
        text = result.error if result.error else (result.output or "")
        label = f"case {key.case + 1}" + (f".{key.repeat + 1}" if key.repeat else "")
        print(f"  {label:<10} {key.variant:<20} {verdict:<5} {score:>5}  {_one_line(text, 70)}")
        human = detail.human_grades.get(key)
        if human is not None:
            marks = [m for m in (_thumbs(human.thumbs), f"{human.stars}/5" if human.stars else "") if m]
            print(f"  {'':<10} {'':<20} human: {' '.join(marks)} {_one_line(human.comment, 60)}".rstrip())
        for line in grader_reasons(result.grade) if result.ok else ():  # the AI grader's reason, pass or fail
            print(f"  {'':<10} {'':<20} {_one_line(line, 90)}")


def compare_command(args: argparse.Namespace) -> int:
    def act(history: History) -> int:
        comparison = history.compare(history.resolve(args.before), history.resolve(args.after))
        _print_comparison(comparison, show_all=args.all)
        return ExitCode.OK

    return _with_history(args, act)


def _print_comparison(comparison: Comparison, *, show_all: bool) -> None:
    before, after = comparison.before, comparison.after
    print(f"{before.id} ({before.experiment}) -> {after.id} ({after.experiment})")
    print(
        f"  pass rate {_percent(before.pass_rate)} -> {_percent(after.pass_rate)}, "
        f"mean score {_number(before.mean_score)} -> {_number(after.mean_score)}"
    )
    print("  " + comparison.counts_text())
    cells = comparison.cells if show_all else comparison.changed()
    if cells:
        print()
    for change in cells:
        key = change.key
        label = f"case {key.case + 1}" + (f".{key.repeat + 1}" if key.repeat else "")
        was = _cell_word(change.before)
        now = _cell_word(change.after)
        delta = change.score_delta
        delta_text = f" ({delta:+.2f})" if delta is not None and abs(delta) > 1e-9 else ""
        print(f"  {label:<10} {key.variant:<20} {change.verdict:<14}  {was} -> {now}{delta_text}")


def _cell_word(state) -> str:
    if state is None:
        return "absent"
    if state.error:
        return "error"
    word = {True: "pass", False: "fail", None: "answered"}[state.passed]
    return f"{word} {state.score:.2f}" if state.score is not None else word


def export_command(args: argparse.Namespace) -> int:
    def act(history: History) -> int:
        path = service.export_run(history, history.resolve(args.run), args.format, args.output)
        print(f"Wrote {path}")
        return ExitCode.OK

    return _with_history(args, act)


def cache_clear_command(args: argparse.Namespace) -> int:
    def act(history: History) -> int:
        cleared = service.clear_cache(history)
        print(f"Removed {cleared.entries} cached responses ({cleared.bytes / 1_000_000:.1f} MB).")
        return ExitCode.OK

    return _with_history(args, act)


def _local(stamp: str | None) -> str:
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _run_pass(run: RunSummary) -> str:
    return "checks could not run" if run.checks_never_ran else _percent(run.pass_rate)


def _checks_never_ran(results: list[Result]) -> bool:
    """Whether every graded result's checks errored (a grader down): a pass rate of 0% would say the wrong thing."""
    graded = [r.grade for r in results if r.ok and r.grade is not None]
    return bool(graded) and all(g.checks_could_not_run for g in graded)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _latency(ms: float | None) -> str:
    return "-" if ms is None else latency(ms)


def _thumbs(value: bool | None) -> str:
    return {True: "up", False: "down", None: ""}[value]


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
