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

# Which module of promptbench.cli registers each command. Only the module of the command being run is imported,
# so `promptbench run` does not pay for the promptfoo importer, spreadsheets or the providers service.
COMMAND_MODULES = {
    "run": "run",
    "resume": "run",
    "keys": "keys",
    "providers": "keys",
    "history": "history",
    "show": "history",
    "compare": "history",
    "export": "history",
    "cache": "history",
    "import": "files",
    "export-promptfoo": "files",
    "doctor": "doctor",
}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
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
        choices=("window", "grid", "detail"),
        default="window",
        help="with --screenshot: the whole window, the results grid, or the detail pane",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    words = [word for word in (argv or []) if not word.startswith("-")]
    command = words[0] if words else None
    if command in COMMAND_MODULES:
        modules = [COMMAND_MODULES[command]]
    elif command is None and not {"-h", "--help"} & set(argv or []):
        modules = []  # the window: no command module is needed
    else:
        modules = list(dict.fromkeys(COMMAND_MODULES.values()))
    for module in modules:
        importlib.import_module(f"promptbench.cli.{module}").register(subparsers)
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    return build_parser(argv).parse_args(argv)


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
        build_parser(["--help"]).print_help()
        return ExitCode.USAGE
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
