"""The headless face: `promptbench run experiment.json` and friends, on the same engine as the window.

The `promptbench` command itself is promptbench.main, which opens the window when no command is given.

Exit codes: 0 every cell ran and passed, 1 some check failed, 2 a usage or file error, 3 some calls failed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from promptbench import __version__
from promptbench.cli.exit_codes import ExitCode

# Every command: the module of promptbench.cli that registers it, and its line in `promptbench --help` (the same
# words the module gives argparse; a test keeps the two equal). Only the module of the command being run is imported:
# `promptbench --help` lists the commands from this table without loading openai, Qt or the history, and
# `promptbench run` does not pay for the promptfoo importer, spreadsheets or the providers service.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "run an experiment file (or a promptfoo config) headless"),
    "resume": ("run", "finish an interrupted or cancelled run: call only missing cells"),
    "keys": ("keys", "API keys in the OS keyring"),
    "providers": ("keys", "provider profiles"),
    "history": ("history", "list past runs, newest first, or search their cells; delete runs; compact the file"),
    "show": ("history", "one run: its summary per variant and every cell"),
    "compare": ("history", "compare two runs cell by cell"),
    "export": ("history", "write a run's cells as JSON or CSV, or the run as an HTML report"),
    "cache": ("history", "the response cache"),
    "grade": ("grade", "grade one answer of a run: thumbs up or down, or stars, with a comment"),
    "import": ("files", "convert a promptfoo config into an experiment file"),
    "export-promptfoo": ("files", "write an experiment as a promptfoo config"),
    "import-tests": ("files", "add the test cases of a CSV, JSONL or XLSX file to an experiment"),
    "doctor": ("doctor", "check this installation: Qt, fonts, keyring, history, providers"),
}


def build_parser(*commands: str) -> argparse.ArgumentParser:
    """The `promptbench` parser. The modules of the `commands` named register them (with the commands sharing their
    module); with none named, every command is a bare entry that only names it, enough for `--help` and for telling
    which command argv holds."""
    parser = argparse.ArgumentParser(
        prog="promptbench",
        description="Compare prompt variants side by side against a test set. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"promptbench {__version__}")
    window = parser.add_argument_group("the window (when no command is given)")
    window.add_argument("--open", type=Path, metavar="FILE", help="open this experiment file")
    window.add_argument(
        "--screenshot", type=Path, metavar="PATH", help="render the window offscreen to a PNG at PATH and exit"
    )
    window.add_argument("--run", action="store_true", help="with --screenshot: run the experiment first")
    window.add_argument(
        "--screenshot-part",
        choices=("window", "grid", "detail", "case"),
        default="window",
        help="with --screenshot: the whole window, the results grid, the detail pane, or the window at 1366x768 "
        "with the case view",
    )
    window.add_argument(
        "--screenshot-theme", choices=("light", "dark"), help="with --screenshot: this theme instead of the saved one"
    )
    window.add_argument(
        "--screenshot-size", metavar="WxH", default="1500x950", help="with --screenshot: the window's size (1500x950)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    if not commands:
        for name, (_module, help_text) in COMMANDS.items():
            # No -h of its own: `promptbench run --help` must reach the real `run` parser, built in parse_args.
            subparsers.add_parser(name, help=help_text, add_help=False)
    for module in dict.fromkeys(COMMANDS[command][0] for command in commands):
        importlib.import_module(f"promptbench.cli.{module}").register(subparsers)
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse in two passes: the outline finds the command word as argparse reads it (past option values such as
    `--open FILE`), answers `--help`, `--version` and unknown commands; then that command's own parser reads argv."""
    outline = build_parser()
    args, rest = outline.parse_known_args(argv)
    if args.command is None:
        if rest:
            outline.error(f"unrecognized arguments: {' '.join(rest)}")
        return args  # the window
    return build_parser(args.command).parse_args(argv)


def run_command(args: argparse.Namespace) -> int:
    """Carry out a parsed command (the `promptbench` entry point, promptbench.main, opens the window instead)."""
    try:
        return args.handler(args)
    except BrokenPipeError:
        # `promptbench history | head` closed our output early: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK


def main(argv: list[str] | None = None) -> int:
    """The headless commands only; `promptbench` itself is promptbench.main.main."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return ExitCode.USAGE
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
