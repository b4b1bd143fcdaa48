"""`promptbench history delete RUN...` and `promptbench history vacuum`: removing runs, giving space back to the disk.

Both are subcommands of `promptbench history` (registered by promptbench.cli.history, whose helpers they use).
Exit codes as there: 0 ok (a declined question included), 2 a usage or file error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from promptbench.cli.exit_codes import ExitCode
from promptbench.cli.history import _db_option, _local, _with_history
from promptbench.core.figures import file_size
from promptbench.service import history as service
from promptbench.service.history import History, RunSummary


def register(history_parser: argparse.ArgumentParser) -> None:
    """Add `delete` and `vacuum` under `promptbench history`; with neither, `history` lists runs as before."""
    commands = history_parser.add_subparsers(dest="history_command", metavar="{delete,vacuum,metadata}")
    delete = commands.add_parser(
        "delete",
        help="delete runs with their results and grades (asks first)",
        description="Delete runs with their results, search index entries and human grades, all or none. "
        "Asks first on a terminal; without one, --yes is needed. A run still being written by a running "
        "PromptBench is refused. The response cache is kept. The file keeps its size until "
        "`promptbench history vacuum`.",
    )
    delete.add_argument("runs", nargs="+", metavar="RUN", help="a run id, a unique start of one, or 'last'")
    delete.add_argument("--yes", action="store_true", help="delete without asking")
    _db_option(delete, default=argparse.SUPPRESS)
    delete.set_defaults(handler=delete_command)

    vacuum = commands.add_parser(
        "vacuum",
        help="compact the history file; prints its size before and after",
        description="Give the space of deleted runs and cleared cache entries back to the disk (SQLite's VACUUM). "
        "Takes about as long as copying the file, and needs as much free space while it runs.",
    )
    _db_option(vacuum, default=argparse.SUPPRESS)
    vacuum.set_defaults(handler=vacuum_command)

    metadata = commands.add_parser(
        "metadata",
        help="write a Datasette metadata file describing every table, view and column",
        description="Write Datasette metadata (JSON) for the history file, so `datasette history.db -m "
        "metadata.json` explains every table, view and column. Prints it unless -o is given.",
    )
    metadata.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of printing")
    _db_option(metadata, default=argparse.SUPPRESS)
    metadata.set_defaults(handler=metadata_command)


def metadata_command(args: argparse.Namespace) -> int:
    def act(history: History) -> int:
        text = json.dumps(history.datasette_metadata(), indent=2, ensure_ascii=False) + "\n"
        if args.output is None:
            sys.stdout.write(text)
            return ExitCode.OK
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as error:
            print(f"promptbench: Could not write {args.output}: {error.strerror or error}.", file=sys.stderr)
            return ExitCode.USAGE
        print(f"Wrote {args.output}; open the history with `datasette {history.path} -m {args.output}`.")
        return ExitCode.OK

    return _with_history(args, act)


def delete_command(args: argparse.Namespace) -> int:
    def act(history: History) -> int:
        runs = service.runs_named(history, args.runs)
        if not args.yes:
            if sys.stdin is None or not sys.stdin.isatty():
                print(
                    "promptbench: Deleting runs cannot be undone and there is no terminal to ask on; "
                    "add --yes to delete them.",
                    file=sys.stderr,
                )
                return ExitCode.USAGE
            answer = _ask(history, runs)
            if answer is None:
                print("promptbench: No answer; nothing was deleted.", file=sys.stderr)
                return ExitCode.USAGE
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing was deleted.")
                return ExitCode.OK
        deleted = history.delete_runs([run.id for run in runs])
        print(f"Deleted {_runs(deleted)}. The file keeps its size until `promptbench history vacuum` compacts it.")
        return ExitCode.OK

    return _with_history(args, act)


def _ask(history: History, runs: list[RunSummary]) -> str | None:
    """The answer typed, or None when the terminal closed or the user pressed Ctrl+C."""
    print(f"Delete {_runs(len(runs))} from {history.path}, with their results and grades?")
    for run in runs:
        print(
            f"  {run.id:<21} {_local(run.started_at):<16} {run.state:<11} "
            f"{run.cells_done:>5}/{run.planned_cells:<5}  {run.experiment}"
        )
    try:
        return input("This cannot be undone. Delete? [y/N] ")
    except (EOFError, KeyboardInterrupt):
        print()
        return None


def vacuum_command(args: argparse.Namespace) -> int:
    def act(history: History) -> int:
        compacted = service.compact(history)
        before, after = compacted.before, compacted.after
        print(
            f"Compacted {history.path}: {file_size(before.file_bytes)} before, {file_size(after.file_bytes)} after "
            f"(the response cache is {file_size(after.cache_bytes)} of it)."
        )
        return ExitCode.OK

    return _with_history(args, act)


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"
