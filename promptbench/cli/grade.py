"""`promptbench grade RUN --case N --variant NAME (--thumbs up|down | --stars K) [--comment TEXT]`: a person's
grade of one answer, from the shell or a script. Cases count from 1, as the window shows them.

Exit codes: 0 graded, 2 a usage error or a cell the run does not have (one sentence on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from promptbench.cli.exit_codes import ExitCode
from promptbench.core.agreement import cell_label
from promptbench.service import history as history_service
from promptbench.service.grading import GradeProblem, grade_cell
from promptbench.service.history import HistoryError, RunNotFound

HELP = "grade one answer of a run: thumbs up or down, or stars, with a comment"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "grade",
        help=HELP,
        description="Grade one answer of a run as a person: thumbs up or down, or 1 to 5 stars, with an optional "
        "comment. The grade is kept beside the automatic verdict and counts in judge-human agreement.",
    )
    parser.add_argument("run", metavar="RUN", help="a run id, a unique start of one, or 'last'")
    parser.add_argument("--case", type=int, required=True, metavar="N", help="the test case, counted from 1")
    parser.add_argument("--variant", required=True, metavar="NAME", help="the variant whose answer is graded")
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--thumbs", choices=("up", "down"), help="good or bad")
    given.add_argument("--stars", type=int, metavar="K", help="1 to 5 stars")
    parser.add_argument("--comment", metavar="TEXT", help="what you noticed (replaces an earlier comment)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="with repeats: which one, from 1 (1)")
    parser.add_argument(
        "--db", type=Path, metavar="PATH", help="history file (default: the user data folder)", default=None
    )
    parser.set_defaults(handler=grade_command)


def grade_command(args: argparse.Namespace) -> int:
    try:
        with history_service.open_history(args.db) as history:
            run_id = history.resolve(args.run)
            given = grade_cell(
                history,
                run_id,
                case_number=args.case,
                variant=args.variant,
                thumbs=None if args.thumbs is None else args.thumbs == "up",
                stars=args.stars,
                comment=args.comment,
                repeat_number=args.repeat,
            )
    except (GradeProblem, HistoryError, RunNotFound) as error:
        print(f"promptbench: {error}", file=sys.stderr)
        return ExitCode.USAGE
    marks = [m for m in ({True: "thumbs up", False: "thumbs down", None: ""}[given.grade.thumbs],) if m]
    if given.grade.stars:
        marks.append(f"{given.grade.stars} of 5 stars")
    print(f"Graded {cell_label(given.key)} of run {run_id}: {', '.join(marks) or 'comment only'}.")
    return ExitCode.OK
